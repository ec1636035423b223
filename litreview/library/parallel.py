"""One read as several statements run at the same time, each on a connection of its own.

SQLite runs a statement on one core. A read that splits into independent statements (ranking
the matches of a search in separate rowid ranges, say) can use more: the caller runs the first
statement on its session's connection while pool threads run the others, each on a connection
checked out from the same engine, so the same database file. Python's sqlite3 lets go of the
GIL while SQLite works.

:func:`shard_engine` says None, and the session must answer alone, when:

- the database is not a SQLite file (another dialect; an in-memory database, which every
  connection sees afresh);
- the process may use one core only;
- the session holds writes it has not committed (objects not yet flushed, or a transaction open
  on its connection, which pysqlite begins only before a write or on an explicit BEGIN). Other
  connections cannot see those writes, and the session's connection cannot be handed to another
  thread, so only the session's own statements give the right answer.

A read-only session has no snapshot of its own (each of its statements reads the latest committed
data), so statements on other connections read what the session would read.

At most one helper statement runs for each core besides one, process-wide; a read that finds
none free runs alone, so helpers never compete with each other for the cores. No connection
outlives a call: a helper gives its connection back before it hands over its rows, and the call
waits for every statement a pool thread took before it returns or raises (an error in any
statement is the call's, the first in statement order). A helper waits for a connection like
any request when the pool is exhausted (and the few callers waiting on helpers never hold them
all); one that gets none before the pool's timeout leaves its statement to the caller, as does
one that has not begun when the caller gets to it.

Shards scale only if SQLite's allocations do not queue on one lock: Debian's SQLite keeps memory
statistics under a process-wide mutex that every allocation takes, and bm25 allocates for each
match it scores, so two shards side by side each took ~1.4 times as long as alone.
:mod:`litreview.sqlite_library` turns those statistics off when litreview opens its first
database; then two shards on two idle cores each take what they take alone (ranking 42,000
matches on Debian's SQLite 3.40: ~25 ms in one statement, ~13 ms in two; on the SQLite 3.51 of
pysqlite3: ~18 ms and ~11 ms). With the other core busy (another process), the shards take
turns and cost ~15% more than one statement.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Row
from sqlmodel import Session

# Statements of one read at once, however many cores: each repeats some fixed work (bm25
# counts the matches of every word again in each statement).
MAX_SHARDS = 4

Rows = Sequence[Row[Any]]


def usable_cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def shard_count() -> int:
    """How many statements one read may run at once (1: no parallelism)."""
    return max(1, min(MAX_SHARDS, usable_cores()))


def shard_engine(session: Session) -> Engine | None:
    """The engine other connections can read the session's data through, or None (see above)."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite" or shard_count() < 2:
        return None
    if bind.url.database in (None, "", ":memory:") or bind.url.query.get("mode") == "memory":
        return None
    if session.new or session.dirty or session.deleted:
        return None
    driver = session.connection().connection.driver_connection
    # A driver that cannot tell whether a transaction is open is taken to have one.
    if getattr(driver, "in_transaction", True):
        return None
    return bind


@cache
def _threads() -> ThreadPoolExecutor:
    # Made on first use and shared; :class:`_Budget` keeps it from ever queueing work.
    return ThreadPoolExecutor(max_workers=MAX_SHARDS - 1, thread_name_prefix="litreview-shard")


class _Budget:
    """Helper statements running now, process-wide: at most one for each core besides one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = 0

    def reserve(self) -> int:
        """As many helpers as are free now (none, when other reads hold them); no waiting."""
        with self._lock:
            granted = max(0, shard_count() - 1 - self._busy)
            self._busy += granted
            return granted

    def release(self, count: int) -> None:
        with self._lock:
            self._busy -= count


_BUDGET = _Budget()


class _Helper:
    """One statement for a pool thread, unless the caller claims it first."""

    def __init__(self, statement: sa.Executable) -> None:
        self.statement = statement
        # The rows; None when the caller runs the statement (it took it back, or no connection
        # could be had for it).
        self.rows: Future[Rows | None] = Future()
        self._lock = threading.Lock()
        self._taken = False

    def take(self) -> bool:
        """Claim the statement; False when the caller or a pool thread already has."""
        with self._lock:
            taken, self._taken = self._taken, True
            return not taken

    def take_back(self) -> bool:
        """The caller's claim: True when no pool thread had the statement (so none will)."""
        if not self.take():
            return False
        self.rows.set_result(None)  # no pool thread will run it: nothing to wait for
        return True

    def run_on_own_connection(self, engine: Engine) -> None:
        """In a pool thread: claim the statement, run it on a connection of its own, and give
        the rows (or the error) only once the connection is back in the pool."""
        if not self.take():
            return
        try:
            connection = engine.connect()
        except Exception:
            # No connection to be had (the pool exhausted till its timeout, say): the caller
            # runs the statement on its own connection, and meets any real error itself.
            self.rows.set_result(None)
            return
        try:
            with connection:
                rows = connection.execute(self.statement).all()
        except BaseException as error:  # handed to the caller, which raises it
            self.rows.set_exception(error)
        else:
            self.rows.set_result(rows)


def run_split(
    session: Session, engine: Engine, split: Callable[[int], Sequence[sa.Executable]]
) -> list[Rows] | None:
    """The rows of each of the ``split(n)`` statements, in order, run at the same time: the
    first on the session's connection, the others on connections of their own from ``engine``.
    None (nothing run) when no core is free for a helper: the caller then reads alone."""
    helpers = _BUDGET.reserve()
    if not helpers:
        return None
    try:
        return _run_at_once(session, engine, split(helpers + 1))
    finally:
        _BUDGET.release(helpers)


def _run_at_once(
    session: Session, engine: Engine, statements: Sequence[sa.Executable]
) -> list[Rows]:
    first, *rest = statements
    helpers = [_Helper(statement) for statement in rest]
    for helper in helpers:
        _threads().submit(helper.run_on_own_connection, engine)
    try:
        results = [session.execute(first).all()]
        for helper in helpers:
            # A statement no pool thread has claimed yet is quicker run here than waited for.
            rows = None if helper.take_back() else helper.rows.result()
            results.append(session.execute(helper.statement).all() if rows is None else rows)
        return results
    finally:
        # Whatever happened, no statement of this call starts after it, and every one a pool
        # thread claimed has given its connection back.
        for helper in helpers:
            helper.take_back()
        wait([helper.rows for helper in helpers])
