"""Bulk writes: one driver-level executemany per table, ids read back, the GC paused."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

T = TypeVar("T")


CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a bulk operation.

    A large import allocates hundreds of thousands of small objects that all stay alive, and the
    collector would rescan them again and again (about a third of an import's time). Nothing
    here creates reference cycles that must be freed before the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) in one driver-level executemany.

    The statement is compiled once and each column's type converts its values (JSON, dates,
    enums) exactly as the ORM would; skipping SQLAlchemy's per-row parameter handling makes a
    large import several times faster.
    """
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    statement = sa.insert(table).values({name: sa.bindparam(name) for name in names})
    compiled = statement.compile(dialect=dialect)
    # Enum columns get plain values from the callers (their CHECK constraint still applies).
    convert = {
        name: None
        if isinstance(table.c[name].type, sa.Enum)
        else table.c[name].type.bind_processor(dialect)
        for name in names
    }
    if compiled.positional:
        # Column by column: one converter call per value, no per-row generator.
        columns = []
        for name in compiled.positiontup or ():
            values = [row[name] for row in rows]
            process = convert[name]
            columns.append(list(map(process, values)) if process else values)
        params: list[Any] = list(zip(*columns, strict=True))
    else:
        params = [{n: (f(row[n]) if f else row[n]) for n, f in convert.items()} for row in rows]
    connection.exec_driver_sql(compiled.string, params)


def insert_and_read_ids(
    session: Session, model: Any, rows: list[dict[str, Any]], key_column: Any, id_column: Any
) -> dict[str, int]:
    """Insert rows in bulk; their new ids by the value of a unique column.

    Ids only grow, so the new rows are those above the largest id before the insert (a row
    another writer slipped in there has a key that is not ours and is ignored).
    """
    if not rows:
        return {}
    before = session.execute(sa.select(sa.func.max(id_column))).scalar() or 0
    bulk_insert(session, model, rows)
    wanted = {row[key_column.key] for row in rows}
    found = session.execute(sa.select(key_column, id_column).where(id_column > before))
    return {key: row_id for key, row_id in found if key in wanted}
