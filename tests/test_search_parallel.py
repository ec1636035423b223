"""Relevance ranking in rowid shards at the same time gives exactly the one-statement answer.

Thresholds are lowered so a few hundred papers take the parallel path; the process is told it
has three cores, so each search runs three shards (two on helper threads), whatever the machine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library import parallel, search
from litreview.library.papers import import_records
from litreview.library.search import PaperQuery, search_paper_ids
from litreview.models import SourceKind, Tag
from tests.test_search import HOSTILE

PAPERS = 240
# Abstracts repeat, so papers whose titles hold none of the words searched for score the same.
ABSTRACTS = [
    "A reward model learned from human preferences, then optimised against.",
    "Policy learning under distribution shift, with reward hacking and safety failures.",
    "Interpretability of learning dynamics in a small model.",
    "Values, preferences and the reward model: a survey of learning from feedback.",
    "Robust agents: safety without a reward.",
]
WORDS = ["reward", "model", "learning", "safety", "agents", "preferences", "values"]
AUTHORS = [
    AuthorRecord("Ann Example", "Example", "Ann"),
    AuthorRecord("Bob Sample", "Sample", "Bob"),
]


def _record(n: int) -> PaperRecord:
    # Most titles are two tokens with no searched word (ties); every seventh names one.
    title = f"Paper {n}" if n % 7 else f"Paper {n} on {WORDS[n % len(WORDS)]} {n % 3}"
    return PaperRecord(
        title=title,
        source=SourceKind.manual,
        abstract=ABSTRACTS[n % len(ABSTRACTS)],
        year=2000 + n % 20,
        authors=[AUTHORS[n % 2]],
        tags=["even" if n % 2 == 0 else "odd", *(["third"] if n % 3 == 0 else [])],
        annotation="Reward learning, annotated." if n % 4 == 0 else None,
    )


@pytest.fixture
def library(engine: Engine) -> Engine:
    """``PAPERS`` committed papers, in two areas, a quarter of them read."""
    with Session(engine) as session:
        records = [_record(n) for n in range(PAPERS)]
        import_records(session, records[::2], area_path="Alignment/Reward")
        import_records(session, records[1::2], area_path="Capabilities")
        session.execute(sa.text("UPDATE paper SET status = 'read' WHERE id % 4 = 0"))
        session.commit()
    return engine


@pytest.fixture
def three_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "usable_cores", lambda: 3)
    monkeypatch.setattr(search, "PARALLEL_MATCHES", 1)


@pytest.fixture
def statements(library: Engine) -> Iterator[list[tuple[str, str, Any]]]:
    """(thread name, SQL, DBAPI connection) of every statement run on the library's engine."""
    seen: list[tuple[str, str, Any]] = []

    def listen(conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append((threading.current_thread().name, sql, conn.connection.driver_connection))

    sa.event.listen(library, "before_cursor_execute", listen)
    yield seen
    sa.event.remove(library, "before_cursor_execute", listen)


def _checked_out(engine: Engine) -> int:
    assert isinstance(engine.pool, sa.QueuePool)
    return engine.pool.checkedout()


def _is_shard(sql: str) -> bool:
    return "bm25" in sql and ("paper_fts.rowid >=" in sql or "paper_fts.rowid <" in sql)


def _search(engine: Engine, query: PaperQuery) -> tuple[list[int], int]:
    with Session(engine) as session:
        return search_paper_ids(session, query)


def _single(engine: Engine, query: PaperQuery, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(search, "PARALLEL_MATCHES", 10**9)
        return _search(engine, query)


QUERIES = [
    PaperQuery(q="reward"),
    PaperQuery(q="learning model"),
    PaperQuery(q="pref"),  # a prefix
    PaperQuery(q="safety", descending=False),  # worst first
    PaperQuery(q="reward", tags=["even"]),
    PaperQuery(q="reward", tags=["odd", "third"]),
    PaperQuery(q="learning", year_min=2005, year_max=2012),
    PaperQuery(q="reward", area_path="Alignment"),
    PaperQuery(q="model", author="sample"),
    PaperQuery(q="reward", has_annotation=True),
    PaperQuery(q="learning", has_annotation=False, status="read"),
    PaperQuery(q="values", tags=["nothing such"]),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: repr(q)[:60])
def test_shards_give_the_single_statement_answer(
    library: Engine,
    three_cores: None,
    statements: list[tuple[str, str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    query: PaperQuery,
) -> None:
    whole = _single(library, PaperQuery(**{**vars(query), "limit": 500}), monkeypatch)[0]
    for offset in (0, 1, 6, 49, 50, 97, len(whole) - 3, len(whole), len(whole) + 5):
        for limit in (1, 7, 50):
            page = PaperQuery(**{**vars(query), "offset": max(0, offset), "limit": limit})
            statements.clear()
            answer = _search(library, page)
            assert answer == _single(library, page, monkeypatch), (offset, limit)
            assert answer[0] == whole[max(0, offset) : max(0, offset) + limit]
            # Three shards ran: every query's words match (before its filters).
            assert sum(_is_shard(sql) for _, sql, _ in statements) == 3


def test_ties_are_broken_by_id_across_shards(library: Engine, three_cores: None) -> None:
    with library.connect() as conn:
        scores = conn.execute(
            sa.text(
                f"SELECT {search.BM25} FROM paper_fts WHERE paper_fts MATCH '\"reward\"' ORDER BY 1"
            )
        ).scalars()
        listed = list(scores)
    assert len(set(listed)) < len(listed) / 10  # mostly ties
    ids, total = _search(library, PaperQuery(q="reward", limit=500))
    assert total == len(listed) == len(ids)
    for offset in range(0, total, 13):  # pages cutting through tied groups
        page = _search(library, PaperQuery(q="reward", offset=offset, limit=13))
        assert page == (ids[offset : offset + 13], total)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_shards(
    library: Engine, three_cores: None, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    for query in (PaperQuery(q=text), PaperQuery(q=f"{text} reward", tags=["even"])):
        assert _search(library, query) == _single(library, query, monkeypatch)


def test_shards_run_at_the_same_time_on_their_own_connections(
    library: Engine, three_cores: None
) -> None:
    helper_began = threading.Event()
    overlapped: list[bool] = []
    connections: dict[str, set[int]] = {}

    def listen(conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if not _is_shard(sql):
            return
        thread = threading.current_thread()
        connections.setdefault(thread.name, set()).add(id(conn.connection.driver_connection))
        if thread is threading.main_thread():
            # The caller's own shard waits until a helper's shard is under way.
            overlapped.append(helper_began.wait(timeout=30))
        else:
            helper_began.set()

    sa.event.listen(library, "before_cursor_execute", listen)
    try:
        ids, total = _search(library, PaperQuery(q="reward"))
    finally:
        sa.event.remove(library, "before_cursor_execute", listen)
    # (Under load the caller may also run a shard no helper had begun yet.)
    assert overlapped and all(overlapped)
    assert len(ids) == 50 and total > 50
    mine = connections.pop(threading.main_thread().name)
    assert connections and all(theirs.isdisjoint(mine) for theirs in connections.values())
    assert _checked_out(library) == 0


def test_a_failing_shard_fails_the_search_and_leaks_nothing(
    library: Engine, three_cores: None, statements: list[tuple[str, str, Any]]
) -> None:
    helper_began = threading.Event()

    def fail_in_helpers(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if not _is_shard(sql):
            return
        if threading.current_thread() is threading.main_thread():
            # Shards of a few papers are quick: the caller would run them all itself.
            assert helper_began.wait(timeout=30)
        else:
            helper_began.set()
            raise RuntimeError("shard failed")

    sa.event.listen(library, "before_cursor_execute", fail_in_helpers)
    try:
        with pytest.raises(RuntimeError, match="shard failed"):
            _search(library, PaperQuery(q="reward", tags=["even"]))
    finally:
        sa.event.remove(library, "before_cursor_execute", fail_in_helpers)
    assert _checked_out(library) == 0
    # The helpers are free again: the next search runs its shards.
    statements.clear()
    assert _search(library, PaperQuery(q="reward"))[1] > 50
    assert sum(_is_shard(sql) for _, sql, _ in statements) == 3


class IdleThreads:
    """A stand-in for the helpers' thread pool whose threads never get round to anything."""

    def __init__(self) -> None:
        self.late: list[Callable[[], None]] = []

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        self.late.append(lambda: fn(*args))


def test_shards_no_helper_has_begun_are_run_by_the_caller(
    library: Engine,
    three_cores: None,
    statements: list[tuple[str, str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    idle = IdleThreads()
    monkeypatch.setattr(parallel, "_threads", lambda: idle)
    for query in QUERIES[:5]:
        statements.clear()
        assert _search(library, query) == _single(library, query, monkeypatch)
        shards = [name for name, sql, _ in statements if _is_shard(sql)]
        assert shards == [threading.current_thread().name] * 3
    # Pool threads that begin after the search find nothing left to do: no connection taken.
    checkouts: list[object] = []
    sa.event.listen(library, "checkout", lambda *args: checkouts.append(args))
    statements.clear()
    for late in idle.late:
        late()
    assert len(idle.late) == 10 and not checkouts and not statements


def test_no_free_connection_for_a_helper_means_the_caller_runs_its_shard(
    library: Engine, three_cores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One connection in all, held by the caller's session: helpers can never check one out.
    tight = sa.create_engine(library.url, pool_size=1, max_overflow=0, pool_timeout=0.05)
    try:
        for query in QUERIES[:5]:
            with Session(tight) as session:
                answer = search_paper_ids(session, query)
            assert answer == _single(library, query, monkeypatch)
    finally:
        tight.dispose()


def _with_pending_paper(session: Session) -> None:
    report = import_records(
        session,
        [PaperRecord(title="Reward reward reward", source=SourceKind.manual, year=2030)],
    )
    assert len(report.outcomes) == 1


@pytest.mark.parametrize("flush", [False, True])
def test_uncommitted_writes_are_searched_by_the_session_alone(
    library: Engine,
    three_cores: None,
    statements: list[tuple[str, str, Any]],
    flush: bool,
) -> None:
    committed = _search(library, PaperQuery(q="reward"))[1]
    with Session(library) as session:
        _with_pending_paper(session)
        if flush:
            session.flush()
        statements.clear()
        ids, total = search_paper_ids(session, PaperQuery(q="reward"))
        assert total == committed + 1
        newest = session.execute(sa.text("SELECT max(id) FROM paper")).scalar_one()
        assert ids[0] == newest  # three times in its title: the best match
        session.rollback()
    assert not any(_is_shard(sql) for _, sql, _ in statements)
    assert _search(library, PaperQuery(q="reward"))[1] == committed


def shares(session: Session) -> bool:
    return parallel.shard_engine(session) is not None


def test_who_may_share_a_read(library: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    with Session(library) as session:
        assert shares(session)
        session.execute(sa.text("SELECT count(*) FROM paper"))  # reads begin no transaction
        assert shares(session)
        session.execute(sa.text("UPDATE paper SET rating = 1 WHERE id = 1"))
        assert not shares(session)  # a write transaction is open
        session.rollback()
        assert shares(session)
        session.add(Tag(name="pending"))
        assert not shares(session)  # not even flushed
        session.rollback()
        _with_pending_paper(session)
        assert not shares(session)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    with Session(library) as session:
        assert not shares(session)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    memory = sa.create_engine("sqlite://")
    with Session(memory) as session:
        assert not shares(session)
    memory.dispose()


def test_one_core_or_few_matches_take_one_statement(
    library: Engine, statements: list[tuple[str, str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    monkeypatch.setattr(search, "PARALLEL_MATCHES", 1)
    _search(library, PaperQuery(q="reward"))
    monkeypatch.setattr(parallel, "usable_cores", lambda: 3)
    monkeypatch.setattr(search, "PARALLEL_MATCHES", PAPERS + 1)
    _search(library, PaperQuery(q="reward"))
    _search(library, PaperQuery(q="reward", tags=["odd"]))
    assert statements and not any(_is_shard(sql) for _, sql, _ in statements)
