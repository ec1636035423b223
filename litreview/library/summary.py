"""What a library holds, in a few counts (``litreview info``, ``serve``'s first line)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.models import Annotation, Area, Paper, Tag


@dataclass(frozen=True)
class LibrarySummary:
    papers: int
    annotated: int
    areas: int
    tags: int


def _count(session: Session, table: type[object], *where: sa.ColumnElement[bool]) -> int:
    stmt = sa.select(sa.func.count()).select_from(table).where(*where)
    return int(session.execute(stmt).scalar_one())


def library_summary(session: Session) -> LibrarySummary:
    """How many papers, annotations, areas and tags the library holds."""
    return LibrarySummary(
        papers=_count(session, Paper),
        annotated=_count(session, Annotation, col(Annotation.markdown) != ""),
        areas=_count(session, Area),
        tags=_count(session, Tag),
    )


def paper_count(session: Session) -> int:
    """How many papers the library holds."""
    return _count(session, Paper)
