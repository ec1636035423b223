"""Columns of one's own as defined: read once a transaction, found by name, their formulas
in evaluation order (defining and changing them: ``library/column_edits.py``).

A column belongs to papers or to areas (``target``); its name is unique there. A formula
column is a ``number`` computed from other numeric columns of the same target; a formula that
names an unknown column, or that would make a cycle, is refused with where.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from litreview.errors import Conflict, NotFound
from litreview.formulas import Formula, parse_formula, slug
from litreview.models import AreaValue, ColumnTarget, ColumnType, CustomColumn, PaperValue

NUMERIC = {ColumnType.number, ColumnType.integer, ColumnType.rating, ColumnType.yes_no}
CHOICES = {ColumnType.choice, ColumnType.multi_choice}
# The types that take bounds (a minimum and a maximum).
BOUNDED = {ColumnType.number, ColumnType.integer, ColumnType.rating}
MAX_OPTIONS = 200


def value_model(target: ColumnTarget) -> Any:
    """The table holding the values of a target's columns."""
    return PaperValue if target == ColumnTarget.paper else AreaValue


def owner_column(target: ColumnTarget) -> Any:
    """The value table's column naming the row (``paper_id`` or ``area_id``)."""
    model = value_model(target)
    return model.paper_id if target == ColumnTarget.paper else model.area_id


# The session's columns, read once per transaction (a request filters, sorts and shows values
# by them several times); the functions here that change a column forget them.
_CACHE = "litreview.columns"


def list_columns(session: Session, target: ColumnTarget | None = None) -> list[CustomColumn]:
    """The columns (of one target, or all) in their display order."""
    transaction = session.get_transaction()
    cached = session.info.get(_CACHE)
    if transaction is None or cached is None or cached[0] is not transaction:
        stmt = select(CustomColumn).order_by(
            col(CustomColumn.target), col(CustomColumn.position), col(CustomColumn.id)
        )
        rows = list(session.exec(stmt).all())
        cached = session.info[_CACHE] = (session.get_transaction(), rows)
    return [c for c in cached[1] if target is None or c.target == target]


def forget_columns(session: Session) -> None:
    """Read the columns again at the next :func:`list_columns` (one was added or changed)."""
    session.info.pop(_CACHE, None)


def get_column(session: Session, column_id: int) -> CustomColumn:
    column = session.get(CustomColumn, column_id)
    if column is None:
        raise NotFound(f"no column with id {column_id}", column_id=column_id)
    return column


def find_column(session: Session, target: ColumnTarget, name: str) -> CustomColumn:
    """The column of ``target`` with this name (or id); NotFound lists the known names."""
    columns = list_columns(session, target)
    for column in columns:
        if column.name == name or column.name.lower() == name.strip().lower():
            return column
    if name.isdigit():
        return get_column(session, int(name))
    known = ", ".join(c.name for c in columns) or "none yet"
    raise NotFound(f"no {target.value} column {name!r} (columns: {known})", column=name)


def formula_columns(session: Session, target: ColumnTarget) -> list[CustomColumn]:
    return [c for c in list_columns(session, target) if c.formula]


def parsed(column: CustomColumn) -> Formula:
    assert column.formula is not None
    return parse_formula(column.formula, where=f"formula of {column.name!r}")


def formula_order(session: Session, target: ColumnTarget) -> list[CustomColumn]:
    """The formula columns, each after the formula columns it reads."""
    return check_formulas(session, target)


def check_formulas(
    session: Session, target: ColumnTarget, extra: CustomColumn | None = None
) -> list[CustomColumn]:
    """Every formula of ``target`` (with ``extra`` new or changed) in evaluation order;
    an unknown name, a non-numeric input or a cycle is refused with where."""
    columns = [c for c in list_columns(session, target) if extra is None or c.id != extra.id]
    if extra is not None:
        columns.append(extra)
    by_slug = {slug(c.name): c for c in columns}
    numeric = {s for s, c in by_slug.items() if c.type in NUMERIC}
    graph: dict[str, set[str]] = {}
    for column in columns:
        if column.formula:
            formula = parse_formula(
                column.formula, known=numeric, where=f"formula of {column.name!r}"
            )
            graph[slug(column.name)] = set(formula.names)
    order: list[CustomColumn] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2 or name not in graph:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*trail[trail.index(name) :], name])
            raise Conflict(f"formula of {by_slug[name].name!r}: a cycle ({cycle})", field="formula")
        state[name] = 1
        for needed in sorted(graph[name]):
            visit(needed, [*trail, name])
        state[name] = 2
        order.append(by_slug[name])

    for name in sorted(graph):
        visit(name, [])
    return order
