"""CLI commands that change the library take the server's write lock, on SQLite and PostgreSQL.

A write request's session takes one lock as it begins (SQLite's write lock, on PostgreSQL an
advisory lock across workers), so a check and its insert are one step. The CLI's commands work
on the same library as a running server: those that write take the same lock, those that only
read wait for nobody.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from litreview.cli import app as cli_app
from litreview.db import WRITE_LOCK_KEY, database_fault, make_engine
from litreview.errors import Busy

pytestmark = pytest.mark.both_dialects


@contextmanager
def another_writer(db_url: str) -> Iterator[None]:
    """Another process's writer holding the library's write lock meanwhile."""
    if db_url.startswith("sqlite"):
        path = make_url(db_url).database
        assert path is not None
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({WRITE_LOCK_KEY})")
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({WRITE_LOCK_KEY})")
    finally:
        engine.dispose()


def run(db_url: str, *args: str) -> tuple[int, str, BaseException | None]:
    env = {"LITREVIEW_BUSY_TIMEOUT": "0.3"}
    result = CliRunner().invoke(cli_app, ["--db", db_url, *args], env=env)
    exception = None if isinstance(result.exception, SystemExit) else result.exception
    return result.exit_code, result.stdout, exception


def test_a_writing_command_waits_for_the_write_lock_and_a_long_wait_is_busy(
    db_url: str,
) -> None:
    assert run(db_url, "areas")[0] == 0  # the schema is in place before the other writer
    with another_writer(db_url):
        code, _, error = run(db_url, "areas", "add", "Interpretability")
        assert code != 0
        # What the CLI's one error line says (litreview.cli.main): "busy ... try again".
        assert isinstance(error, DBAPIError) and isinstance(database_fault(error), Busy), error
        # Commands that only read do not wait for the writer.
        code, out, error = run(db_url, "search", "anything")
        assert (code, error) == (0, None), out
        assert "0 papers" in out
        assert run(db_url, "info")[0] == 0
        code, out, _ = run(db_url, "areas")
        assert code == 0 and "Interpretability" not in out
    code, _, error = run(db_url, "areas", "add", "Interpretability")
    assert (code, error) == (0, None)
    assert "Interpretability" in run(db_url, "areas")[1]
