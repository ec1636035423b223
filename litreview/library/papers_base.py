"""Lookups and version bumps of single papers, shared by every library module."""

from __future__ import annotations

from sqlmodel import Session, select

from litreview.errors import Conflict, NotFound
from litreview.models import Paper, utcnow


def get_paper(session: Session, paper_id: int) -> Paper:
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound(f"no paper with id {paper_id}", paper_id=paper_id)
    return paper


def get_paper_by_key(session: Session, key: str) -> Paper:
    paper = session.exec(select(Paper).where(Paper.key == key)).first()
    if paper is None:
        raise NotFound(f"no paper with key {key!r}", key=key)
    return paper


def check_version(paper: Paper, expected: int | None) -> None:
    """Refuse a write made against an older version of the paper (None: no check asked)."""
    if expected is not None and expected != paper.version:
        raise Conflict(
            f"paper {paper.key!r} changed since version {expected} (now version {paper.version});"
            " reload it and apply your change again",
            paper_id=paper.id,
            expected_version=expected,
            current_version=paper.version,
        )


def bump(session: Session, paper: Paper) -> None:
    """Record that the paper changed: a new version and timestamp."""
    paper.version += 1
    paper.updated_at = utcnow()
    session.add(paper)
