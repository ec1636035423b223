"""What a corpus file gives, the library keeps and gives back (skipped when the corpus is absent).

For every file of the shared corpus, imported once into a fresh library:
- no file crashes the importer; it makes one record per bibtexparser entry (plus the entries
  bibtexparser set aside as duplicates, which we keep, minus @xdata containers), and every block
  that failed is reported with its line;
- every entry bibtexparser parses is a paper, or an alias of one (merged on the same arXiv id or
  DOI, or a key BibTeX does not accept, cleaned), or a reported failure with its line;
- every citation key is found in the BibTeX export, as a key or in ``ids``;
- the export gives every field of every unedited entry as it came in (compared field by field
  after parsing both files and expanding ``@string`` macros; a month macro stays a macro);
- importing the file again changes nothing;
- the export, imported into a new library, gives the same library.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bibtex_helpers import all_views, fresh_engine, snapshot
from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, String
from conftest import corpus_dir, corpus_files
from sqlmodel import Session

from litreview.exporters.bibtex import render_bibtex
from litreview.importers.bibvalues import MONTHS, Macros, evaluate
from litreview.importers.encoding import decode_bibtex_bytes
from litreview.importers.records import Problem
from litreview.library.bibtex import import_bibtex
from litreview.library.outcomes import Outcome
from litreview.normalize import clean_citation_key

pytestmark = pytest.mark.corpus

FOLDER = corpus_dir() / "bibtex"
FILES = corpus_files("bibtex")

# Fields an export writes from the library's own model rather than from the entry: the key's
# other names (``ids``: the aliases, written back merged with any the library has), tags
# (``keywords``), and arXiv's prefix fields (written in one spelling).
REWRITTEN = frozenset({"ids", "keywords", "archiveprefix", "eprinttype", "eprint", "arxivid"})


@dataclass
class Imported:
    source: Library
    exported: Library
    keys: set[str]  # the library's citation keys and aliases
    problem_lines: set[int]  # lines the import reported a failure or warning at
    errors: list[Problem]  # the blocks the import could not take
    records: int  # records the parser made (each has an outcome: added, merged, failed...)
    merged: set[str]  # entries merged into another paper
    unchanged_keys: set[str]  # entries that are their paper (not merged into another)
    again: dict[str, str]  # what re-importing the file did, by outcome
    before: dict[str, dict[str, Any]]  # the library after the import
    after: dict[str, dict[str, Any]]  # ... and after importing the file again
    export_failures: list[str]  # what importing the export into a new library reported
    from_export: dict[str, dict[str, Any]]  # ... and that library


def _parse(text: str) -> Library:
    logging.disable(logging.WARNING)
    try:
        return parse_string(text, parse_stack=[])  # values as written, delimiters and all
    finally:
        logging.disable(logging.NOTSET)


# Imported once per file for the tests below (pytest orders the tests by file).
@pytest.fixture(scope="module")
def imported(
    template_db: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Imported]:
    path = FOLDER / str(request.param)
    tmp_path = tmp_path_factory.mktemp("lib")
    data = path.read_bytes()
    text = decode_bibtex_bytes(data).text.replace("\r\n", "\n").replace("\r", "\n")
    engine = fresh_engine(template_db, tmp_path / "lib.db")
    with Session(engine) as session:
        report = import_bibtex(session, data, source=path.name)
        session.commit()
        views = all_views(session)
        keys = {v.paper.key for v in views} | {a for v in views for a in v.aliases}
        merged = {o.key for o in report.outcomes if o.status == Outcome.merged}
        exported = render_bibtex(views)
        before = snapshot(session, views)
        again = import_bibtex(session, data, source=path.name)
        session.commit()
        after = snapshot(session)
    engine.dispose()
    engine = fresh_engine(template_db, tmp_path / "from_export.db")
    with Session(engine) as session:
        from_export = import_bibtex(session, exported, source="export")
        session.commit()
        from_export_library = snapshot(session)
    engine.dispose()
    yield Imported(
        source=_parse(text),
        exported=_parse(exported),
        keys=keys,
        problem_lines={p.line for p in report.problems if p.line is not None},
        errors=[p for p in report.problems if p.kind == "error"],
        records=len(report.outcomes),
        merged=merged,
        unchanged_keys={v.paper.key for v in views} - merged,
        again={o.key or "": o.status.value for o in again.outcomes},
        before=before,
        after=after,
        export_failures=[str(f) for f in from_export.failures],
        from_export=from_export_library,
    )


def _entries(library: Library) -> list[Entry]:
    set_aside = [
        b.ignore_error_block
        for b in library.failed_blocks
        if isinstance(b, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock)
        and isinstance(b.ignore_error_block, Entry)
    ]
    return [e for e in [*library.entries, *set_aside] if e.entry_type.lower() != "xdata"]


def test_the_corpus_is_there(corpus: Path) -> None:
    assert len(FILES) >= 100


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_every_entry_is_a_record_and_every_failure_is_reported(imported: Imported) -> None:
    failed = imported.source.failed_blocks
    syntax_failures = [
        b for b in failed if not isinstance(b, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock)
    ]
    recovered = len(syntax_failures) - len(imported.errors)  # entries written without a key
    assert recovered >= 0
    assert imported.records == len(_entries(imported.source)) + recovered
    assert all(b.start_line is not None for b in failed)
    assert all(p.line is not None for p in imported.errors)


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_every_entry_is_kept_found_in_the_export_and_given_back_as_it_came(
    imported: Imported,
) -> None:
    entries = [e for e in _entries(imported.source) if e.key.strip()]
    lost = [
        e.key
        for e in entries
        if e.key.strip() not in imported.keys and clean_citation_key(e.key) not in imported.keys
    ]
    assert not lost, lost
    # A block bibtexparser could not take is a failure at its line (or, written without a key,
    # an entry with a generated key, warned about at its line).
    failed_lines = {b.start_line + 1 for b in imported.source.failed_blocks}
    assert failed_lines <= imported.problem_lines, failed_lines - imported.problem_lines

    exported = {e.key: e for e in imported.exported.entries}
    found = set(exported) | {
        k.strip() for e in exported.values() if "ids" in e.fields_dict
        for k in e.fields_dict["ids"].value.strip("{}").split(",")
    }  # fmt: skip
    missing = [e.key for e in entries if clean_citation_key(e.key) not in found]
    assert not missing, missing

    source_macros = _macros(imported.source)
    differences = []
    seen = Counter(e.key for e in entries)
    for entry in entries:
        key = clean_citation_key(entry.key)
        if key != entry.key or key not in imported.unchanged_keys or seen[key] > 1:
            continue  # merged into another paper, a key that had to be cleaned or a second use
        given = exported[key]
        for field in entry.fields:
            name = field.key.strip().lower()
            if name in REWRITTEN or (name == "crossref" and field.value.strip("{}") == key):
                continue
            out = next((f for f in given.fields if f.key.strip().lower() == name), None)
            if out is None:
                differences.append((key, name, field.value, None))
                continue
            changed = _value(field.value, source_macros) != _value(out.value, Macros())
            unbraced = name == "month" and _bare(field.value) != _bare(out.value)
            if changed or unbraced:
                differences.append((key, name, field.value, out.value))
    assert not differences, differences[:10]


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_importing_a_file_again_changes_nothing(imported: Imported) -> None:
    assert imported.after == imported.before
    changed = {k: s for k, s in imported.again.items() if s not in ("unchanged", "failed")}
    assert not changed, list(changed.items())[:10]


# Papers made of two entries of one file by the merge rule (same title and year) take fields
# from both, so a crossref child of such a paper may inherit a field it did not have before.
MERGED_PARENT_CASES = {"biber_crossrefs.bib": {"cr7"}, "btp_crossref_entries.bib": {"cr7"}}


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_import_export_import_gives_the_same_library(
    imported: Imported, request: pytest.FixtureRequest
) -> None:
    assert not imported.export_failures, imported.export_failures
    before, after = imported.before, imported.from_export
    assert set(before) == set(after)
    name = request.node.callspec.params["imported"]
    skip = imported.merged | MERGED_PARENT_CASES.get(name, set())
    for key in before:
        if key not in skip:
            assert before[key] == after[key], key


def _macros(library: Library) -> Macros:
    macros = Macros()
    for block in library.blocks:
        if isinstance(block, String):
            macros.define(block.key, evaluate(str(block.value), macros)[0])
    return macros


def _value(raw: str, macros: Macros) -> str:
    return evaluate(raw, macros)[0]


def _bare(raw: str) -> bool:
    return raw.strip().lower() in MONTHS
