"""The BibTeX importer over every real file of the shared corpus (skipped when it is absent).

No file crashes the importer; it yields one record per bibtexparser entry (plus the entries
bibtexparser set aside as duplicates, which we keep, minus @xdata containers); and every block
that failed is reported with its line. (What the library keeps of each file, and that import ->
export -> import gives the same library: test_bibtex_lossless_corpus.py.)
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry
from conftest import corpus_dir

from litreview.importers.bibtex import parse_bibtex
from litreview.importers.encoding import decode_bibtex_bytes

pytestmark = pytest.mark.corpus

FOLDER = corpus_dir() / "bibtex"
FILES = sorted(p.name for p in FOLDER.iterdir()) if FOLDER.is_dir() else []


@pytest.fixture
def bib_file(corpus: Path, request: pytest.FixtureRequest) -> Path:
    return corpus / "bibtex" / str(request.param)


def test_the_corpus_is_there(corpus: Path) -> None:
    assert len(FILES) >= 100


@pytest.mark.parametrize("bib_file", FILES, indirect=True)
def test_every_entry_is_a_record_and_every_failure_is_reported(bib_file: Path) -> None:
    data = bib_file.read_bytes()
    result = parse_bibtex(data, source=bib_file.name)
    text = decode_bibtex_bytes(data).text.replace("\r\n", "\n").replace("\r", "\n")
    logging.disable(logging.WARNING)
    try:
        library = parse_string(text)
    finally:
        logging.disable(logging.NOTSET)
    kept = [e for e in library.entries if e.entry_type.lower() != "xdata"]
    set_aside = [
        b.ignore_error_block
        for b in library.failed_blocks
        if isinstance(b, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock)
        and isinstance(b.ignore_error_block, Entry)
        and b.ignore_error_block.entry_type.lower() != "xdata"
    ]
    syntax_failures = [
        b
        for b in library.failed_blocks
        if not isinstance(b, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock)
    ]
    errors = [p for p in result.problems if p.kind == "error"]
    recovered = len(syntax_failures) - len(errors)  # entries written without a key
    assert len(result.records) == len(kept) + len(set_aside) + recovered
    assert recovered >= 0
    reported_lines = {p.line for p in result.problems}
    for block in library.failed_blocks:
        assert block.start_line is not None and block.start_line + 1 in reported_lines
    assert all(p.line is not None for p in errors)
    # A key BibTeX does not accept is cleaned, the original kept as an alias.
    record_keys = {r.key for r in result.records} | {a for r in result.records for a in r.aliases}
    assert {e.key for e in kept if e.key.strip()} <= record_keys
