"""Values in columns of one's own: checked by type, written with the row's version, read in bulk.

Each value is stored as (``num``, ``text``, ``data``): ``num`` is what numeric filters and sorts
read (a range's median, a choice's place among its options, 1/0 for yes/no), ``text`` what text
filters and sorts read (a choice, a date, a link, a multi-choice as ``|a|b|``), ``data`` the
value as the API shows it. Formula columns are computed here, after every write of a row.
"""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.errors import Conflict, InvalidInput, NotFound
from litreview.estimates import SEED, Estimate, parse_estimate, samples, summarize
from litreview.formulas import Value, slug
from litreview.library.areas import stamp_area
from litreview.library.bulk import insert_columns
from litreview.library.columns import (
    formula_order,
    list_columns,
    owner_column,
    parsed,
    value_model,
)
from litreview.library.papers_base import bump, check_version, claim_row_version, get_paper
from litreview.models import Area, ColumnTarget, ColumnType, CustomColumn

MAX_TEXT = 100_000
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TRUE = {"yes", "y", "true", "1", "x", "✓"}
_FALSE = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Stored:
    num: float | None
    text: str | None
    data: Any


def clean_value(column: CustomColumn, raw: Any) -> Stored | None:
    """The stored form of ``raw`` in ``column``; None clears the value. Bad input is refused
    with the column's name."""
    where = column.name
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None
    if column.formula:
        raise InvalidInput(f"{where}: computed by its formula, not set by hand", field=where)
    kind = column.type
    if kind == ColumnType.number:
        estimate = parse_estimate(raw, where)
        _in_bounds(column, estimate.low, estimate.high)
        return Stored(estimate.median, None, _estimate_data(estimate))
    if kind in (ColumnType.integer, ColumnType.rating):
        number = _whole(raw, where)
        low = column.minimum if column.minimum is not None else 0
        high = column.maximum if column.maximum is not None else 5
        if kind == ColumnType.rating and not low <= number <= high:
            raise InvalidInput(
                f"{where}: a rating from {low:g} to {high:g}, got {raw!r}", field=where
            )
        _in_bounds(column, number, number)
        return Stored(float(number), None, number)
    if kind == ColumnType.choice:
        option = _option(column, raw)
        return Stored(float(column.options.index(option)), option, option)
    if kind == ColumnType.multi_choice:
        items = raw if isinstance(raw, list) else re.split(r"[;,\n]", str(raw))
        chosen = {_option(column, item) for item in items if str(item).strip()}
        ordered = [o for o in column.options if o in chosen]
        if not ordered:
            return None
        return Stored(float(len(ordered)), "|" + "|".join(ordered) + "|", ordered)
    if kind == ColumnType.yes_no:
        flag = read_flag(raw, where)
        return Stored(float(flag), None, flag)
    text = _text(raw, where)
    if kind == ColumnType.date:
        text = _date(text, where)
    elif kind == ColumnType.link and not text.lower().startswith(("http://", "https://")):
        raise InvalidInput(f"{where}: a link must start with http:// or https://", field=where)
    return Stored(None, text, text)


def _estimate_data(estimate: Estimate) -> Any:
    return estimate.to_json()


def _in_bounds(column: CustomColumn, low: float, high: float) -> None:
    unit = f" {column.unit}" if column.unit else ""
    if column.minimum is not None and low < column.minimum:
        raise InvalidInput(
            f"{column.name}: {low:g}{unit} is below the minimum {column.minimum:g}",
            field=column.name,
        )
    if column.maximum is not None and high > column.maximum:
        raise InvalidInput(
            f"{column.name}: {high:g}{unit} is above the maximum {column.maximum:g}",
            field=column.name,
        )


