"""``litreview db copy FROM_URL TO_URL``: a whole library moved between databases (a personal
SQLite file to a lab's PostgreSQL server and back).

Generic over the tables of ``SQLModel.metadata`` (parents before children), so a table added
tomorrow is copied without a line here; the full-text index is not copied but rebuilt by the
target's own triggers. Everything happens in one transaction on the target: a failed copy
leaves it as it was. Afterwards the copy is verified: the same number of rows in every table,
the same checksum of every table's rows, and the same checksum of the whole library exported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

import litreview.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from litreview.db import upgrade
from litreview.errors import Conflict, LitreviewError
from litreview.exporters import FORMATS
from litreview.library.export import ExportOptions, load_export
from litreview.query import PaperFilter

CHUNK = 2000
# The exports whose text must be the same on both sides.
VERIFIED_FORMATS = ("bibtex", "markdown")


@dataclass
class CopyReport:
    """What was copied: rows per table, and the checksum both sides agreed on."""

    rows: dict[str, int] = field(default_factory=dict)
    export_checksum: str = ""
    replaced: bool = False

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class CopyMismatch(LitreviewError):
    """The target does not hold what the source holds after a copy."""


def tables() -> list[sa.Table]:
    """Every table of the library, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def row_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: int(
            connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        )
        for table in tables()
    }


def copy_library(source: Engine, target: Engine, *, replace: bool = False) -> CopyReport:
    """Copy every row of ``source`` into ``target`` (both brought to the newest schema).

    A target that already holds rows is refused (Conflict) unless ``replace``: then its rows
    are deleted first, in the same transaction.
    """
    if source.url == target.url:
        raise Conflict("the source and the target are the same database")
    upgrade(source)
    upgrade(target)
    report = CopyReport(replaced=replace)
    with source.connect() as read, target.begin() as write:
        held = {name: n for name, n in row_counts(write).items() if n}
        if held and not replace:
            summary = ", ".join(f"{n} {name}" for name, n in sorted(held.items()))
            raise Conflict(
                f"the target database is not empty ({summary}); "
                "pass --replace to delete what it holds and copy over it",
                held=held,
            )
        for table in reversed(tables()):
            write.execute(table.delete())
        for table in tables():
            report.rows[table.name] = _copy_table(read, write, table)
        _reset_sequences(write)
        _verify_rows(read, write)
        report.export_checksum = _verify_export(read, write)
    _compact(target)
    return report


def _compact(target: Engine) -> None:
    """PostgreSQL: the full-text table written once more, packed, and every table's
    statistics read, after the copy has committed.

    Each paper's full-text row is written by its insert and written again by its annotation's
    and each note's (their triggers refresh it): at 100,000 papers 30,887 rows twice, 30% of
    the table left as dead rows, which a search's count and candidates read through (reading
    every match's row is most of a common word's time). ``VACUUM FULL`` cannot run inside the
    copy's transaction; a copy that failed never gets here.
    """
    if target.dialect.name != "postgresql":
        return
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (FULL, ANALYZE) paper_fts")
        conn.exec_driver_sql("ANALYZE")


def _copy_table(read: Connection, write: Connection, table: sa.Table) -> int:
    """Copy one table in chunks; a reference to a row of the same table (an area's parent) is
    filled in after all rows are there, since a parent may come after its child."""
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    copied = 0
    later: list[dict[str, Any]] = []
    for rows in _chunks(read, table):
        if own:
            later.extend(
                {"pk": {c.name: row[c.name] for c in table.primary_key}, **row}
                for row in rows
                if any(row[name] is not None for name in own)
            )
            rows = [{**row, **dict.fromkeys(own)} for row in rows]
        write.execute(table.insert(), rows)
        copied += len(rows)
    for row in later:
        where = [table.c[name] == value for name, value in row["pk"].items()]
        write.execute(table.update().where(*where).values({name: row[name] for name in own}))
    return copied


def _chunks(read: Connection, table: sa.Table) -> Iterator[list[dict[str, Any]]]:
    result = read.execution_options(stream_results=True, yield_per=CHUNK).execute(
        sa.select(table).order_by(*table.primary_key.columns)
    )
    for part in result.mappings().partitions(CHUNK):
        yield [{name: _utc(value) for name, value in row.items()} for row in part]


def _utc(value: Any) -> Any:
    """Times as aware UTC: SQLite hands back naive UTC, PostgreSQL its session's zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    return value


def _reset_sequences(write: Connection) -> None:
    """PostgreSQL: each id sequence continues after the largest id copied."""
    if write.dialect.name != "postgresql":
        return
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto"
                and len(table.primary_key.columns) == 1
                and isinstance(column.type, sa.Integer)
            ):
                write.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'),"
                        f" coalesce(max({column.name}), 1), max({column.name}) IS NOT NULL)"
                        f" FROM {table.name}"
                    )
                )


def table_checksum(connection: Connection, table: sa.Table) -> str:
    """A checksum of a table's rows in key order, values in a form both databases agree on."""
    digest = hashlib.sha256()
    stmt = sa.select(table).order_by(*table.primary_key.columns)
    for row in connection.execute(stmt).mappings():
        digest.update(json.dumps(dict(row), default=_canonical, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _verify_rows(read: Connection, write: Connection) -> None:
    source_counts, target_counts = row_counts(read), row_counts(write)
    if source_counts != target_counts:
        differ = [n for n in source_counts if source_counts[n] != target_counts.get(n)]
        raise CopyMismatch(f"row counts differ after the copy in: {', '.join(differ)}")
    for table in tables():
        if table_checksum(read, table) != table_checksum(write, table):
            raise CopyMismatch(f"the rows of table {table.name} differ after the copy")


def export_checksum(connection: Connection) -> str:
    """A checksum of the whole library exported (every paper, annotation and note)."""
    digest = hashlib.sha256()
    with Session(bind=connection) as session:
        data = load_export(session, PaperFilter(), ExportOptions(with_notes=True))
        for name in VERIFIED_FORMATS:
            text = FORMATS[name].render(data)
            digest.update(text if isinstance(text, bytes) else text.encode())
    return digest.hexdigest()


def _verify_export(source: Connection, target: Connection) -> str:
    before, after = export_checksum(source), export_checksum(target)
    if before != after:
        raise CopyMismatch(
            f"the export of the copy differs from the source's (sha256 {after} != {before})"
        )
    return before
