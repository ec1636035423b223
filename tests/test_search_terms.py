"""The last word typed is searched for exactly when no longer indexed word starts with it.

Whichever way it is searched for, a search must find the same papers, in the same order, with
the same total as the prefix query: these tests compare against the prefix query run raw.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.importers.records import PaperRecord
from litreview.library.fts import BM25
from litreview.library.papers import delete_paper, import_records
from litreview.library.search import PaperQuery, fts_match, fts_query, search_paper_ids
from litreview.models import SourceKind

TITLES = [
    "Learning from human feedback",
    "Reward learning in practice",
    "Deep learning for robots",
    "A survey of learnability",
    "Models of the world",
    "Unlearning dangerous knowledge",
    "Agents that fizz and buzz",
    "Results for GPT 29",
    "Die Übersetzung von Belohnungen",
    "Snake_case identifiers in tokenizers",
]


def _record(title: str, n: int) -> PaperRecord:
    return PaperRecord(
        title=title,
        source=SourceKind.manual,
        abstract=f"Abstract {n}: learning and models, learning again." if n % 2 else None,
        year=2000 + n,
    )


@pytest.fixture
def library(engine: Engine) -> Engine:
    with Session(engine) as session:
        import_records(session, [_record(title, n) for n, title in enumerate(TITLES)])
        session.commit()
    return engine


def _match(engine: Engine, text: str) -> str | None:
    with Session(engine) as session:
        return fts_match(session, text)


def _prefix_ranking(engine: Engine, text: str) -> list[tuple[int, float]]:
    """Every paper the prefix query matches, best first, with its bm25 score."""
    match = fts_query(text)
    assert match is not None and match.endswith("*")
    return _ranking(engine, match)


def _ranking(engine: Engine, match: str) -> list[tuple[int, float]]:
    sql = (
        f"SELECT rowid, {BM25} AS score FROM paper_fts WHERE paper_fts MATCH :m "
        "ORDER BY score, rowid"
    )
    with engine.connect() as conn:
        return [(row.rowid, row.score) for row in conn.execute(sa.text(sql), {"m": match})]


def _searched(engine: Engine, text: str, **params: Any) -> tuple[list[int], int]:
    with Session(engine) as session:
        return search_paper_ids(session, PaperQuery(q=text, limit=50, **params))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "learning" is a word and no longer word starts with it ("unlearning" does not).
        ("learning", '"learning"'),
        ("reward LEARNING", '"reward" "LEARNING"'),
        # "learn" starts "learning" and "learnability"; "model" starts "models".
        ("learn", '"learn"*'),
        ("model", '"model"*'),
        # Not indexed at all: exact, and still nothing found.
        ("zebra", '"zebra"'),
        # Last letters and digits with nothing after them in the alphabet's order.
        ("fizz", '"fizz"'),
        ("29", '"29"'),
        ("2", '"2"*'),
        # Words whose indexed form is not plain lower case stay prefixes.
        ("Übersetzung", '"Übersetzung"*'),
        ("snake_case", '"snake_case"*'),
    ],
)
def test_the_last_word_is_exact_only_when_nothing_longer_is_indexed(
    library: Engine, text: str, expected: str
) -> None:
    assert _match(library, text) == expected


@pytest.mark.parametrize(
    "text", ["learning", "learn", "model", "models", "fizz", "29", "2", "Übersetzung", "zebra"]
)
def test_search_finds_what_the_prefix_query_finds(library: Engine, text: str) -> None:
    ranking = _prefix_ranking(library, text)
    assert _searched(library, text) == ([paper_id for paper_id, _ in ranking], len(ranking))
    if text in ("learning", "fizz", "29"):
        # Exact: the same scores too, not only the same order.
        assert _ranking(library, f'"{text}"') == ranking


def test_a_longer_word_added_later_is_found(library: Engine) -> None:
    assert _match(library, "learning") == '"learning"'
    with Session(library) as session:
        import_records(session, [_record("Learnings from a year of audits", 99)])
        session.commit()
    assert _match(library, "learning") == '"learning"*'
    ids, total = _searched(library, "learning")
    titles = _titles(library, ids)
    assert "Learnings from a year of audits" in titles
    assert total == len(_prefix_ranking(library, "learning")) == len(ids)
    # Once that paper is gone, the word is exact again and the paper is not found.
    with Session(library) as session:
        delete_paper(session, ids[titles.index("Learnings from a year of audits")])
        session.commit()
    assert _match(library, "learning") == '"learning"'
    ids, total = _searched(library, "learning")
    assert "Learnings from a year of audits" not in _titles(library, ids)


def _titles(engine: Engine, ids: list[int]) -> list[str]:
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, title FROM paper")).all())
    return [rows[i] for i in ids]
