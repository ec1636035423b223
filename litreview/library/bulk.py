"""Bulk writes: a few multi-row INSERTs per table (SQLite), or one COPY (PostgreSQL); ids read
back."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

T = TypeVar("T")


# Ids bound in one IN list (SQLite's default limit is 32,766 variables; 500 keeps each
# statement and its plan small): every chunked read of the library goes by `chunks`.
CHUNK = 500
# A bulk import reads every stored row of a table (papers' identities, authors) into memory,
# instead of looking up each batch's candidates, when the table holds at most this many times
# as many rows as the first batch needs: a first import into a new or small library.
HOLD_ALL_FACTOR = 4


# Fewer wanted rows than this are looked up whatever the table holds: a paper made by hand does
# not count the library first (reading all of a table of a few rows saves no statement).
FEW_WANTED = 10


def hold_all(stored: int, wanted: int) -> bool:
    """Whether to read all ``stored`` rows rather than look ``wanted`` of them up per batch."""
    return stored <= HOLD_ALL_FACTOR * wanted


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    positional: bool
    # (name, converter) in parameter order; the converter turns a value into its database form.
    columns: list[tuple[str, Callable[[Any], Any] | None]]


_PLANS: dict[tuple[Any, tuple[str, ...], str], _InsertPlan] = {}


def _insert_plan(table: Any, names: tuple[str, ...], dialect: Any) -> _InsertPlan:
    """The compiled INSERT of these columns and their converters (compiled once per process)."""
    cache_key = (table, names, dialect.name)
    plan = _PLANS.get(cache_key)
    if plan is None:
        statement = sa.insert(table).values({name: sa.bindparam(name) for name in names})
        compiled = statement.compile(dialect=dialect)
        # Enum columns get plain values from the callers (their CHECK constraint still applies).
        # The dialect's own form of each type converts, as the ORM's does: a generic DateTime
        # has no converter of its own, and the driver's would store another text for it.
        convert = {
            name: None
            if isinstance(table.c[name].type, sa.Enum)
            else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        }
        order = (compiled.positiontup or names) if compiled.positional else names
        plan = _InsertPlan(compiled.string, compiled.positional, [(n, convert[n]) for n in order])
        _PLANS[cache_key] = plan
    return plan


# Rows per multi-row INSERT, and the most bound values one statement may carry (SQLite's
# limit is 32,766 since 3.32). Fewer rows a statement (100) parsed less SQL (-3% of the
# Newsletter import's instructions) but took more CPU time (+5-8 ms over its 197 statements,
# alternating runs): each statement's fixed cost is more than its parsing.
ROWS_PER_STATEMENT = 500
MAX_VALUES = 30_000


def bulk_insert(
    session: Session, model: Any, rows: list[dict[str, Any]], encoded: Collection[str] = ()
) -> None:
    """Insert rows (dicts with the same keys) in a few multi-row INSERT statements.

    The statement is compiled once and each column's type converts its values (JSON, dates,
    enums) exactly as the ORM would; skipping SQLAlchemy's per-row parameter handling makes a
    large import several times faster. Many rows per statement matter on SQLite: a table with
    a trigger or foreign keys gets a statement journal, which copies every page a statement
    touches first, so one statement per row copies each index page again and again (twice as
    slow for papers). Values of the ``encoded`` columns are already in their database form.
    """
    if rows:
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        insert_columns(session, model, columns, encoded)


def insert_columns(
    session: Session, model: Any, values: dict[str, list[Any]], encoded: Collection[str] = ()
) -> None:
    """:func:`bulk_insert` of rows given column by column (lists of the same length)."""
    if not values or not next(iter(values.values())):
        return
    _insert(session, model, values, encoded)


def _insert(
    session: Session,
    model: Any,
    values: dict[str, list[Any]],
    encoded: Collection[str] = (),
    returning: str = "",
) -> list[Any]:
    """:func:`insert_columns`; on SQLite, the rows of ``returning`` (a ``RETURNING`` clause's
    columns) of every row inserted, in no particular order."""
    connection = session.connection()
    plan = _insert_plan(model.__table__, tuple(values), connection.dialect)
    # Column by column: one converter call per value, no per-row generator.
    columns = []
    for name, process in plan.columns:
        column = values[name]
        if process is None or name in encoded:
            columns.append(column)
        elif all(value is column[0] for value in column):  # e.g. one timestamp for all
            columns.append([process(column[0])] * len(column))
        else:
            columns.append(list(map(process, column)))
    if connection.dialect.name == "postgresql":
        _copy_rows(connection, model.__table__, [name for name, _ in plan.columns], columns)
        return []
    if not plan.positional or " VALUES (" not in plan.sql:
        assert not returning, "RETURNING is added to multi-row INSERTs only"
        names = [name for name, _ in plan.columns]
        params = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        connection.exec_driver_sql(plan.sql, params)
        return []
    per_statement = max(1, min(ROWS_PER_STATEMENT, MAX_VALUES // len(columns)))
    head, group = plan.sql.split(" VALUES ", 1)
    returned: list[Any] = []
    for start in range(0, len(columns[0]), per_statement):
        count = len(columns[0][start : start + per_statement])
        # A column with no value in these rows is written NULL, not bound: the driver adapts
        # each None it binds (a failed lookup of an adapter, ~3k instructions), and an import's
        # rows leave many columns empty (a paper's abstract, DOI, dates: 31k of 38k values).
        bound = [c[start : start + count] for c in columns]
        empty = [all(v is None for v in c) for c in bound]
        if any(empty):
            between = group.split("?")  # a mark a column, in the plan's order
            marks = ["NULL" if e else "?" for e in empty]
            row = between[0] + "".join(m + b for m, b in zip(marks, between[1:], strict=True))
            bound = [c for c, e in zip(bound, empty, strict=True) if not e]
        else:
            row = group
        sql = f"{head} VALUES {', '.join([row] * count)}"
        width = len(bound)
        # The statement's values row after row, laid out by slice (no object a row).
        flat: list[Any] = [None] * (count * width)
        for position, column in enumerate(bound):
            flat[position::width] = column
        if returning:
            returned += connection.exec_driver_sql(f"{sql} RETURNING {returning}", tuple(flat))
        else:
            connection.exec_driver_sql(sql, tuple(flat))
    return returned


def _copy_rows(
    connection: sa.Connection, table: Any, names: list[str], columns: list[list[Any]]
) -> None:
    """PostgreSQL: the rows in one ``COPY ... FROM STDIN`` (psycopg 3) in the session's
    transaction. An executemany sends a statement a row (pipelined, but each one planned, and
    each firing the table's statement triggers: the full-text index, the change notification);
    COPY is one statement, whatever the number of rows."""
    preparer = connection.dialect.identifier_preparer
    target = ", ".join(preparer.quote(table.c[name].name) for name in names)
    sql = f"COPY {preparer.format_table(table)} ({target}) FROM STDIN"
    driver_connection: Any = connection.connection.driver_connection
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)
    except dbapi_error as exc:
        # As SQLAlchemy raises the driver's errors everywhere else (a unique key another writer
        # took first is an IntegrityError: a 409).
        raise sa.exc.DBAPIError.instance(
            sql, None, exc, dbapi_error, dialect=connection.dialect
        ) from exc


def insert_and_read_ids(
    session: Session,
    model: Any,
    values: dict[str, list[Any]],
    key_column: Any,
    id_column: Any,
    encoded: Collection[str] = (),
) -> dict[str, int]:
    """Insert rows given column by column; their new ids by the value of a unique column.

    Ids only grow, so the new rows are those above the largest id before the insert (a row
    another writer slipped in there has a key that is not ours and is ignored). A few rows on
    SQLite (a paper made by hand) come back from the INSERT itself (``RETURNING``): one
    statement, not three; for many it costs more than the read (an import of 7,166 papers:
    0.25 -> 0.45 s of CPU).
    """
    if not values or not next(iter(values.values())):
        return {}
    connection = session.connection()
    if connection.dialect.name == "sqlite" and len(values[key_column.key]) < FEW_WANTED:
        quote = connection.dialect.identifier_preparer.quote
        returning = f"{quote(key_column.name)}, {quote(id_column.name)}"
        return dict(_insert(session, model, values, encoded, returning))
    before = connection.execute(sa.select(sa.func.max(id_column))).scalar() or 0
    insert_columns(session, model, values, encoded)
    wanted = set(values[key_column.key])
    found = connection.execute(sa.select(key_column, id_column).where(id_column > before))
    return {key: row_id for key, row_id in found if key in wanted}
