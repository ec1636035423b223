"""The merge rule: what a second arrival of a stored paper may change.

It fills fields that are empty, updates the arXiv metadata when its version is newer, unions
tags and areas, and never overwrites what the user wrote (annotation, status, rating, areas).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.importers.records import PaperRecord
from litreview.library.attribution import acting_name
from litreview.library.identity import Matcher, Prepared
from litreview.library.outcomes import Outcome, RecordOutcome
from litreview.library.papers_base import bump
from litreview.library.people import (
    AuthorIds,
    author_names,
    has_people,
    replace_people,
)
from litreview.library.tags import clean_tags, ensure_tags
from litreview.models import (
    Annotation,
    AuthorRole,
    Paper,
    PaperArea,
    PaperTag,
    Provenance,
    SourceKind,
    utcnow,
)

# Fields a later arrival may fill when the stored paper has them empty.
FILLABLE = (
    "abstract",
    "year",
    "date",
    "venue",
    "url",
    "pdf_url",
    "journal_ref",
    "arxiv_comment",
    "published",
    "arxiv_updated",
    "primary_category",
)


# Fields a newer arXiv version replaces.
ARXIV_FIELDS = (
    "title",
    "abstract",
    "arxiv_version",
    "arxiv_updated",
    "arxiv_categories",
    "primary_category",
    "arxiv_comment",
    "pdf_url",
)


def provenance_row(session: Session, paper_id: int, record: PaperRecord) -> dict[str, Any]:
    """Where a paper's record came from (a row of ``provenance``), by the session's member."""
    columns = provenance_columns(session, [paper_id], [record], utcnow())
    return {name: values[0] for name, values in columns.items()}


def provenance_columns(
    session: Session, paper_ids: list[int], records: Sequence[PaperRecord], now: datetime
) -> dict[str, list[Any]]:
    """:func:`provenance_row` of many papers (``records``: each one's), column by column."""
    return {
        "paper_id": paper_ids,
        "source": [SourceKind(r.source).value for r in records],
        "detail": [r.source_detail for r in records],
        "arxiv_version": [
            r.arxiv_version if r.source == SourceKind.arxiv else None for r in records
        ],
        "imported_at": [now] * len(records),
        "created_by": [acting_name(session)] * len(records),
    }


def merge_into(
    session: Session,
    paper: Paper,
    p: Prepared,
    matcher: Matcher,
    extra_tags: Sequence[str],
    area_id: int | None,
    authors: AuthorIds | None = None,
) -> RecordOutcome:
    paper_id = paper.id
    assert paper_id is not None
    record = p.record
    changed: list[str] = []
    notes: list[str] = []
    newer = (
        record.source == SourceKind.arxiv
        and record.arxiv_version is not None
        and (paper.arxiv_version is None or record.arxiv_version > paper.arxiv_version)
        and (paper.arxiv_id is None or paper.arxiv_id == record.arxiv_id)
    )
    if newer:
        for name in ARXIV_FIELDS:
            value = getattr(record, name)
            if value not in (None, "", []) and getattr(paper, name) != value:
                setattr(paper, name, value)
                changed.append(name)
        if "title" in changed:
            paper.title_fp = p.fp
            paper.original = {k: v for k, v in paper.original.items() if k != "title"}
        if record.authors and paper.author_names != author_names(record.authors):
            replace_people(session, paper, AuthorRole.author, record.authors, authors)
            changed.append("authors")
    for name in FILLABLE:
        value = getattr(record, name)
        if value not in (None, "") and getattr(paper, name) in (None, ""):
            setattr(paper, name, value)
            changed.append(name)
    if record.arxiv_categories and not paper.arxiv_categories:
        paper.arxiv_categories = list(record.arxiv_categories)
        changed.append("arxiv_categories")
    for name, index in (("arxiv_id", matcher.by_arxiv), ("doi", matcher.by_doi)):
        value = getattr(record, name)
        if value and getattr(paper, name) is None:
            owner = index.get(value, paper_id)
            if owner not in (paper_id,) and owner > 0:
                notes.append(f"{name} {value} belongs to another paper; not copied")
                continue
            if _owned_elsewhere(session, name, value, paper_id):
                notes.append(f"{name} {value} belongs to another paper; not copied")
                continue
            setattr(paper, name, value)
            changed.append(name)
            if name == "arxiv_id" and paper.arxiv_version is None:
                paper.arxiv_version = record.arxiv_version
    for bag in ("extra", "original"):
        stored: dict[str, Any] = getattr(paper, bag)
        incoming = {
            k: v
            for k, v in getattr(record, bag).items()
            if k not in stored and not (k == "crossref" and str(v).strip() == paper.key)
        }
        if incoming:
            setattr(paper, bag, {**stored, **incoming})
            changed.append(bag)
    if (
        record.authors
        and not paper.author_names
        and not has_people(session, paper_id, AuthorRole.author)
    ):
        replace_people(session, paper, AuthorRole.author, record.authors, authors)
        changed.append("authors")
    if record.editors and not has_people(session, paper_id, AuthorRole.editor):
        replace_people(session, paper, AuthorRole.editor, record.editors, authors)
        changed.append("editors")
    changed += union_links(session, paper_id, [*record.tags, *extra_tags], area_id)
    if record.annotation and record.annotation.strip():
        existing = session.exec(select(Annotation).where(Annotation.paper_id == paper_id)).first()
        if existing is None or not existing.markdown.strip():
            if existing is None:
                existing = Annotation(paper_id=paper_id, arxiv_version=paper.arxiv_version)
            else:
                existing.version += 1
            existing.markdown = record.annotation
            existing.updated_at = utcnow()
            session.add(existing)
            changed.append("annotation")
    if changed:
        bump(session, paper)
        session.add(Provenance(**provenance_row(session, paper_id, record)))
        status = Outcome.updated if newer else Outcome.merged
    else:
        status = Outcome.unchanged
    session.flush()
    return RecordOutcome(
        p.index, status, record.title, paper_id, paper.key, "; ".join(notes), changed, record.line
    )


def _owned_elsewhere(session: Session, name: str, value: str, paper_id: int) -> bool:
    column = col(Paper.arxiv_id) if name == "arxiv_id" else col(Paper.doi)
    stmt = sa.select(col(Paper.id)).where(column == value, col(Paper.id) != paper_id)
    return session.execute(stmt).first() is not None


def union_links(
    session: Session, paper_id: int, tag_names: Sequence[str], area_id: int | None
) -> list[str]:
    changed = []
    names = clean_tags(tag_names)
    if names:
        ids = ensure_tags(session, names)
        have = set(session.exec(select(PaperTag.tag_id).where(PaperTag.paper_id == paper_id)).all())
        for tag_id in sorted(set(ids.values()) - have):
            session.add(PaperTag(paper_id=paper_id, tag_id=tag_id))
            changed.append("tags")
    if area_id is not None and session.get(PaperArea, (paper_id, area_id)) is None:
        session.add(PaperArea(paper_id=paper_id, area_id=area_id))
        changed.append("areas")
    return sorted(set(changed))
