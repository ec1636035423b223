"""Columns of one's own: define, rename, change options or formula, reorder, delete.

Each change is checked before it is kept (a name free in its target, options a choice needs,
bounds in order, formulas without unknown names or cycles); a refused change leaves the column,
and the formulas reading it, as they were. The values follow: a choice's stored order, the
formula columns recomputed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.errors import Conflict, InvalidInput, LitreviewError
from litreview.formulas import slug
from litreview.library.columns import (
    BOUNDED,
    CHOICES,
    MAX_OPTIONS,
    check_formulas,
    forget_columns,
    formula_columns,
    get_column,
    list_columns,
    parsed,
    value_model,
)
from litreview.library.values import recompute
from litreview.models import ColumnTarget, ColumnType, CustomColumn

# How a setting the type does not take is refused: InvalidInput in a new column's request (the
# API's schema states it), Conflict in an edit (it depends on the stored column).
Refusal = type[LitreviewError]
MAX_NAME = 100


def clean_column_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME or not slug(cleaned):
        raise InvalidInput(
            f"a column name needs a letter or digit and at most {MAX_NAME} characters: {name!r}",
            field="name",
        )
    return cleaned


def create_column(
    session: Session,
    *,
    name: str,
    type: ColumnType,
    target: ColumnTarget = ColumnTarget.paper,
    description: str = "",
    options: Sequence[str] = (),
    unit: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    formula: str | None = None,
    position: int | None = None,
) -> CustomColumn:
    """A new column; a formula makes it a computed ``number``."""
    name = clean_column_name(name)
    _check_free(session, target, name, None)
    if formula is not None and formula.strip():
        type = ColumnType.number
    minimum, maximum = _in_order(minimum, maximum)
    column = CustomColumn(
        target=target,
        name=name,
        description=description,
        type=type,
        options=_clean_options(type, options),
        unit=unit.strip(),
        minimum=minimum,
        maximum=maximum,
        formula=formula.strip() if formula and formula.strip() else None,
        position=_next_position(session, target) if position is None else position,
    )
    _check_bounds(column)
    if column.formula:
        check_formulas(session, target, extra=column)
    session.add(column)
    session.flush()
    forget_columns(session)
    if column.formula:
        recompute(session, target)
    return column


def update_column(session: Session, column_id: int, changes: dict[str, Any]) -> CustomColumn:
    """Rename, describe, change options, unit, bounds, formula or position; a refused change
    leaves the column (and the formulas reading it) as they were."""
    column = get_column(session, column_id)
    touched = [column, *formula_columns(session, column.target)]
    forget_columns(session)
    try:
        with session.no_autoflush:
            _apply_changes(session, column, changes)
    except LitreviewError:
        for row in touched:
            session.expire(row)
        raise
    session.add(column)
    session.flush()
    if column.type in CHOICES:
        refresh_choice_order(session, column)
    recompute(session, column.target)
    return column


def _apply_changes(session: Session, column: CustomColumn, changes: dict[str, Any]) -> None:
    allowed = {"name", "description", "options", "unit", "minimum", "maximum", "formula"}
    unknown = set(changes) - allowed - {"position"}
    if unknown:
        raise InvalidInput(f"these column settings cannot change: {', '.join(sorted(unknown))}")
    old_slug = slug(column.name)
    if "name" in changes and changes["name"] is not None:
        name = clean_column_name(changes["name"])
        _check_free(session, column.target, name, column.id)
        column.name = name
    if changes.get("description") is not None:
        column.description = changes["description"]
    if changes.get("unit") is not None:
        column.unit = str(changes["unit"]).strip()
    if "minimum" in changes:
        column.minimum = changes["minimum"]
    if "maximum" in changes:
        column.maximum = changes["maximum"]
    if "minimum" in changes and "maximum" in changes:
        column.minimum, column.maximum = _in_order(column.minimum, column.maximum)
    if changes.get("position") is not None:
        column.position = int(changes["position"])
    # What the column's type (or its other bound) does not take conflicts with the column.
    _check_bounds(column, refuse=Conflict)
    if changes.get("options") is not None:
        _change_options(session, column, list(changes["options"]))
    if "formula" in changes:
        text = (changes["formula"] or "").strip()
        if text and column.formula is None:
            raise Conflict(  # the column's typed values conflict with a formula
                "a column of typed values cannot become a formula; add a new column",
                field="formula",
            )
        if not text and column.formula is not None:
            raise Conflict("a formula column needs a formula", field="formula")
        column.formula = text or None
    if old_slug != slug(column.name):
        _rename_in_formulas(session, column, old_slug)
    check_formulas(session, column.target, extra=column)


def delete_column(session: Session, column_id: int) -> int:
    """Delete a column and its values; returns how many values went. Refused when a formula
    reads it."""
    column = get_column(session, column_id)
    for other in formula_columns(session, column.target):
        if other.id != column.id and slug(column.name) in parsed(other).names:
            raise Conflict(
                f"column {column.name!r} is read by the formula of {other.name!r}; change that"
                " formula first",
                column=column.name,
            )
    count = count_values(session, column)
    model = value_model(column.target)
    session.execute(sa.delete(model).where(model.column_id == column_id))
    session.delete(column)
    session.flush()
    forget_columns(session)
    return count


def count_values(session: Session, column: CustomColumn) -> int:
    """How many rows hold a value in ``column`` (asked before deleting it)."""
    model = value_model(column.target)
    return int(
        session.execute(
            sa.select(sa.func.count()).select_from(model).where(model.column_id == column.id)
        ).scalar_one()
    )


def _rename_in_formulas(session: Session, column: CustomColumn, old: str) -> None:
    new = slug(column.name)
    for other in formula_columns(session, column.target):
        if other.id == column.id or other.formula is None:
            continue
        if old in parsed(other).names:
            other.formula = _replace_name(other.formula, old, new)
            session.add(other)


def _replace_name(text: str, old: str, new: str) -> str:
    return re.sub(rf"\b{re.escape(old)}\b", new, text)


def _check_free(session: Session, target: ColumnTarget, name: str, column_id: int | None) -> None:
    for other in list_columns(session, target):
        if other.id != column_id and slug(other.name) == slug(name):
            raise Conflict(
                f"a {target.value} column named {other.name!r} already exists", field="name"
            )


def _clean_options(
    type: ColumnType, options: Sequence[str], refuse: Refusal = InvalidInput
) -> list[str]:
    """Options without spacing or repeats; those the type does not take are ``refuse``d."""
    cleaned: list[str] = []
    for option in options:
        text = " ".join(str(option).split())
        if text and text.lower() not in {o.lower() for o in cleaned}:
            cleaned.append(text)
    if type in CHOICES and not cleaned:
        raise refuse(f"a {type.value} column needs options", field="options")
    if type not in CHOICES and cleaned:
        raise refuse(f"a {type.value} column takes no options", field="options")
    if len(cleaned) > MAX_OPTIONS or any("|" in o for o in cleaned):
        raise InvalidInput(f"at most {MAX_OPTIONS} options, none containing '|'", field="options")
    return cleaned


def _change_options(session: Session, column: CustomColumn, options: list[str]) -> None:
    """New options (reordered, renamed in place, added); an option still used stays."""
    cleaned = _clean_options(column.type, options, refuse=Conflict)
    kept = {o.lower() for o in cleaned}
    missing = sorted(o for o in used_options(session, column) if o.lower() not in kept)
    if missing:
        raise Conflict(
            f"column {column.name!r}: options still in use cannot go: {', '.join(missing)}",
            column=column.name,
        )
    column.options = cleaned


def _in_order(low: float | None, high: float | None) -> tuple[float | None, float | None]:
    # Bounds given together are the range between them, in either order.
    if low is not None and high is not None and low > high:
        return high, low
    return low, high


def _check_bounds(column: CustomColumn, refuse: Refusal = InvalidInput) -> None:
    if (column.minimum is not None or column.maximum is not None) and column.type not in BOUNDED:
        raise refuse(f"a {column.type.value} column takes no bounds", field="minimum")
    if (
        column.minimum is not None
        and column.maximum is not None
        and column.minimum > column.maximum
    ):
        raise refuse(
            f"minimum {column.minimum} is above the maximum {column.maximum}", field="minimum"
        )


def _next_position(session: Session, target: ColumnTarget) -> int:
    top = session.execute(
        sa.select(sa.func.max(CustomColumn.position)).where(col(CustomColumn.target) == target)
    ).scalar_one()
    return int(top or 0) + 1


def used_options(session: Session, column: CustomColumn) -> set[str]:
    """The options some row holds (kept when options change)."""
    model = value_model(column.target)
    used: set[str] = set()
    for (data,) in session.execute(sa.select(model.data).where(model.column_id == column.id)):
        used.update(data if isinstance(data, list) else [data])
    return used


def refresh_choice_order(session: Session, column: CustomColumn) -> None:
    """Recompute the stored order of a choice column's values after its options changed."""
    model = value_model(column.target)
    table = model.__table__
    if column.type == ColumnType.choice:
        for index, option in enumerate(column.options):
            session.execute(
                sa.update(table)
                .where((table.c.column_id == column.id) & (table.c.text == option))
                .values(num=float(index))
            )
