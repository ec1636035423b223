"""A new SQLite library made from the schema's snapshot is the one the migrations make."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from litreview import snapshot
from litreview.config import sqlite_url
from litreview.db import alembic_config, head_revision, make_engine, stored_revision, upgrade
from litreview.snapshot import create_from_snapshot, schema_sql, split_statements


def contents(path: Path) -> dict[str, Any]:
    """Everything a database file holds: its schema entries, each table's columns in order,
    and the rows of every table.

    A table's constraints may stand in another order from one run of the migrations to the
    next (Alembic's batch mode rebuilds tables from sets): its lines are compared as a set."""
    with sqlite3.connect(path) as connection:
        schema = sorted(
            (kind, name, table, _lines(sql) if kind == "table" else sql)
            for kind, name, table, sql in connection.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master"
            )
        )
        tables = [name for kind, name, _, _ in schema if kind == "table"]
        columns = {t: connection.execute(f'PRAGMA table_xinfo("{t}")').fetchall() for t in tables}
        rows = {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"'), key=repr)
            for table in tables
        }
    return {"schema": schema, "columns": columns, "rows": rows}


def _lines(sql: str | None) -> tuple[str, ...]:
    return tuple(sorted(line.strip().rstrip(",").strip() for line in (sql or "").splitlines()))


def migrated(path: Path, revision: str = "head") -> Path:
    """A new file taken to ``revision`` by Alembic's migrations alone."""
    engine = make_engine(sqlite_url(path))
    command.upgrade(alembic_config(engine), revision)
    engine.dispose()
    return path


def test_a_new_library_from_the_snapshot_is_the_migrated_one(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "new.db"))
    upgrade(engine)
    engine.dispose()
    expected = contents(migrated(tmp_path / "chain.db"))
    assert "paper_fts" in expected["rows"]
    assert contents(tmp_path / "new.db") == expected


def test_a_snapshot_behind_head_is_followed_by_the_later_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = migrated(tmp_path / "older.db", "0017")
    with sqlite3.connect(older) as connection:
        text = schema_sql(connection, "0017")
    path = tmp_path / "snapshot.sql"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(snapshot, "snapshot_path", lambda: path)
    engine = make_engine(sqlite_url(tmp_path / "new.db"))
    upgrade(engine)
    assert stored_revision(engine) == head_revision()
    engine.dispose()
    assert contents(tmp_path / "new.db") == contents(migrated(tmp_path / "chain.db"))


def test_a_library_that_is_not_empty_is_left_alone(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "other.db"))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (text TEXT)")
    assert create_from_snapshot(engine) is None
    assert sa.inspect(engine).get_table_names() == ["notes"]


def test_a_snapshot_holds_no_rows_but_its_revision(tmp_path: Path) -> None:
    path = migrated(tmp_path / "lib.db")
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO tag (name, private) VALUES ('kept', 0)")
        with pytest.raises(ValueError, match="table tag holds rows"):
            schema_sql(connection, "x")


def test_statements_split_where_they_end_not_inside_a_trigger() -> None:
    text = (
        "-- a comment\nCREATE TABLE a (x);\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET x = 1;\n  SELECT 1;\nEND;\n"
    )
    statements = split_statements(text)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    with pytest.raises(ValueError, match="ends inside a statement"):
        split_statements("CREATE TABLE b (x")
