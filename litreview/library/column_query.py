"""Filters and sorts by columns of one's own, for the paper query and the area query.

A condition is written ``NAME:OP:VALUE`` (``NAME`` is the column's name or its formula key):
``eq``, ``ne``, ``lt``, ``lte``, ``gt``, ``gte`` compare numbers (a range by its median), dates
and choices (by their order among the options); ``between`` takes ``LOW..HIGH``; ``in`` takes
values joined by ``,`` (a multi-choice matches when it holds any of them); ``contains`` finds
text; ``has`` (``true``/``false``) asks for a value at all.

Papers are filtered through the value index (column, num|text, paper) and sorted by walking it:
a page of papers sorted by a column reads only that page's entries, whatever the library's size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.choices import COLUMN_FILTER_OPS
from litreview.errors import InvalidInput
from litreview.library.columns import NUMERIC, find_column, value_model
from litreview.library.statements import Filter, run, unindexed
from litreview.library.values import clean_value, read_flag
from litreview.models import (
    Area,
    AreaValue,
    ColumnTarget,
    ColumnType,
    CustomColumn,
    Paper,
    PaperValue,
)

OPS = COLUMN_FILTER_OPS
_COMPARE = {
    "eq": lambda c, v: c == v,
    "ne": lambda c, v: c != v,
    "lt": lambda c, v: c < v,
    "lte": lambda c, v: c <= v,
    "gt": lambda c, v: c > v,
    "gte": lambda c, v: c >= v,
}


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: str = ""


def parse_condition(text: str) -> Condition:
    """``"Params:gte:10"`` -> Condition; a bad form is refused with the known operators."""
    name, _, rest = text.partition(":")
    op, _, value = rest.partition(":")
    op = op.strip().lower()
    if not name.strip() or op not in OPS:
        raise InvalidInput(
            f"a column filter is NAME:OP:VALUE with OP one of {', '.join(OPS)}; got {text!r}",
            field="field",
        )
    if op != "has" and not value.strip():
        raise InvalidInput(f"column filter {text!r} needs a value", field="field")
    return Condition(name.strip(), op, value.strip())


def value_test(
    column: CustomColumn, condition: Condition, model: Any = PaperValue
) -> sa.ColumnElement[bool]:
    """The SQL test of one value row (``paper_value``/``area_value``) for the condition."""
    op, raw = condition.op, condition.value
    if op == "contains":
        needle = raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return col(model.text).ilike(f"%{needle}%", escape="\\")
    if op == "in" or (op == "eq" and column.type == ColumnType.multi_choice):
        items = [i.strip() for i in raw.split(",") if i.strip()]
        if column.type == ColumnType.multi_choice:
            options = [_key(column, i)[1] for i in items]
            return sa.or_(*[col(model.text).contains(f"|{o}|") for o in options])
        keys = [_key(column, item) for item in items]
        if keys and keys[0][0] == "num":
            return col(model.num).in_([k[1] for k in keys])
        return col(model.text).in_([k[1] for k in keys])
    if op == "between":
        low, sep, high = raw.partition("..")
        if not sep:
            raise InvalidInput(f"between wants LOW..HIGH, got {raw!r}", field="field")
        kind, low_key = _key(column, low)
        _, high_key = _key(column, high)
        target = col(model.num) if kind == "num" else col(model.text)
        return target.between(low_key, high_key)
    kind, key = _key(column, raw)
    target = col(model.num) if kind == "num" else col(model.text)
    compare: Any = _COMPARE[op]
    result: sa.ColumnElement[bool] = compare(target, key)
    return result


def _key(column: CustomColumn, raw: str) -> tuple[str, Any]:
    """What a value is compared by: ("num", number) or ("text", text)."""
    where = f"filter on {column.name!r}"
    if column.type == ColumnType.yes_no:
        return "num", float(read_flag(raw, where))
    if column.type in NUMERIC or column.formula:
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise InvalidInput(f"{where}: expected a number, got {raw!r}", field="field")
        return "num", number
    if column.type == ColumnType.choice:
        stored = clean_value(column, raw)
        assert stored is not None
        return "num", stored.num
    if column.type == ColumnType.multi_choice:
        stored = clean_value(column, raw)
        assert stored is not None and stored.text is not None
        return "text", stored.text.strip("|")
    if column.type == ColumnType.date:
        stored = clean_value(column, raw)
        assert stored is not None
        return "text", stored.text
    return "text", raw


def paper_column_filters(session: Session, conditions: Sequence[str]) -> list[Any]:
    """One :class:`~litreview.library.statements.Filter` per condition (all must hold)."""
    found: list[Any] = []
    paper_id = col(PaperValue.paper_id)
    for text in conditions:
        condition = parse_condition(text)
        column = find_column(session, ColumnTarget.paper, condition.column)
        of_column = col(PaperValue.column_id) == column.id
        if condition.op == "has":
            present = read_flag(condition.value or "true", f"filter on {column.name!r}")
            held = sa.select(paper_id).where(of_column)
            # Correlated to the paper only: a page walked through paper_value (a sort by a
            # column) must not take this test's paper_value for its own.
            exists = sa.exists().where(of_column, paper_id == col(Paper.id)).correlate(Paper)
            if present:
                found.append(Filter(held, exists, probe=_probe(column.id)))
            else:
                found.append(Filter(sa.select(col(Paper.id)).where(~exists), ~exists))
            continue
        test = value_test(column, condition)
        found.append(
            Filter(
                sa.select(paper_id).where(of_column, test),
                sa.exists().where(of_column, paper_id == col(Paper.id), test).correlate(Paper),
                probe=_probe(column.id, test),
            )
        )
    return found


def _probe(
    column_id: int | None, *tests: sa.ColumnElement[bool]
) -> Callable[[Any], sa.ColumnElement[bool]]:
    """A paper id's test, read from the paper's values (ix_paper_value_paper: paper, column,
    number; a paper has few values): a test of the number never reads the row."""
    # "+column_id": else SQLite takes the key (column, paper) and reads each row's number.
    of_column = unindexed(col(PaperValue.column_id)) == column_id
    one: sa.ColumnElement[Any] = sa.literal_column("1")

    def probe(paper: Any) -> sa.ColumnElement[bool]:
        return sa.exists(sa.select(one).where(col(PaperValue.paper_id) == paper, of_column, *tests))

    return probe


def sort_column(
    session: Session, name: str, target: ColumnTarget = ColumnTarget.paper
) -> tuple[CustomColumn, Any]:
    """The column a sort names and the stored value it sorts by."""
    column = find_column(session, target, name)
    model = value_model(target)
    text_sorted = column.type in (
        ColumnType.text,
        ColumnType.link,
        ColumnType.date,
        ColumnType.multi_choice,
    )
    return column, col(model.text) if text_sorted else col(model.num)


def area_ids_by_columns(
    session: Session, conditions: Sequence[str], sort_field: str | None, descending: bool
) -> list[int]:
    """The ids of the areas passing every condition, sorted by a column (areas without a value
    last) or in tree order."""
    stmt = sa.select(col(Area.id))
    for text in conditions:
        condition = parse_condition(text)
        column = find_column(session, ColumnTarget.area, condition.column)
        held = sa.exists().where(
            col(AreaValue.column_id) == column.id, col(AreaValue.area_id) == col(Area.id)
        )
        if condition.op == "has":
            wanted = read_flag(condition.value or "true", f"filter on {column.name!r}")
            stmt = stmt.where(held if wanted else ~held)
        else:
            stmt = stmt.where(held.where(value_test(column, condition, AreaValue)))
    order: list[Any] = []
    if sort_field:
        column, key = sort_column(session, sort_field, ColumnTarget.area)
        joined = sa.and_(
            col(AreaValue.area_id) == col(Area.id), col(AreaValue.column_id) == column.id
        )
        stmt = stmt.outerjoin(AreaValue, joined)
        order = [key.is_(None), key.desc() if descending else key.asc()]
    stmt = stmt.order_by(*order, col(Area.position), col(Area.name), col(Area.id))
    return [row[0] for row in run(session, stmt)]


def page_by_column(
    session: Session,
    name: str,
    descending: bool,
    filters: Sequence[Any],
    total: int,
    small: bool,
    limit: int,
    offset: int,
) -> list[int]:
    """One page of the papers passing ``filters``, by their value in the column (papers
    without a value last, by id). Many papers: the value index is walked in order and each
    paper tested; few (``small``): their id sets are read and sorted."""
    column, key = sort_column(session, name)
    paper_id = col(PaperValue.paper_id)
    of_column = col(PaperValue.column_id) == column.id
    if small and filters:
        # Driven by the few papers passing the filters, each one's value read by its key and
        # the lot sorted: walking the whole column in order would test every paper.
        only = filters[0]
        chosen: Any = only.ids if only.unique else only.ids.distinct()
        if len(filters) > 1:
            chosen = sa.intersect(*[f.ids for f in filters])
        few = chosen.subquery()
        valued = (
            sa.select(paper_id)
            .select_from(few)
            .join(PaperValue, sa.and_(of_column, paper_id == few.c[0]))
        )
    else:
        valued = (
            sa.select(paper_id)
            .join(Paper, col(Paper.id) == paper_id)
            .where(of_column, *[f.test for f in filters])
        )
    order = [key.desc(), paper_id.desc()] if descending else [key.asc(), paper_id.asc()]
    page = [
        row[0] for row in run(session, valued.order_by(*order).limit(limit + offset).offset(offset))
    ]
    if len(page) >= limit:
        return page[:limit]
    with_value = run(
        session, sa.select(sa.func.count()).select_from(valued.subquery())
    ).scalar_one()
    if with_value >= total:
        return page
    missing = ~sa.exists().where(col(PaperValue.column_id) == column.id, paper_id == col(Paper.id))
    rest = sa.select(col(Paper.id)).where(missing)
    if small:
        rest = rest.where(*[col(Paper.id).in_(f.ids) for f in filters])
    else:
        rest = rest.where(*[f.test for f in filters])
    skip = max(0, offset - with_value)
    rest = rest.order_by(col(Paper.id)).limit(limit - len(page)).offset(skip)
    return page + [row[0] for row in run(session, rest)]
