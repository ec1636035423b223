"""Bulk inserts: what a multi-row INSERT writes is what it was given, whether a column's values
in a statement are bound or written NULL (a column empty in all of a statement's rows)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from litreview.library.bulk import ROWS_PER_STATEMENT, insert_and_read_ids, insert_columns
from litreview.models import Paper, ReadingStatus, utcnow

pytestmark = pytest.mark.both_dialects
PAPER = Paper.__table__  # type: ignore[attr-defined]


def _papers(count: int, **columns: list[Any]) -> dict[str, list[Any]]:
    now = utcnow()
    return {
        "key": [f"paper{i}" for i in range(count)],
        "entry_type": ["article"] * count,
        "title": [f"Title {i}" for i in range(count)],
        "title_fp": [f"title {i}" for i in range(count)],
        "author_names": [""] * count,
        "arxiv_categories": [[]] * count,
        "extra": [{}] * count,
        "original": [{}] * count,
        "status": [ReadingStatus.unread.value] * count,
        "created_at": [now] * count,
        "updated_at": [now] * count,
        "version": [1] * count,
        **columns,
    }


def _stored(session: Session, *names: str) -> list[tuple[Any, ...]]:
    stmt = sa.select(*[PAPER.c[n] for n in names]).order_by(PAPER.c.id)
    return [tuple(row) for row in session.execute(stmt)]


def test_columns_empty_in_some_statements_only(session: Session) -> None:
    # No abstract in the first statement's rows, some in the second's, one in each of the last's.
    count = ROWS_PER_STATEMENT * 2 + 7
    abstracts: list[str | None] = [None] * ROWS_PER_STATEMENT
    abstracts += [f"Abstract {i}" if i % 3 else None for i in range(ROWS_PER_STATEMENT)]
    abstracts += [f"Last {i}" for i in range(7)]
    values = _papers(count, abstract=abstracts, doi=[None] * count)
    insert_columns(session, Paper, values)
    assert _stored(session, "key", "abstract", "doi", "version") == list(
        zip(values["key"], abstracts, [None] * count, [1] * count, strict=True)
    )


@pytest.mark.parametrize("count", [3, ROWS_PER_STATEMENT + 1])
def test_ids_read_back_with_empty_columns(session: Session, count: int) -> None:
    """A few papers come back from RETURNING (SQLite), many from a read after the insert."""
    years = [None] * (count - 1) + [2020]
    values = _papers(count, doi=[None] * count, year=years)
    ids = insert_and_read_ids(session, Paper, values, PAPER.c.key, PAPER.c.id)
    assert sorted(ids) == sorted(values["key"])
    assert _stored(session, "id", "key", "doi", "year") == [
        (ids[key], key, None, year) for key, year in zip(values["key"], years, strict=True)
    ]