def _whole(raw: Any, where: str) -> int:
    if isinstance(raw, bool):
        raise InvalidInput(f"{where}: expected a whole number, got {raw!r}", field=where)
    if isinstance(raw, int):
        return raw
    try:
        number = float(str(raw).strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number != int(number):
        raise InvalidInput(f"{where}: expected a whole number, got {raw!r}", field=where)
    return int(number)


def _option(column: CustomColumn, raw: Any) -> str:
    text = " ".join(str(raw).split())
    for option in column.options:
        if option.lower() == text.lower():
            return option
    raise InvalidInput(
        f"{column.name}: {text!r} is not one of its options ({', '.join(column.options)})",
        field=column.name,
    )


def read_flag(raw: Any, where: str) -> bool:
    """A yes/no cell or filter value (yes, no, true, false, 1, 0, x, ...); ``where`` names it
    in the error."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(f"{where}: expected yes or no, got {raw!r}", field=where)


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise InvalidInput(f"{where}: expected text, got {raw!r}", field=where)
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{where}: longer than {MAX_TEXT} characters", field=where)
    return text


def _date(text: str, where: str) -> str:
    text = text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text) else text
    if _DATE.match(text):
        parts = [int(p) for p in text.split("-")] + [1, 1]
        try:
            date(parts[0], parts[1], parts[2])
        except ValueError:
            pass
        else:
            return text
    raise InvalidInput(f"{where}: expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got {text!r}")


# Writing -----------------------------------------------------------------------------------


def set_paper_fields(
    session: Session,
    paper_id: int,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> None:
    """Set (or clear, with null) a paper's values; a stale version changes nothing (409)."""
    paper = get_paper(session, paper_id)
    check_version(session, paper, expected_version)
    write_fields(session, ColumnTarget.paper, paper_id, fields)
    bump(session, paper)
    session.flush()


def set_area_fields(
    session: Session,
    area_id: int,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> None:
    """Set (or clear) an area's values, with the area's version check."""
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound(f"no area with id {area_id}", area_id=area_id)
    if expected_version is not None and (
        expected_version != area.version
        or not claim_row_version(session, Area, area_id, expected_version)
    ):
        session.refresh(area)
        raise Conflict(
            f"area {area.name!r} changed since version {expected_version} (now version"
            f" {area.version}); reload it and apply your change again",
            area_id=area_id,
            expected_version=expected_version,
            current_version=area.version,
        )
    write_fields(session, ColumnTarget.area, area_id, fields)
    area.version += 1
    stamp_area(session, area)
    session.add(area)
    session.flush()


def write_fields(
    session: Session, target: ColumnTarget, row_id: int, fields: Mapping[str, Any]
) -> None:
    """Check every value first, then write them all and recompute the row's formulas."""
    columns = {c.name: c for c in list_columns(session, target)}
    by_lower = {name.lower(): c for name, c in columns.items()}
    checked: list[tuple[CustomColumn, Stored | None]] = []
    for name, raw in fields.items():
        column = columns.get(name) or by_lower.get(name.strip().lower())
        if column is None:
            known = ", ".join(columns) or "none yet"
            raise NotFound(f"no {target.value} column {name!r} (columns: {known})", field="fields")
        checked.append((column, clean_value(column, raw)))
    store_values(session, target, [(row_id, column, value) for column, value in checked])
    recompute(session, target, [row_id])


def store_values(
    session: Session,
    target: ColumnTarget,
    values: Sequence[tuple[int, CustomColumn, Stored | None]],
    *,
    replace: bool = True,
) -> None:
    """Replace the given (row, column) values in bulk; None deletes. ``replace=False``: the
    rows hold no value in these columns yet (an import checked), so none is deleted first."""
    model = value_model(target)
    owner = owner_column(target).key
    table = model.__table__
    for row_id, column, _ in values if replace else ():
        session.execute(
            sa.delete(table).where((table.c.column_id == column.id) & (table.c[owner] == row_id))
        )
    kept = [(row_id, column.id, v) for row_id, column, v in values if v is not None]
    # Column by column (no dict a value: an import writes thousands).
    insert_columns(
        session,
        model,
        {
            "column_id": [column_id for _, column_id, _ in kept],
            owner: [row_id for row_id, _, _ in kept],
            "num": [v.num for _, _, v in kept],
            "text": [v.text for _, _, v in kept],
            "data": [v.data for _, _, v in kept],
        },
    )


# Reading -----------------------------------------------------------------------------------


def field_values(
    session: Session, target: ColumnTarget, ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Each row's values by column name, in column order (rows without values are absent)."""
    if not ids:
        return {}
    found: dict[int, dict[str, Any]] = {}
    stmt = _values_of(target)
    connection = session.connection()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for row_id, name, data in connection.execute(stmt, {"ids": chunk}):
            found.setdefault(row_id, {})[name] = data
    return found


@functools.cache
def _values_of(target: ColumnTarget) -> Any:
    """The values of the rows bound as ``ids`` (built once a target)."""
    model = value_model(target)
    owner = owner_column(target)
    return (
        sa.select(owner, col(CustomColumn.name), model.data)
        .join(CustomColumn, col(CustomColumn.id) == model.column_id)
        .where(owner.in_(sa.bindparam("ids", expanding=True)))
        .order_by(owner, col(CustomColumn.position), col(CustomColumn.id))
    )


# Formulas ----------------------------------------------------------------------------------


def recompute(session: Session, target: ColumnTarget, row_ids: Iterable[int] | None = None) -> None:
    """Compute the formula columns for these rows (None: every row with a value)."""
    order = formula_order(session, target)
    if not order:
        return
    model = value_model(target)
    owner = owner_column(target)
    columns = {c.id: c for c in list_columns(session, target)}
    stmt = sa.select(owner, model.column_id, model.data).where(
        model.column_id.in_([i for i, c in columns.items() if not c.formula])
    )
    wanted = None if row_ids is None else sorted(set(row_ids))
    if wanted is not None:
        stmt = stmt.where(owner.in_(wanted))
    inputs: dict[int, dict[str, Any]] = {row_id: {} for row_id in wanted or []}
    for row_id, column_id, data in session.execute(stmt):
        inputs.setdefault(row_id, {})[slug(columns[column_id].name)] = data
    formulas = [(column, parsed(column)) for column in order]
    results: list[tuple[int, CustomColumn, Stored | None]] = []
    for row_id, row in inputs.items():
        rng = random.Random(SEED)
        values: dict[str, Value] = {}
        for name, data in sorted(row.items()):
            values[name] = _as_value(data, rng)
        for column, formula in formulas:
            estimate: Estimate | None = None
            if formula.names <= values.keys():
                try:
                    outcome = formula.evaluate(values)
                except (ValueError, ZeroDivisionError, OverflowError, InvalidInput):
                    outcome = None
                if isinstance(outcome, list):
                    values[slug(column.name)] = outcome
                    estimate = _summary(outcome)
                elif outcome is not None and math.isfinite(outcome):
                    values[slug(column.name)] = outcome
                    estimate = Estimate(outcome, outcome, outcome)
            stored = None if estimate is None else Stored(estimate.median, None, estimate.to_json())
            results.append((row_id, column, stored))
    store_values(session, target, results)
    session.flush()


def _as_value(data: Any, rng: random.Random) -> Value:
    if isinstance(data, bool):
        return float(data)
    if isinstance(data, int | float):
        return float(data)
    if isinstance(data, dict) and "low" in data:
        return samples(Estimate(data["low"], data["high"], data["median"]), rng)
    return math.nan


def _summary(draws: list[float]) -> Estimate | None:
    try:
        return summarize(draws)
    except InvalidInput:
        return None
