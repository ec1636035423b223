"""The full-text index (SQLite FTS5, owned by the migrations) during bulk imports.

Triggers keep ``paper_fts`` in step with single writes. For thousands of new papers it is
about twice as fast to pause the insert trigger and index them in one statement.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import Session

CHUNK = 500
_INSERT = "INSERT INTO paper_fts (rowid, title, abstract, authors, annotation) "
# A new paper's text. It has no notes yet (a note needs its paper); an existing paper's notes
# reach the "annotation" column through the triggers of migration 0004.
_NEW_TEXT = (
    "SELECT p.id, p.title, coalesce(p.abstract, ''), p.author_names, coalesce(a.markdown, '') "
    "FROM paper AS p LEFT JOIN annotation AS a ON a.paper_id = p.id"
)


def has_fts(session: Session) -> bool:
    return session.connection().dialect.name == "sqlite"


@contextmanager
def bulk_indexing(session: Session, paper_ids: list[int]) -> Iterator[list[int]]:
    """Pause the paper insert trigger; on exit, index the new papers whose ids were appended.

    The pause is a row in ``paper_fts_pause`` written inside the caller's transaction, so no
    other connection ever sees it, and it is removed even when the import fails.
    """
    if not has_fts(session):
        yield paper_ids
        return
    session.execute(sa.text("INSERT INTO paper_fts_pause (id) VALUES (1)"))
    try:
        yield paper_ids
    finally:
        session.execute(sa.text("DELETE FROM paper_fts_pause"))
    index_new_papers(session, paper_ids)


def index_new_papers(session: Session, paper_ids: Sequence[int]) -> None:
    """Index papers that have no full-text row yet: in one statement when their ids are a run."""
    if not paper_ids:
        return
    low, high = min(paper_ids), max(paper_ids)
    if high - low + 1 != len(set(paper_ids)):
        _index(session, paper_ids)
        return
    session.execute(
        sa.text(f"{_INSERT}{_NEW_TEXT} WHERE p.id BETWEEN :low AND :high"),
        {"low": low, "high": high},
    )


def _index(session: Session, paper_ids: Sequence[int]) -> None:
    for start in range(0, len(paper_ids), CHUNK):
        chunk = list(paper_ids[start : start + CHUNK])
        params = {f"p{i}": pid for i, pid in enumerate(chunk)}
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        session.execute(sa.text(f"{_INSERT}{_NEW_TEXT} WHERE p.id IN ({marks})"), params)
