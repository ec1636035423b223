"""Papers added, edited and deleted by hand; the import names are re-exported from here.

Imports go through ``library.importing`` (identity, merge and bulk insertion), but callers keep
one place to import from: ``from litreview.library.papers import import_records, Outcome``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from litreview.errors import Conflict, InvalidInput, NotFound
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.areas import add_paper_to_areas
from litreview.library.importing import import_records
from litreview.library.outcomes import ImportReport, Outcome, RecordOutcome
from litreview.library.papers_base import bump, check_version, get_paper
from litreview.library.people import replace_people
from litreview.library.reading import OWN_FIELDS, set_reading
from litreview.library.values import write_fields
from litreview.models import (
    KEPT_FIELDS,
    Area,
    AuthorRole,
    ColumnTarget,
    Paper,
    PaperBase,
    Provenance,
    ReadingStatus,
)
from litreview.normalize import (
    clean_citation_key,
    is_citation_key,
    normalize_doi,
    split_display_name,
    title_fingerprint,
    try_arxiv_id,
)

__all__ = [
    "ImportReport",
    "Outcome",
    "RecordOutcome",
    "create_paper",
    "delete_paper",
    "import_records",
    "update_paper",
]

# What an edit by hand may change: the fields of PaperBase, declared once.
EDITABLE = frozenset(PaperBase.model_fields)


MAX_RATING = 5


def create_paper(
    session: Session,
    record: PaperRecord,
    *,
    tags: Sequence[str] = (),
    area_path: str | None = None,
    area_ids: Sequence[int] = (),
    status: ReadingStatus | None = None,
    rating: int | None = None,
) -> int:
    """Add a paper by hand; its id. Conflict when it is the same paper as one already stored.

    The paper row is not read back (a caller that shows it reads its view)."""
    if record.key:
        _clean_field("key", record.key)
    for area_id in area_ids:
        if session.get(Area, area_id) is None:
            raise NotFound(f"no area with id {area_id}", field="area_ids")
    report = import_records(session, [record], tags=tags, area_path=area_path)
    outcome = report.outcomes[0]
    if outcome.status == Outcome.failed:
        raise InvalidInput(f"cannot add the paper: {outcome.message}", field="title")
    if outcome.status != Outcome.added:
        raise Conflict(
            f"this paper is already in the library as {outcome.key!r}",
            paper_id=outcome.paper_id,
            key=outcome.key,
        )
    assert outcome.paper_id is not None
    add_paper_to_areas(session, outcome.paper_id, area_ids)
    own: dict[str, Any] = {}
    if status is not None:
        own["status"] = ReadingStatus(status)
    if rating is not None:
        own["rating"] = _clean_field("rating", rating)
    if own:
        set_reading(session, get_paper(session, outcome.paper_id), own)
    session.flush()
    return outcome.paper_id


def update_paper(
    session: Session,
    paper_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    authors: Sequence[str] | None = None,
    fields: Mapping[str, Any] | None = None,
) -> Paper:
    """Apply edits made by a person; refuses a stale ``expected_version`` and changes nothing.

    ``fields`` sets values of one's own columns (by name; None clears one)."""
    paper = get_paper(session, paper_id)
    check_version(session, paper, expected_version)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    values = {name: _clean_field(name, value) for name, value in changes.items()}
    for name in ("key", "doi", "arxiv_id"):
        if values.get(name) and values[name] != getattr(paper, name):
            column = getattr(Paper, name)
            clash = session.exec(select(Paper.key).where(column == values[name])).first()
            if clash is not None:
                raise Conflict(
                    f"{name} {values[name]!r} is already used by paper {clash!r}", field=name
                )
    own = {name: values.pop(name) for name in OWN_FIELDS if name in values}
    paper_changed = set_reading(session, paper, own)
    for name, value in values.items():
        setattr(paper, name, value)
    if not (values or paper_changed or authors is not None or fields):
        session.flush()  # only the member's own marks changed: the paper is as it was
        return paper
    if "title" in values:
        paper.title_fp = title_fingerprint(paper.title)
    if authors is not None:
        people = [_person(name) for name in authors if name.strip()]
        replace_people(session, paper, AuthorRole.author, people)
    if fields:
        write_fields(session, ColumnTarget.paper, paper_id, fields)
    bump(session, paper)
    session.flush()
    return paper


def _person(name: str) -> AuthorRecord:
    split = split_display_name(name)
    return AuthorRecord(name=split.display, family=split.family, given=split.given)


def _clean_field(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip() or None
    if name in KEPT_FIELDS and not value:
        raise InvalidInput(f"{name} must not be empty", field=name)
    if name == "key" and not is_citation_key(value):
        raise InvalidInput(
            f"citation key {value!r} has characters BibTeX does not accept (spaces, commas,"
            f" braces, quotes, # % ' = \\ ~); e.g. {clean_citation_key(value)!r}",
            field="key",
        )
    if name == "doi" and value is not None:
        doi = normalize_doi(value)
        if doi is None:
            raise InvalidInput(f"not a DOI: {value!r}", field="doi")
        return doi
    if name == "arxiv_id" and value is not None:
        parsed = try_arxiv_id(value)
        if parsed is None:
            raise InvalidInput(f"not an arXiv identifier: {value!r}", field="arxiv_id")
        return parsed.id
    if name == "status":
        try:
            return ReadingStatus(value)
        except ValueError as exc:
            known = ", ".join(s.value for s in ReadingStatus)
            raise InvalidInput(
                f"unknown status {value!r} (known: {known})", field="status"
            ) from exc
    if (
        name == "rating"
        and value is not None
        and not (isinstance(value, int) and 0 <= value <= MAX_RATING)
    ):
        raise InvalidInput(f"rating must be a whole number from 0 to {MAX_RATING}", field="rating")
    if name == "year" and value is not None and not isinstance(value, int):
        raise InvalidInput("year must be a whole number", field="year")
    return value


def delete_paper(session: Session, paper_id: int, *, expected_version: int | None = None) -> None:
    """Delete a paper with its annotation, tags links, area links and relations."""
    paper = get_paper(session, paper_id)
    check_version(session, paper, expected_version)
    session.delete(paper)
    session.flush()


def list_provenance(session: Session, paper_id: int) -> list[Provenance]:
    """Where the paper's records came from (imports, merges), oldest first."""
    stmt = (
        select(Provenance)
        .where(Provenance.paper_id == paper_id)
        .order_by(col(Provenance.imported_at), col(Provenance.id))
    )
    return list(session.exec(stmt).all())
