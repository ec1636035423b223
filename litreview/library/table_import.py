"""Import a spreadsheet (CSV, XLSX): records by the identity and merge rule of every importer,
then each row's areas, notes and column values, in the caller's one transaction.

Columns of one's own are made for unmapped headers (with the inferred type, reported). A value
that does not fit its column is reported with its row and column and left out; the row's paper
is stored all the same. A merge fills what is empty and never overwrites what the user wrote
(status, rating, column values). A dry run stores in a savepoint and rolls it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.errors import ImportFailed, InvalidInput
from litreview.importers.records import Problem
from litreview.importers.table import TableImport, TableRow, Target, parse_table
from litreview.library.areas import ensure_area_paths, split_area_path
from litreview.library.attribution import acting_name
from litreview.library.bibtex import BibtexImportReport, unreadable_file
from litreview.library.bulk import chunks, insert_columns
from litreview.library.column_edits import create_column
from litreview.library.columns import list_columns
from litreview.library.fts import paused_indexing
from litreview.library.identity import base_key
from litreview.library.importing import RecordImporter
from litreview.library.outcomes import ImportReport, Outcome, RecordOutcome
from litreview.library.reading import UNMARKED, readings, set_readings
from litreview.library.suggestions import suggest_after_import
from litreview.library.values import Stored, clean_value, recompute, store_values
from litreview.models import (
    ColumnTarget,
    CustomColumn,
    Paper,
    PaperArea,
    PaperNote,
    PaperValue,
    ReadingStatus,
    utcnow,
)

TableImportReport = BibtexImportReport
_STATUSES = {s.value for s in ReadingStatus}


def import_table(
    session: Session,
    data: bytes,
    *,
    source: str,
    mapping: dict[str, Target] | None = None,
    tags: Sequence[str] = (),
    area_path: str | None = None,
    dry_run: bool = False,
) -> TableImportReport:
    """Parse the spreadsheet and store its rows; a file that cannot be read as one (or has no
    title column) is a report with no rows and that failure."""
    if area_path is not None:
        split_area_path(area_path)
    existing = {c.name: c.type for c in list_columns(session, ColumnTarget.paper)}
    try:
        table = parse_table(data, source, mapping=mapping, existing=existing)
    except ImportFailed as error:
        return unreadable_file(source, error, dry_run=dry_run)
    savepoint = session.begin_nested() if dry_run else None
    try:
        outcomes, problems = _store(session, table, tags, area_path)
    finally:
        if savepoint is not None:
            savepoint.rollback()
    info: dict[str, Any] = {
        "rows": len(table.rows),
        "mapping": {header: target.describe() for header, target in table.mapping.items()},
        "new_columns": {c.name: c.type.value for c in table.columns},
    }
    report = TableImportReport(source, info, [*table.problems, *problems], dry_run=dry_run)
    report.outcomes = outcomes
    if not dry_run:
        suggest_after_import(session, ImportReport(outcomes).paper_ids())
    return report


def _store(
    session: Session, table: TableImport, tags: Sequence[str], area_path: str | None
) -> tuple[list[RecordOutcome], list[Problem]]:
    columns = {c.name: c for c in list_columns(session, ColumnTarget.paper)}
    for inferred in table.columns:
        columns[inferred.name] = create_column(
            session, name=inferred.name, type=inferred.type, options=inferred.options
        )
    importer = RecordImporter(session, tags=tags, area_path=area_path)
    for row in table.rows:
        # A row without a key asks for the key made from it, as a key-less BibTeX entry does,
        # so that importing the sheet again finds its papers (same key, same title).
        row.record.key = row.record.key or base_key(row.record)
    problems: list[Problem] = []
    # Each paper is indexed once, with its notes and text values, when all is written.
    with paused_indexing(session) as pause:
        importer.add([row.record for row in table.rows])
        outcomes = importer.report().outcomes
        stored = [
            (row, o)
            for row, o in zip(table.rows, outcomes, strict=True)
            if o.paper_id is not None and o.status != Outcome.failed
        ]
        pause.changed.extend(o.paper_id for _, o in stored if o.paper_id is not None)
        _place_in_areas(session, stored, area_path is not None)
        _add_notes(session, stored)
        _set_status_and_rating(session, stored, problems, table.source)
        _set_values(session, stored, columns, problems, table.source)
    return outcomes, problems


def _place_in_areas(
    session: Session, stored: list[tuple[TableRow, RecordOutcome]], given_area: bool
) -> None:
    area_ids = ensure_area_paths(session, (path for row, _ in stored for path in row.areas))
    wanted: set[tuple[int, int]] = set()
    for row, outcome in stored:
        for path in row.areas:
            assert outcome.paper_id is not None
            wanted.add((outcome.paper_id, area_ids[path]))
    if not wanted:
        return
    # The papers just added hold no area but the one given to the whole import (--area).
    held = {o.paper_id for _, o in stored if o.paper_id} if given_area else _merged(stored)
    have = _pairs_of(session, PaperArea.paper_id, PaperArea.area_id, held)
    pairs = sorted(wanted - have)
    columns = {"paper_id": [p for p, _ in pairs], "area_id": [a for _, a in pairs]}
    insert_columns(session, PaperArea, {**columns, "note": [""] * len(pairs)})


def _merged(stored: list[tuple[TableRow, RecordOutcome]]) -> set[int]:
    """The papers the rows merged into: only these held areas, notes or values before (a paper
    just added holds what this import gives it)."""
    return {o.paper_id for _, o in stored if o.status != Outcome.added and o.paper_id}


def _pairs_of(session: Session, paper: Any, other: Any, papers: set[int]) -> set[tuple[int, int]]:
    """The (paper, other) pairs a link table holds for these papers."""
    found: set[tuple[int, int]] = set()
    for chunk in chunks(sorted(papers)):
        stmt = sa.select(col(paper), col(other)).where(col(paper).in_(chunk))
        found.update((a, b) for a, b in session.execute(stmt))
    return found


def _add_notes(session: Session, stored: list[tuple[TableRow, RecordOutcome]]) -> None:
    """Each row's notes after the paper's others; a note already there (a re-import) is kept
    once."""
    if not any(row.notes for row, _ in stored):
        return
    papers = sorted(_merged(stored))
    have: dict[int, list[tuple[str, str]]] = {}
    for start in range(0, len(papers), 500):
        rows = session.execute(
            sa.select(col(PaperNote.paper_id), col(PaperNote.kind), col(PaperNote.markdown)).where(
                col(PaperNote.paper_id).in_(papers[start : start + 500])
            )
        )
        for paper_id, kind, markdown in rows:
            have.setdefault(paper_id, []).append((str(kind), markdown))
    noted: list[int] = []
    kinds: list[str] = []
    texts: list[str] = []
    positions: list[int] = []
    for row, outcome in stored:
        assert outcome.paper_id is not None
        notes = have.setdefault(outcome.paper_id, [])
        for kind, text in row.notes:
            if (kind.value, text) not in notes:
                noted.append(outcome.paper_id)
                kinds.append(kind.value)
                texts.append(text)
                positions.append(len(notes))
                notes.append((kind.value, text))
    count, now, by = len(noted), utcnow(), acting_name(session)
    # Column by column (no dict a note: a sheet's column of opinions is thousands).
    columns: dict[str, list[Any]] = {
        "paper_id": noted,
        "kind": kinds,
        "markdown": texts,
        "location": [""] * count,
        "position": positions,
        "version": [1] * count,
        "created_at": [now] * count,
        "updated_at": [now] * count,
        "created_by": [by] * count,
        "edited_by": [by] * count,
    }
    insert_columns(session, PaperNote, columns)


def _set_status_and_rating(
    session: Session,
    stored: list[tuple[TableRow, RecordOutcome]],
    problems: list[Problem],
    source: str,
) -> None:
    """Each row's status and rating where its paper has none yet (the reader's own on a shared
    library: library.reading), written for all the rows at once."""
    marked = [
        (row, o.paper_id) for row, o in stored if row.status is not None or row.rating is not None
    ]
    ids = sorted({paper_id for _, paper_id in marked if paper_id is not None})
    current = readings(session, ids)
    if current is None:
        current = {}
        for chunk in chunks(ids):
            stmt = sa.select(col(Paper.id), col(Paper.status), col(Paper.rating))
            current.update(
                (pid, (ReadingStatus(s), r))
                for pid, s, r in session.execute(stmt.where(col(Paper.id).in_(chunk)))
            )
    known = ", ".join(s.value for s in ReadingStatus)
    marks: dict[int, dict[str, Any]] = {}
    for row, paper_id in marked:
        assert paper_id is not None
        status, rating = current.get(paper_id, UNMARKED)
        values = marks.setdefault(paper_id, {})
        if row.status is not None and status == ReadingStatus.unread:
            text = row.status.strip().lower().replace(" ", "_")
            if text in _STATUSES:
                values["status"] = status = ReadingStatus(text)
            else:
                problems.append(
                    Problem(f"status {row.status!r} is not one of {known}", source, row.row)
                )
        if row.rating is not None and rating is None:
            text = row.rating.strip()
            if text.isdigit() and 0 <= int(text) <= 5:
                values["rating"] = rating = int(text)
            else:
                problems.append(
                    Problem(f"rating {text!r} is not a whole number 0-5", source, row.row)
                )
        # A later row of the same paper (merged into it) finds these marks taken.
        current[paper_id] = (status, rating)
    set_readings(session, {p: v for p, v in marks.items() if v})


def _set_values(
    session: Session,
    stored: list[tuple[TableRow, RecordOutcome]],
    columns: dict[str, CustomColumn],
    problems: list[Problem],
    source: str,
) -> None:
    """Fill the rows' column values; a value already held by the paper is never overwritten.

    A sheet repeats its values (a summarizer, an issue number, a yes): each distinct cell of a
    column is cleaned once, and its stored form (or its problem) shared by the rows holding it.
    """
    held = _pairs_of(session, PaperValue.paper_id, PaperValue.column_id, _merged(stored))
    values: list[tuple[int, CustomColumn, Stored | None]] = []
    seen: set[tuple[int, int]] = set()
    ids: dict[str, int] = {}
    for name, column in columns.items():
        assert column.id is not None
        ids[name] = column.id
    cleaned: dict[tuple[str, Any], Stored | InvalidInput | None] = {}
    for row, outcome in stored:
        assert outcome.paper_id is not None
        for name, raw in row.fields.items():
            slot = (outcome.paper_id, ids[name])
            if slot in held or slot in seen:
                continue
            cell = (name, raw)
            if cell in cleaned:
                value = cleaned[cell]
            else:
                try:
                    value = cleaned[cell] = clean_value(columns[name], raw)
                except InvalidInput as exc:
                    value = cleaned[cell] = exc
            if isinstance(value, InvalidInput):
                problems.append(Problem(value.message, source, row.row))
            elif value is not None:
                seen.add(slot)
                values.append((outcome.paper_id, columns[name], value))
    store_values(session, ColumnTarget.paper, values, replace=False)
    if any(c.formula for c in columns.values()):
        recompute(session, ColumnTarget.paper, sorted({p for p, _ in seen}))
