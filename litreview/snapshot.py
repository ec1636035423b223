"""A new SQLite library's schema from one SQL text, the snapshot of what the migrations make.

Alembic owns the schema; running its whole chain of migrations on a new file costs a third
of a second (loading Alembic and each migration) before the first paper is stored. The
snapshot (``alembic/sqlite_schema.sql``) is the schema a migrated SQLite file holds, written
out at one revision: a new, empty library is created from it in one transaction, and Alembic
then runs only the migrations added since (none when the snapshot is current). A test holds
the snapshot (plus the migrations after it) equal to the whole chain, table by table and row
by row. Regenerate it after adding a migration::

    python -m litreview.snapshot
"""

from __future__ import annotations

import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from litreview.config import resource_path

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

SNAPSHOT_NAME = "sqlite_schema.sql"
_REVISION = re.compile(r"^-- revision: (\S+)$", re.MULTILINE)
# A statement's kind in sqlite_master, in the order they are made: tables before what uses them.
_ORDER = {"table": 0, "index": 1, "view": 2, "trigger": 3}


def snapshot_path() -> Path:
    """Where the shipped snapshot lives (beside the migrations)."""
    return resource_path("alembic") / SNAPSHOT_NAME


def schema_sql(connection: sqlite3.Connection, revision: str) -> str:
    """The snapshot of the database behind ``connection``: every table, index, view and
    trigger as made (not the tables SQLite makes by itself: FTS5's shadow tables,
    ``sqlite_sequence``), then the revision's row in ``alembic_version``."""
    listed = connection.execute("PRAGMA table_list").fetchall()
    made_by_sqlite = {name for _schema, name, kind, *_ in listed if kind == "shadow"}
    rows = connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    statements = [
        f"{sql};"
        for kind, name, sql in sorted(rows, key=lambda row: _ORDER[row[0]])
        if sql is not None and name not in made_by_sqlite and not name.startswith("sqlite_")
    ]
    for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        if table in made_by_sqlite or table.startswith("sqlite_") or table == "alembic_version":
            continue
        if connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is not None:
            raise ValueError(f"table {table} holds rows: a snapshot holds the schema only")
    statements.append(f"INSERT INTO alembic_version (version_num) VALUES ('{revision}');")
    header = (
        "-- The schema the migrations make on SQLite (python -m litreview.snapshot wrote it;\n"
        "-- see litreview/snapshot.py). A new library is created from it.\n"
        f"-- revision: {revision}\n"
    )
    return header + "\n".join(statements) + "\n"


def split_statements(text: str) -> list[str]:
    """The SQL statements of ``text`` (a trigger's body holds semicolons of its own)."""
    statements: list[str] = []
    pending = ""
    for line in text.splitlines(keepends=True):
        if not pending and line.startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"the snapshot ends inside a statement: {pending.strip()[:80]!r}")
    return statements


def create_from_snapshot(engine: Engine) -> str | None:
    """Make the schema of a new SQLite library from the snapshot, in one transaction that
    holds the write lock; the revision it is at. None, and nothing done, when ``engine`` is
    not SQLite, the database is not empty (another process made it first) or there is no
    snapshot."""
    path = snapshot_path()
    if engine.dialect.name != "sqlite" or not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    found = _REVISION.search(text)
    if found is None:
        return None
    # Through SQLAlchemy's connection, so that a failure (a damaged file) is its error, as
    # every other database failure is.
    with engine.connect() as connection:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        if connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar() != 0:
            connection.rollback()
            return None
        for statement in split_statements(text):
            connection.exec_driver_sql(statement)
        connection.commit()
    return found.group(1)


def write_snapshot(target: Path) -> str:
    """Run every migration on a new file and write its snapshot to ``target``; the revision."""
    from alembic import command

    from litreview.config import sqlite_url
    from litreview.db import alembic_config, make_engine, stored_revision

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder) / "migrated.db"))
        command.upgrade(alembic_config(engine), "head")
        revision = stored_revision(engine)
        assert revision is not None
        raw = engine.raw_connection()
        try:
            connection = raw.driver_connection
            assert isinstance(connection, sqlite3.Connection)
            target.write_text(schema_sql(connection, revision), encoding="utf-8")
        finally:
            raw.close()
            engine.dispose()
    return revision


if __name__ == "__main__":
    written = write_snapshot(snapshot_path())
    print(f"wrote {snapshot_path()} at revision {written}", file=sys.stderr)
