"""Lookups and version bumps of single papers, shared by every library module."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from litreview.errors import Conflict, NotFound
from litreview.models import Paper, PaperAlias, utcnow


def get_paper(session: Session, paper_id: int) -> Paper:
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound(f"no paper with id {paper_id}", paper_id=paper_id)
    return paper


def get_paper_by_key(session: Session, key: str) -> Paper:
    """The paper with this citation key, or with it as an alias (a key merged into it)."""
    paper = session.exec(select(Paper).where(Paper.key == key)).first()
    if paper is None:
        alias = session.get(PaperAlias, key)
        paper = session.get(Paper, alias.paper_id) if alias is not None else None
    if paper is None:
        raise NotFound(f"no paper with key {key!r}", key=key)
    return paper


def check_version(session: Session, paper: Paper, expected: int | None) -> None:
    """Refuse a write made against an older version of the paper (None: no check asked).

    The check is also a guarded write (``UPDATE .. WHERE version = expected``): it takes the
    row's write lock for this transaction, so no other writer can slip in between the check
    and the change (two tabs saving at the same instant: one wins, the other gets a Conflict).
    """
    if expected is not None and (
        expected != paper.version or not claim_row_version(session, Paper, paper.id, expected)
    ):
        session.refresh(paper)
        raise Conflict(
            f"paper {paper.key!r} changed since version {expected} (now version {paper.version});"
            " reload it and apply your change again",
            paper_id=paper.id,
            expected_version=expected,
            current_version=paper.version,
        )


def claim_row_version(
    session: Session, model: Any, row_id: int | None, expected: int | None
) -> bool:
    """Take the row's write lock for this transaction; True when it is at ``expected``.

    With ``expected`` None the row is locked whatever its version (True when it exists).
    """
    table = model.__table__
    condition = table.c.id == row_id
    if expected is not None:
        condition = condition & (table.c.version == expected)
    result = session.execute(
        sa.update(table)
        .where(condition)
        .values(version=table.c.version)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def bump(session: Session, paper: Paper) -> None:
    """Record that the paper changed: a new version and timestamp."""
    paper.version += 1
    paper.updated_at = utcnow()
    session.add(paper)
