"""Engines, sessions and schema upgrades; the only module that knows database paths.

Every SQLite connection gets ``foreign_keys=ON`` (so ON DELETE rules hold), WAL and a busy
timeout (a setting). The schema belongs to Alembic: :func:`upgrade` brings an empty or older
database to head (one query tells a database already at head, without loading Alembic: a CLI
command's start-up). :func:`time_limit` bounds a read as datasette's ``sqlite_timelimit`` does.
"""

from __future__ import annotations

import ast
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.config import DEFAULT_BUSY_TIMEOUT, resource_path
from litreview.errors import Busy, ClientGone, Conflict, LitreviewError, SearchTooBroad

if TYPE_CHECKING:
    from alembic.config import Config


def _sqlite_pragmas(
    busy_timeout_ms: int, read_only: bool, dbapi_connection: Any, _record: Any
) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    if not read_only:  # the file's journal mode (WAL) stays as it is
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def make_engine(url: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created on first use.

    ``busy_timeout``: seconds a write waits for another writer before failing (Busy): SQLite's
    busy timeout, PostgreSQL's ``lock_timeout``.
    """
    if url.startswith("sqlite"):
        parsed = sa.make_url(url)
        path = parsed.database
        read_only = False
        if path and path != ":memory:" and not parsed.query:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            read_only_url = _read_only_sqlite_url(Path(path))
            read_only = read_only_url is not None
            url = read_only_url or url
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_timeout}
        )
        pragmas = partial(_sqlite_pragmas, int(busy_timeout * 1000), read_only)
        sa.event.listen(engine, "connect", pragmas)
        return engine
    from sqlmodel import SQLModel

    from litreview.models import add_postgresql_conditions

    # The tables' partial indexes get their PostgreSQL conditions now that they may be used.
    add_postgresql_conditions(SQLModel.metadata)
    # Timestamps are stored in UTC (as on SQLite), whatever the server's own time zone; a lock
    # (another writer's) not had within the busy timeout fails the statement (503, as on SQLite).
    options = f"-c timezone=UTC -c lock_timeout={int(busy_timeout * 1000)}"
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"options": options})


def _read_only_sqlite_url(path: Path) -> str | None:
    """The URL that opens a library this process may not change (its file or folder is not
    writable) for reading; None when it is writable (or new).

    SQLite reads a WAL database only through its ``-shm`` file beside it; when the folder is
    read-only and there is none, the file is opened ``immutable`` (no shared-memory locks),
    as SQLite documents for read-only media. Writes then fail with SQLite's "readonly"
    error, which :func:`database_fault` turns into a 503 naming the cause."""
    folder = path.parent
    if not path.exists() or (os.access(path, os.W_OK) and os.access(folder, os.W_OK)):
        return None
    shm = path.with_name(path.name + "-shm")
    immutable = not os.access(folder, os.W_OK) and not shm.exists()
    query = "mode=ro&immutable=1&uri=true" if immutable else "mode=ro&uri=true"
    return f"sqlite:///file:{quote(str(path.resolve()))}?{query}"


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration for ``engine``, found through :func:`resource_path`."""
    from alembic.config import Config

    config = Config(str(resource_path("alembic.ini")))
    config.set_main_option("script_location", str(resource_path("alembic")))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (empty and older databases alike)."""
    head = head_revision() if revision == "head" else None
    if head is not None and stored_revision(engine) == head:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


# `revision = "0004"` and `down_revision = "0003"` (or None) in a migration file.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=(.*)$", re.MULTILINE)


@cache
def head_revision() -> str | None:
    """The newest migration's revision, read from the migration files' text without loading
    Alembic; None when the text does not tell one head (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (resource_path("alembic") / "versions").glob("*.py"):
        found: dict[str, object] = {}
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            try:
                found[name] = ast.literal_eval(value.strip())
            except (ValueError, SyntaxError):
                return None
        revision, parent = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str) or not isinstance(parent, str | None):
            return None
        revisions.add(revision)
        if parent is not None:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (None when it has no Alembic table or row)."""
    try:
        with engine.connect() as conn:
            value = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None
    return str(value) if value is not None else None


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None when it has none)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# The key of the PostgreSQL advisory lock that stands for SQLite's write lock.
WRITE_LOCK_KEY = 0x6C6974726576  # "litrev"


# ``session.info`` key: the session's transactions take the write lock as they begin.
_WRITE_LOCK = "litreview_write_lock"


def _begin_immediate(session: Session, _transaction: Any, connection: sa.Connection) -> None:
    if not session.info.get(_WRITE_LOCK):
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        return
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# Every session's, once (a listener added to each request's session cost more than its query).
sa.event.listen(Session, "after_begin", _begin_immediate)


def lock_for_writes(session: Session) -> Session:
    """Make ``session`` take SQLite's write lock when its transaction begins (``BEGIN
    IMMEDIATE``), so that a check-then-insert cannot interleave with another writer's.

    On PostgreSQL a transaction-level advisory lock that every such session takes stands for
    it, across workers: the same creates at once make one row and the same answers as on
    SQLite (an import of an entry another import is storing merges into it, a second create
    of a paper is a 409 naming the first), where the unique indexes alone would fail the
    loser's whole transaction. Waiting for it longer than the busy timeout is a 503, as on
    SQLite (``lock_timeout``, see :func:`make_engine`).

    The lock is taken at the first statement, not before: a request that parses its input
    first does not hold it meanwhile.
    """
    session.info[_WRITE_LOCK] = True
    return session


@contextmanager
def reads_before_writes(session: Session) -> Iterator[None]:
    """Reads of a write session that end their own transaction (rolled back at the end of
    the block, the objects read let go): they begin it without the write lock, which the
    session's next transaction takes again (e.g. the member check every request runs first)."""
    locked = session.info.pop(_WRITE_LOCK, False)
    try:
        yield
    finally:
        session.expunge_all()
        session.rollback()
        if locked:
            session.info[_WRITE_LOCK] = True


