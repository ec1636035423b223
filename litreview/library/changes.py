"""A stamp of the library's state, for live updates: it changes whenever a paper, annotation,
note or area is added, changed or removed (by any process writing to the database)."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.models import Annotation, Area, Paper, PaperNote


def library_stamp(session: Session) -> str:
    """Counts and newest edit times of papers, annotations and notes, and the areas' versions,
    in one statement (each an index lookup or a count), hashed to a short text."""
    parts = [
        sa.select(sa.func.count()).select_from(Paper),
        sa.select(sa.func.max(col(Paper.updated_at))),
        sa.select(sa.func.max(col(Annotation.updated_at))),
        sa.select(sa.func.count()).select_from(PaperNote),
        sa.select(sa.func.max(col(PaperNote.updated_at))),
        sa.select(sa.func.count(), sa.func.sum(col(Area.version))).select_from(Area),
    ]
    row = session.execute(sa.select(*[p.scalar_subquery() for p in parts[:-1]])).one()
    areas = session.execute(parts[-1]).one()
    text = repr((tuple(row), tuple(areas)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
