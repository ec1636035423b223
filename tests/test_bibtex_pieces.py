"""Parsing a file in pieces gives exactly what parsing it whole gives.

The parser splits the text where a line starts a block (``@type{``), so that records can be
stored while the rest of the file is parsed. Cutting there must not change one block, line,
macro, duplicate or crossref. Each corpus file is parsed whole and cut before every block.
"""

from __future__ import annotations

from operator import attrgetter
from pathlib import Path

import pytest
from conftest import corpus_files

from litreview.importers.bibtex import decode_bibtex, parse_bibtex_batches
from litreview.importers.records import ImportResult, PaperRecord

FILES = corpus_files("bibtex")
WHOLE = 1 << 40


def parse(text: str, piece_chars: int) -> tuple[list[PaperRecord], ImportResult, int]:
    """Records, the result and the number of batches for one piece size."""
    result = ImportResult()
    batches = list(
        parse_bibtex_batches(
            text, result, source="t.bib", piece_chars=piece_chars, first_piece_chars=piece_chars
        )
    )
    # Compared as dataclasses: every field, nested records (people) by theirs, no copy made.
    records = [r for batch in batches for r in batch]
    return sorted(records, key=attrgetter("line")), result, len(batches)


def assert_same_in_pieces(text: str) -> int:
    whole, whole_result, _ = parse(text, WHOLE)
    cut, cut_result, batches = parse(text, 1)
    assert cut == whole
    assert cut_result.problems == whole_result.problems
    assert cut_result.info == whole_result.info
    return batches


def test_a_block_left_open_ends_where_the_next_starts_in_pieces_too() -> None:
    text = (
        "@string{ venue = {Proc. of Things} }\n"
        "@article{open, title = {Never closed},\n"
        "  author = {A. Person}\n"
        "@inproceedings{child, title = {Child}, crossref = {parent}, booktitle = venue}\n"
        "@article{dup, title = {First}, year = 2001}\n"
        "  @misc{dup, title = {Second}, year = 2002, note = later}\n"
        "@string{ later = {defined after use} }\n"
        "@proceedings{parent, title = {The Proceedings}, year = 2020, publisher = {P}}\n"
        "@article{, year = 2020, title = {No key}}\n"
    )
    assert assert_same_in_pieces(text) > 3
    result = ImportResult()
    records = [
        r for batch in parse_bibtex_batches(text, result, source="t.bib", piece_chars=1,
                                            first_piece_chars=1) for r in batch
    ]  # fmt: skip
    by_key = {r.key: r for r in records}
    assert by_key["child"].extra["publisher"] == "P"  # inherited from a later parent
    assert by_key["child"].venue == "Proc. of Things"
    assert [r.title for r in records if r.key == "dup"] == ["First", "Second"]
    assert [p.line for p in result.problems] == sorted(p.line or 0 for p in result.problems)
    failed = [p for p in result.problems if p.kind == "error"]
    assert [p.line for p in failed] == [2]
    assert any(
        "duplicate citation key 'dup' (first at line 5)" in p.message for p in result.problems
    )
    later = [r for r in records if r.extra.get("note") == "defined after use"]
    assert len(later) == 1  # a macro used before its definition still resolves, as whole


@pytest.mark.corpus
@pytest.mark.parametrize("name", FILES)
def test_every_corpus_file_parses_the_same_in_pieces(corpus: Path, name: str) -> None:
    text, _ = decode_bibtex((corpus / "bibtex" / name).read_bytes(), source=name)
    assert_same_in_pieces(text)