# An engine's execution option whose entries every session of :func:`session_scope` starts
# with in ``session.info``: the CLI's engine names the member its changes are attributed to
# (litreview.library.attribution.engine_acting_as).
SESSION_INFO_OPTION = "litreview_session_info"


@contextmanager
def session_scope(engine: Engine, *, writes: bool = True) -> Iterator[Session]:
    """One transaction at an edge (CLI command, script): commit on success, roll back on error.

    ``writes`` (the default) takes the write lock as the transaction begins, as a write
    request's session does (:func:`lock_for_writes`): a command's checks and inserts are one
    step against the server's writers, on PostgreSQL across its workers too. A command that
    only reads passes False and waits for no writer."""
    info = dict(engine.get_execution_options().get(SESSION_INFO_OPTION, {}))
    with Session(engine, info=info) as session:
        if writes:
            lock_for_writes(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def time_limit(
    session: Session,
    milliseconds: float | None,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[None]:
    """Stop the session's statements after ``milliseconds`` (None or 0: no limit) and raise
    :class:`SearchTooBroad`. On SQLite as datasette's ``sqlite_timelimit`` does: a progress
    handler that SQLite calls every few hundred virtual-machine steps interrupts the statement
    once the time is up. On PostgreSQL the transaction's ``statement_timeout``.

    ``cancelled`` (SQLite): the statement also stops, with :class:`ClientGone`, once this
    answers True (the client of an API request went away, see litreview.api.disconnect)."""
    dialect = session.get_bind().dialect.name
    if not milliseconds and (cancelled is None or dialect != "sqlite"):
        yield
        return
    if dialect == "postgresql" and milliseconds:
        with _postgres_time_limit(session, milliseconds):
            yield
        return
    if dialect != "sqlite":
        yield
        return
    raw = session.connection().connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    deadline = time.perf_counter() + milliseconds / 1000 if milliseconds else float("inf")

    def over_time() -> int:
        if cancelled is not None and cancelled():
            return 1
        return 1 if time.perf_counter() >= deadline else 0

    raw.set_progress_handler(over_time, 200)
    try:
        yield
    except sa.exc.OperationalError as exc:
        if "interrupted" not in str(exc.orig):
            raise
        if cancelled is not None and cancelled():
            raise ClientGone("the client went away; its statement was stopped") from None
        raise too_broad(milliseconds or 0) from None
    finally:
        raw.set_progress_handler(None, 200)


@contextmanager
def _postgres_time_limit(session: Session, milliseconds: float) -> Iterator[None]:
    # A cancelled statement aborts the transaction (the caller rolls it back, which also
    # ends SET LOCAL); after a search that finished in time the limit is lifted again.
    session.execute(sa.text(f"SET LOCAL statement_timeout = {max(1, round(milliseconds))}"))
    try:
        yield
    except sa.exc.OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != "57014":  # query_canceled
            raise
        raise too_broad(milliseconds) from None
    session.execute(sa.text("SET LOCAL statement_timeout = DEFAULT"))


def too_broad(milliseconds: float, *, ran: bool = True) -> SearchTooBroad:
    """The answer to a search stopped at ``milliseconds`` (``ran`` False: known to take
    longer without running it)."""
    took = "took" if ran else "would take"
    return SearchTooBroad(
        f"this search {took} over {milliseconds:g} ms: it is too broad, keep typing"
        " (more letters or another word narrow it)",
        time_limit_ms=milliseconds,
    )


# SQLite's messages -> what the user can do about them (the first match wins).
_FAULTS: tuple[tuple[tuple[str, ...], type[LitreviewError], str], ...] = (
    (
        ("locked", "busy"),
        Busy,
        "the library is busy with another write (a long import?); try again",
    ),
    (
        ("readonly", "read-only"),
        Busy,
        "the library is read-only here (file or folder permissions): reads work, changes do not",
    ),
    (
        ("disk is full", "disk full"),
        Busy,
        "the disk holding the library is full: nothing was saved",
    ),
    (
        ("not a database", "malformed", "file is encrypted"),
        LitreviewError,
        "the library file is damaged or not a litreview database",
    ),
    (("unable to open",), LitreviewError, "the library file cannot be opened"),
)


def database_fault(exc: BaseException) -> LitreviewError:
    """A database failure as the error the user sees: 503 for a busy, read-only or full
    library, 409 for a unique row another request made first, 500 otherwise (the message
    names the cause: one line, no traceback)."""
    cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    text = str(cause)
    # PostgreSQL's codes: a lock not had in time, a deadlock or serialisation failure (503);
    # a unique row another request created a moment ago (409).
    code = getattr(cause, "sqlstate", None)
    if code in ("55P03", "40001", "40P01"):
        return Busy("the library is busy with another write (a long import?); try again")
    if code == "23505":
        return Conflict("another request stored the same thing a moment ago; reload and retry")
    if isinstance(exc, sa.exc.IntegrityError) or isinstance(cause, sqlite3.IntegrityError):
        return Conflict(f"another change made this first ({text}); reload and try again")
    lowered = text.lower()
    for needles, kind, message in _FAULTS:
        if any(needle in lowered for needle in needles):
            return kind(f"{message} ({text})")
    return LitreviewError(f"database error: {type(cause).__name__}: {text}")
