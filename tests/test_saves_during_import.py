"""A save made while an import runs waits only for the import's writing, then lands.

An import parses, decodes and prepares the whole file before its first write, so SQLite's write
lock (taken by the first write, held until the commit) is held only while it writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from arxiv_server import FakeArxiv
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from web_support import live_server

import litreview.library.bibtex as library_bibtex
from litreview.app import create_app
from litreview.config import Settings
from litreview.library.annotations import get_annotation, save_annotation
from litreview.library.bibtex import import_bibtex
from litreview.library.papers_base import get_paper_by_key
from tests.conftest import LOCAL_URL


def many_entries(count: int, prefix: str = "bulk") -> str:
    """``count`` distinct BibTeX entries (a file of several parse pieces when large)."""
    return "\n".join(
        f"@article{{{prefix}{n},\n  title = {{Paper number {n} on {prefix} topics}},\n"
        f"  author = {{Author{n}, Ann and Other, Bob}},\n  journal = {{Journal {n % 50}}},\n"
        f"  year = {{{1990 + n % 30}}},\n  abstract = {{{'Words about the method. ' * 8}}},\n}}\n"
        for n in range(count)
    )


def test_the_import_writes_only_after_the_whole_file_is_parsed(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = engine.url.database
    assert database is not None
    writes_between_batches: list[int] = []
    parse = library_bibtex.parse_bibtex_batches

    def parse_and_write_meanwhile(*args: Any, **kwargs: Any) -> Iterator[Any]:
        # Between two parsed batches another connection writes without waiting at all: it
        # fails with "database is locked" if the import already holds the write lock.
        for batch in parse(*args, **kwargs):
            yield batch
            other = sqlite3.connect(database, timeout=0)
            try:
                other.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
                other.execute("INSERT INTO probe VALUES (1)")
                other.commit()
                writes_between_batches.append(len(batch))
            finally:
                other.close()

    monkeypatch.setattr(library_bibtex, "parse_bibtex_batches", parse_and_write_meanwhile)
    report = import_bibtex(session, many_entries(2500), source="big.bib")
    session.commit()
    assert report.counts()["added"] == 2500
    assert len(writes_between_batches) >= 2  # the file came in several batches
    assert sum(writes_between_batches) == 2500


def test_an_upload_leaves_the_library_free_while_it_is_parsed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Through the API: the member check every route runs first reads the library, and a write
    # request's transaction takes the write lock as it begins. The check's transaction ends with
    # the check, so a save is not kept waiting while the upload is read and parsed.
    app = create_app(settings)
    database = settings.database_url.removeprefix("sqlite:///")
    free_between_batches: list[int] = []
    parse = library_bibtex.parse_bibtex_batches

    def parse_and_lock_meanwhile(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for batch in parse(*args, **kwargs):
            other = sqlite3.connect(database, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")  # "database is locked" if the import holds it
                other.rollback()
                free_between_batches.append(len(batch))
            finally:
                other.close()
            yield batch

    monkeypatch.setattr(library_bibtex, "parse_bibtex_batches", parse_and_lock_meanwhile)
    with TestClient(app, base_url=LOCAL_URL) as client:
        response = client.post(
            "/api/import/bibtex",
            content=many_entries(300).encode(),
            headers={"Content-Type": "application/x-bibtex"},
        )
    app.state.engine.dispose()
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["added"] == 300
    assert sum(free_between_batches) == 300


def test_a_save_during_an_import_waits_and_is_applied(engine: Engine) -> None:
    with Session(engine) as session:
        import_bibtex(session, "@article{mine, title={Mine}, year={2020}}", source="a.bib")
        session.commit()
        paper_id = get_paper_by_key(session, "mine").id
    assert paper_id is not None
    started = threading.Event()
    outcome: list[str] = []

    def long_import() -> None:
        with Session(engine) as session:
            started.set()
            import_bibtex(session, many_entries(4000), source="long.bib")
            session.commit()
            outcome.append("imported")

    thread = threading.Thread(target=long_import)
    thread.start()
    started.wait()
    with Session(engine) as session:
        save_annotation(session, paper_id, "Written during the import.", expected_version=0)
        session.commit()
    thread.join()
    assert outcome == ["imported"]
    with Session(engine) as session:
        assert get_annotation(session, paper_id).markdown == "Written during the import."


@pytest.fixture
def server(tmp_path: Path, template_db: Path) -> Iterator[Any]:
    with (
        FakeArxiv.running() as arxiv,
        live_server(tmp_path, arxiv, template=template_db) as running,
    ):
        yield running


def test_saves_over_http_during_a_long_upload_all_land(server: Any) -> None:
    paper = server.add_paper("Annotated while a big file comes in")
    path = f"/api/papers/{paper['id']}/annotation"
    report: dict[str, Any] = {}

    def upload() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            response = client.post(
                "/api/import/bibtex",
                content=many_entries(6000).encode(),
                headers={"Content-Type": "application/x-bibtex"},
            )
            report["status"] = response.status_code
            report["added"] = response.json()["counts"]["added"]

    thread = threading.Thread(target=upload)
    thread.start()
    statuses: list[int] = []
    version = 0
    while thread.is_alive() or not statuses:
        text = f"save {len(statuses)}"
        response = server.client.put(path, json={"markdown": text, "version": version})
        statuses.append(response.status_code)
        if response.status_code == 200:
            version = response.json()["version"]
    thread.join()
    assert report == {"status": 200, "added": 6000}
    assert set(statuses) == {200}  # no 503: every save waited at most for the writing
    assert server.get(path)["markdown"] == f"save {len(statuses) - 1}"


def test_a_preview_answers_while_an_import_holds_the_write_lock(settings: Settings) -> None:
    """The editor's preview (a POST that changes nothing) does not wait for the write lock;
    a save in the same moment does, and is refused once its wait is over (the UI retries)."""
    app = create_app(replace(settings, busy_timeout=0.2))
    path = settings.database_url.removeprefix("sqlite:///")
    with TestClient(app, base_url=LOCAL_URL) as client:
        paper = client.post("/api/papers", json={"title": "Previewed"}).json()
        importer = sqlite3.connect(path)
        try:
            importer.execute("BEGIN IMMEDIATE")  # as an import's writing holds it
            preview = client.post("/api/render", json={"markdown": "*seen*"})
            assert preview.status_code == 200, preview.text
            assert preview.json()["html"].strip() == "<p><em>seen</em></p>"
            save = client.put(
                f"/api/papers/{paper['id']}/annotation", json={"markdown": "x", "version": 0}
            )
            assert save.status_code == 503
        finally:
            importer.rollback()
            importer.close()
    app.state.engine.dispose()
