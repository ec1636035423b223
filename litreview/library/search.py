"""Finding papers: full text (FTS5, ranked by bm25) combined with filters, sorted and paged.

User text never reaches MATCH as syntax: it is cut into words and each word is quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.library.areas import find_area_path, subtree_ids
from litreview.models import Annotation, Author, Paper, PaperArea, PaperAuthor, PaperTag, Tag

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_LIMIT = 500
# The FTS5 table is owned by the migrations, not by the models.
PAPER_FTS = sa.table("paper_fts", sa.column("rowid", sa.Integer))


class SortKey(Enum):
    relevance = "relevance"
    year = "year"
    added = "added"
    updated = "updated"
    title = "title"
    rating = "rating"


# Natural direction of each sort when none is asked for: newest, best, A to Z.
DESCENDING_BY_DEFAULT = {
    SortKey.relevance,
    SortKey.year,
    SortKey.added,
    SortKey.updated,
    SortKey.rating,
}


@dataclass
class PaperQuery:
    """Filters of a paper search; every one optional."""

    q: str | None = None
    tags: list[str] = field(default_factory=list)
    area_id: int | None = None
    area_path: str | None = None
    status: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    author: str | None = None
    has_annotation: bool | None = None
    sort: SortKey | None = None
    descending: bool | None = None
    limit: int = 50
    offset: int = 0


def fts_query(text: str | None) -> str | None:
    """A safe FTS5 query for what a user typed: every word quoted, the last one a prefix."""
    if not text:
        return None
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words[:32]]
    quoted[-1] += "*"
    return " ".join(quoted)


def _filtered(session: Session, query: PaperQuery) -> tuple[sa.Select[Any], str | None]:
    paper_id = col(Paper.id)
    stmt = sa.select(paper_id)
    match = fts_query(query.q)
    if match:
        stmt = stmt.join(PAPER_FTS, PAPER_FTS.c.rowid == paper_id).where(
            sa.text("paper_fts MATCH :match").bindparams(match=match)
        )
    for tag in query.tags:
        tagged = (
            sa.select(col(PaperTag.paper_id))
            .join(Tag, col(Tag.id) == col(PaperTag.tag_id))
            .where(col(Tag.name) == " ".join(tag.split()))
        )
        stmt = stmt.where(paper_id.in_(tagged))
    area_ids: set[int] = set()
    if query.area_id is not None:
        area_ids = subtree_ids(session, query.area_id)
    elif query.area_path:
        found = find_area_path(session, query.area_path)
        assert found.id is not None
        area_ids = subtree_ids(session, found.id)
    if query.area_id is not None or query.area_path:
        stmt = stmt.where(
            paper_id.in_(
                sa.select(col(PaperArea.paper_id)).where(col(PaperArea.area_id).in_(area_ids))
            )
        )
    if query.status:
        stmt = stmt.where(col(Paper.status) == query.status)
    if query.year_min is not None:
        stmt = stmt.where(col(Paper.year) >= query.year_min)
    if query.year_max is not None:
        stmt = stmt.where(col(Paper.year) <= query.year_max)
    if query.author and query.author.strip():
        needle = f"%{_escape_like(' '.join(query.author.split()))}%"
        by_author = (
            sa.select(col(PaperAuthor.paper_id))
            .join(Author, col(Author.id) == col(PaperAuthor.author_id))
            .where(col(Author.name).ilike(needle, escape="\\"))
        )
        stmt = stmt.where(paper_id.in_(by_author))
    if query.has_annotation is not None:
        annotated = sa.select(col(Annotation.paper_id)).where(col(Annotation.markdown) != "")
        stmt = stmt.where(
            paper_id.in_(annotated) if query.has_annotation else paper_id.not_in(annotated)
        )
    return stmt, match


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_paper_ids(session: Session, query: PaperQuery) -> tuple[list[int], int]:
    """Ids of one page of matching papers, in order, and the total number of matches."""
    stmt, match = _filtered(session, query)
    total = session.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    sort = query.sort or (SortKey.relevance if match else SortKey.added)
    if sort == SortKey.relevance and not match:
        sort = SortKey.added
    descending = query.descending if query.descending is not None else sort in DESCENDING_BY_DEFAULT
    columns: dict[SortKey, Any] = {
        SortKey.relevance: sa.literal_column("-bm25(paper_fts, 10.0, 2.0, 5.0, 3.0)"),
        SortKey.year: col(Paper.year),
        SortKey.added: col(Paper.created_at),
        SortKey.updated: col(Paper.updated_at),
        SortKey.title: sa.func.lower(col(Paper.title)),
        SortKey.rating: col(Paper.rating),
    }
    key = columns[sort]
    ordered = key.desc().nulls_last() if descending else key.asc().nulls_last()
    tie = col(Paper.id).desc() if descending else col(Paper.id).asc()
    limit = max(0, min(query.limit, MAX_LIMIT))
    page = stmt.order_by(ordered, tie).limit(limit).offset(max(0, query.offset))
    return [row[0] for row in session.execute(page)], total


def all_matching_ids(session: Session, query: PaperQuery) -> list[int]:
    """Ids of every paper matching the filters, unpaged, in id order (exports, bulk actions)."""
    stmt, _match = _filtered(session, query)
    return [row[0] for row in session.execute(stmt.order_by(col(Paper.id)))]
