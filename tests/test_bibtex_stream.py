"""A large file is parsed in a child process while this one stores: same library, safe failures.

The child is a real process (``fork``, or ``forkserver`` when threads run); these tests make it
finish, fail and die, and check what is stored each time.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bibtex_helpers import fresh_engine, snapshot, template_database
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from litreview.db import session_scope
from litreview.errors import ImportFailed
from litreview.importers import bibtex_stream
from litreview.importers.bibtex import parse_bibtex_batches
from litreview.importers.records import ImportResult, PaperRecord
from litreview.library.bibtex import BibtexImportReport, import_bibtex
from litreview.models import Paper

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork to start a child"
)

SMALL_PIECES = 16 * 1024


def entries(count: int, start: int = 0) -> str:
    return "".join(
        f"@article{{k{i},\n  title = {{Paper number {i} on {{LaTeX}} caf\\'e}},\n"
        f"  author = {{Doe, Jane and Roe, Richard{i % 7}}},\n  year = {2000 + i % 20},\n"
        f"  keywords = {{t{i % 5}; shared}},\n}}\n\n"
        for i in range(start, start + count)
    )


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    template = template_database(tmp_path)
    one, two = fresh_engine(template, tmp_path / "a.db"), fresh_engine(template, tmp_path / "b.db")
    yield one, two
    one.dispose()
    two.dispose()


def run_import(engine: Engine, data: bytes | str, **options: Any) -> BibtexImportReport:
    with session_scope(engine) as session:
        return import_bibtex(session, data, source="test.bib", **options)


def stored(engine: Engine) -> dict[str, dict[str, Any]]:
    with Session(engine) as session:
        return snapshot(session)


def paper_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Paper)).one()


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked child even when earlier tests left threads running (it sees our patches)."""
    monkeypatch.setattr(
        bibtex_stream, "_child_context", lambda _=(): multiprocessing.get_context("fork")
    )


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many batches from a small file, so the child and the store really interleave."""
    original = bibtex_stream.record_batches

    def record_batches(*args: Any, **kwargs: Any) -> Iterator[Any]:
        kwargs.update(piece_chars=SMALL_PIECES, first_piece_chars=SMALL_PIECES)
        return original(*args, **kwargs)

    monkeypatch.setattr("litreview.library.bibtex.record_batches", record_batches)


def test_a_child_process_gives_the_library_and_report_of_one_process(
    engines: tuple[Engine, Engine], small_pieces: None
) -> None:
    text = "@string{jml = {Journal of Machine Learning}}\n" + entries(400)
    text += "@inproceedings{child, title = {Child}, crossref = {parent}}\n"
    text += entries(1, start=3)  # a duplicate key and the same paper again
    text += "@proceedings{parent, title = {Parent}, year = 2021, journal = jml}\n@broken{x,\n"
    one, two = engines
    in_child = run_import(one, text, parallel=True)
    alone = run_import(two, text, parallel=False)
    assert in_child.to_dict() == alone.to_dict()
    assert stored(one) == stored(two)
    counts = in_child.counts()
    assert counts["added"] == 402 and counts["unchanged"] == 1  # k3 twice is one paper
    assert stored(one)["child"]["extra"]["booktitle"] == "Parent"
    assert [f.line for f in in_child.failures] == [text.count("\n", 0, text.index("@broken")) + 1]


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["pybtex_examples_tugboat.bib", "texlive_texbook3.bib"])
def test_a_large_corpus_file_is_the_same_either_way(
    corpus: Path, name: str, engines: tuple[Engine, Engine], small_pieces: None
) -> None:
    data = (corpus / "bibtex" / name).read_bytes()
    one, two = engines
    in_child = run_import(one, data, parallel=True)
    alone = run_import(two, data, parallel=False)
    assert in_child.to_dict() == alone.to_dict()
    assert stored(one) == stored(two)
    assert paper_count(one) > 500


def test_the_child_dying_midway_fails_the_import_and_stores_nothing(
    engines: tuple[Engine, Engine],
    small_pieces: None,
    forked: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one, _ = engines
    run_import(one, entries(3, start=10_000))  # already in the library before

    def dies_after_one_batch(sender: Any, text: str, source: str, transform: Any, *_: Any) -> None:
        first = next(parse_bibtex_batches(text, ImportResult(), source=source))
        sender.send_bytes(bibtex_stream.pickle.dumps(("batch", transform(first))))
        os._exit(3)

    monkeypatch.setattr(bibtex_stream, "_parse_in_child", dies_after_one_batch)
    with pytest.raises(ImportFailed, match=r"exit code 3"):
        run_import(one, entries(300), parallel=True)
    assert paper_count(one) == 3
    assert multiprocessing.active_children() == []


def test_an_error_in_the_child_is_raised_here_and_nothing_is_stored(
    engines: tuple[Engine, Engine],
    small_pieces: None,
    forked: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one, _ = engines
    original = bibtex_stream.parse_bibtex_batches

    def fails_after_one_batch(*args: Any, **kwargs: Any) -> Iterator[list[PaperRecord]]:
        batches = original(*args, **kwargs)
        yield next(batches)
        raise ValueError("the parser broke on purpose")

    monkeypatch.setattr(bibtex_stream, "parse_bibtex_batches", fails_after_one_batch)
    with pytest.raises(ValueError, match="on purpose"):
        run_import(one, entries(300), parallel=True)
    assert paper_count(one) == 0


def test_small_files_are_parsed_in_this_process(
    engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_child(*_: Any) -> Iterator[Any]:
        raise AssertionError("a child process was started for a small file")

    monkeypatch.setattr(bibtex_stream, "_from_child", no_child)
    one, _ = engines
    report = run_import(one, entries(50))
    assert report.counts()["added"] == 50


def test_with_threads_running_the_child_comes_from_a_forkserver() -> None:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("this platform has no forkserver")
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        context = bibtex_stream._child_context()
        assert context is not None and context.get_start_method() == "forkserver"
        result = ImportResult()
        batches = list(
            bibtex_stream.record_batches(
                entries(200),
                result,
                list,
                source="t.bib",
                parallel=True,
                piece_chars=4096,
                first_piece_chars=4096,
            )
        )
    finally:
        stop.set()
        helper.join()
    assert len(batches) > 3
    assert sum(len(b) for b in batches) == 200 == result.info["records"]
    assert bibtex_stream._child_context() is not None


def test_a_large_upload_to_the_api_is_parsed_in_a_child(client: TestClient) -> None:
    text = entries(4000)
    assert len(text) > bibtex_stream.CHILD_MIN_CHARS
    started: list[str] = []
    original = bibtex_stream._from_child

    def watched(context: Any, *args: Any) -> Iterator[Any]:
        started.append(context.get_start_method())
        return original(context, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bibtex_stream, "_from_child", watched)
        response = client.post("/api/import/bibtex", content=text.encode())
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["added"] == 4000
    assert started == ["forkserver"]  # requests run in threads: no plain fork there
    found = client.get("/api/papers", params={"q": "number 3999"}).json()
    assert found["total"] >= 1


def test_holding_every_paper_in_memory_matches_looking_each_batch_up(
    engines: tuple[Engine, Engine], small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first import keeps every paper's identity in memory; the result is the same."""
    text = entries(300)
    text += entries(5, start=7)  # the same papers again, in a later batch: merged
    text += (
        "@article{doi1, title = {With a DOI}, doi = {10.1/abc}, year = 2020}\n"
        "@article{doi2, title = {Another paper}, doi = {10.1/ABC}, year = 2021}\n"
        "@article{ax1, title = {On arXiv}, eprint = {2101.00001}, archiveprefix = {arXiv}}\n"
    )
    text += entries(300, start=300)
    text += "@article{ax2, title = {On arXiv}, eprint = {2101.00001v2}, archiveprefix = {arXiv},"
    text += " doi = {10.2/late}}\n"
    one, two = engines
    held = run_import(one, text, parallel=False)
    monkeypatch.setattr("litreview.library.bulk.HOLD_ALL_FACTOR", -1)
    looked_up = run_import(two, text, parallel=False)
    assert held.to_dict() == looked_up.to_dict()
    assert stored(one) == stored(two)
    counts = held.counts()
    assert counts["added"] == 603 and counts["unchanged"] + counts["merged"] == 6


def test_a_dry_run_through_the_child_reports_everything_and_stores_nothing(
    engines: tuple[Engine, Engine], small_pieces: None
) -> None:
    one, two = engines
    text = entries(300) + entries(2, start=5) + "@article{broken,\n"
    dry = run_import(one, text, parallel=True, dry_run=True)
    assert paper_count(one) == 0
    real = run_import(two, text, parallel=True)
    assert dry.counts() == real.counts() == {**real.counts(), "added": 300, "failed": 1}
    assert [f.line for f in dry.failures] == [f.line for f in real.failures]
    assert paper_count(two) == 300
