"""Import a BibTeX file into the library: parse problems and store outcomes in one report.

The file is parsed by :func:`litreview.importers.bibtex.parse_bibtex_batches` and, once all of
it is parsed and prepared, its records stored together by the merge rule of
:class:`litreview.library.importing.RecordImporter`. Nothing here commits: the
caller (CLI command, API route) commits once, so a file is one transaction. A dry run stores
inside a savepoint and rolls it back, so its report says exactly what an import would do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from litreview.errors import ImportFailed
from litreview.importers.bibtex import decode_bibtex, parse_bibtex_batches
from litreview.importers.records import Problem
from litreview.library.areas import split_area_path
from litreview.library.identity import prepare_batch
from litreview.library.importing import RecordImporter
from litreview.library.jabref import apply_jabref_groups
from litreview.library.papers import Outcome, RecordOutcome
from litreview.library.preambles import store_preambles
from litreview.library.suggestions import suggest_after_import


@dataclass
class Failure:
    """A block or record that was not imported, and where it was."""

    line: int | None
    message: str
    key: str | None = None

    def __str__(self) -> str:
        subject = f" [{self.key}]" if self.key else ""
        if self.line is None:
            return f"{self.message}{subject}"
        return f"line {self.line}{subject}: {self.message}"


@dataclass
class BibtexImportReport:
    """What one file's import did: counts, failures with lines, and every problem seen."""

    source: str
    info: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[RecordOutcome] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failures(self) -> list[Failure]:
        """Blocks that could not be parsed and records the library refused, in file order."""
        found = [Failure(p.line, p.message, p.key) for p in self.problems if p.kind == "error"]
        found += [
            Failure(o.line, o.message or "not stored", o.key)
            for o in self.outcomes
            if o.status == Outcome.failed
        ]
        return sorted(found, key=lambda f: f.line or 0)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.kind != "error"]

    def counts(self) -> dict[str, int]:
        """Records per outcome; ``failed`` also counts blocks that could not be parsed."""
        counts = {o.value: 0 for o in Outcome}
        for outcome in self.outcomes:
            counts[outcome.status.value] += 1
        counts[Outcome.failed.value] += sum(1 for p in self.problems if p.kind == "error")
        return counts

    @property
    def ok(self) -> bool:
        return not self.failures

    def public(self) -> BibtexImportOut:
        """The report as the API answers it (its one JSON shape)."""
        return BibtexImportOut(
            source=self.source,
            dry_run=self.dry_run,
            counts=self.counts(),
            info=self.info,
            failures=[
                BibtexFailure(line=f.line, key=f.key, message=f.message) for f in self.failures
            ],
            warnings=[
                BibtexWarning(line=p.line, key=p.key, message=p.message, kind=p.kind)
                for p in self.warnings
            ],
            items=[
                BibtexItem(
                    line=o.line,
                    status=o.status.value,
                    paper_id=o.paper_id if not self.dry_run else None,
                    key=o.key,
                    title=o.title,
                    message=o.message,
                )
                for o in self.outcomes
            ],
        )


def unreadable_file(source: str, error: ImportFailed, *, dry_run: bool) -> BibtexImportReport:
    """The report of a file that is not in the format at all: no entries and that failure.

    As reference managers answer such a file (a PNG sent as BibTeX, a sheet without a title
    column): the import ran, read nothing, and says why; the CLI still exits 1.
    """
    message = error.message.removeprefix(f"{source}: ")
    problem = Problem(message, source=source, line=error.details.get("line"))
    return BibtexImportReport(source, {}, [problem], dry_run=dry_run)


class BibtexFailure(BaseModel):
    line: int | None
    key: str | None
    message: str


class BibtexWarning(BibtexFailure):
    kind: str = Field(description="warning or info")


class BibtexItem(BaseModel):
    line: int | None
    status: str = Field(description="added, updated, merged, unchanged or failed")
    paper_id: int | None
    key: str | None
    title: str
    message: str


class BibtexImportOut(BaseModel):
    """What ``POST /api/import/bibtex`` answers: the report of one file."""

    source: str
    dry_run: bool
    counts: dict[str, int]
    info: dict[str, Any] = Field(description="encoding used, block counts")
    failures: list[BibtexFailure]
    warnings: list[BibtexWarning]
    items: list[BibtexItem]


def import_bibtex(
    session: Session,
    data: bytes | str,
    *,
    source: str,
    tags: Sequence[str] = (),
    area_path: str | None = None,
    dry_run: bool = False,
) -> BibtexImportReport:
    """Parse ``data`` and store its entries; a file that cannot be decoded is a report with
    no entries and that failure.

    The file is parsed first, then its records are stored as one batch (the library's keys,
    identities and authors read once for all of them), in the caller's transaction (which
    then holds the write lock only while it writes).
    """
    if area_path is not None:
        split_area_path(area_path)  # a bad path fails before anything is stored
    try:
        text, parsed = decode_bibtex(data, source=source)
    except ImportFailed as error:
        return unreadable_file(source, error, dry_run=dry_run)
    # The whole file is parsed and prepared before the first write: SQLite's write lock is
    # taken by the first write and held until the commit, so a save made meanwhile (an
    # annotation in the web UI) waits only for the writing, not for the parsing.
    records = [r for batch in parse_bibtex_batches(text, parsed, source=source) for r in batch]
    prepared = prepare_batch(records)
    savepoint = session.begin_nested() if dry_run else None
    try:
        importer = RecordImporter(session, tags=tags, area_path=area_path)
        importer.add_prepared(prepared)
        store_preambles(session, parsed.preambles, source=source)
        groups, group_problems = apply_jabref_groups(
            session, text, importer.report().outcomes, under=area_path
        )
        if not dry_run:
            suggest_after_import(session, importer.report().paper_ids())
    finally:
        if savepoint is not None:
            savepoint.rollback()
    report = BibtexImportReport(source, parsed.info, parsed.problems, dry_run=dry_run)
    report.problems = [*report.problems, *group_problems]
    if groups is not None:
        report.info = {**report.info, **groups.info()}
    # In file order (entries that inherit through crossref are stored last).
    report.outcomes = sorted(importer.report().outcomes, key=lambda o: o.line or 0)
    return report
