"""The matrix: the selected papers counted by a row dimension and a column dimension.

A dimension is named by a short text (``GET /api/matrix?rows=...&cols=...``, ``litreview export
--matrix ROWS,COLS``):

- ``column:NAME`` (or a bare ``NAME``): a choice column of one's own, its options in order;
- ``area:ID`` or ``area:PATH``: an area's sub-areas (a paper counts under a sub-area when it is
  placed in it or anywhere below it);
- ``tag:PREFIX``: a tag group, the tags named ``PREFIX:value`` (or ``PREFIX/value``);
- ``year``: the years of the selected papers.

Every dimension is a set of (paper id, category key) pairs read from an index; the counts are
one ``GROUP BY`` over the two sets joined by paper and restricted to the selection (the paper
query's filters). Each category also says which filters of the one paper query select its
papers, so a cell's papers are the selection plus the row's and the column's filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.errors import InvalidInput, NotFound
from litreview.library.areas import subtree_ids
from litreview.library.columns import list_columns
from litreview.library.search import area_id_of, selection_tests
from litreview.models import (
    Area,
    ColumnTarget,
    ColumnType,
    Paper,
    PaperArea,
    PaperTag,
    PaperValue,
    Tag,
)
from litreview.query import PaperFilter

TAG_SEPARATORS = (":", "/")
MAX_UNFILED = 200


@dataclass(frozen=True)
class Category:
    """One row or column of the matrix: its key in the pairs, its label, the value a paper is
    filed under it with (an option, an area id, a tag, a year), and the paper query's filters
    that select its papers."""

    key: Any
    label: str
    value: Any
    filter: dict[str, Any]


@dataclass
class Dimension:
    id: str
    kind: str  # column | area | tag | year
    name: str
    label: str
    categories: list[Category]
    # (paper_id, key): each paper with each category it is in.
    pairs: Any = field(repr=False)


@dataclass
class MatrixCounts:
    rows: Dimension
    cols: Dimension
    counts: list[list[int]]
    total: int  # the selected papers
    placed: int  # the selected papers in at least one cell
    unfiled: list[int]  # the first of the papers in no cell, by id


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _choice_dimension(session: Session, name: str) -> Dimension:
    choices = [
        c
        for c in list_columns(session, ColumnTarget.paper)
        if c.type == ColumnType.choice and not c.formula
    ]
    column = next((c for c in choices if c.name.lower() == name.strip().lower()), None)
    if column is None:
        known = ", ".join(c.name for c in choices) or "none"
        raise NotFound(f"no choice column {name!r} (choice columns: {known})", field="matrix")
    pairs: Any = sa.select(col(PaperValue.paper_id), col(PaperValue.text).label("key")).where(
        col(PaperValue.column_id) == column.id
    )
    categories = [
        Category(option, option, option, {"field": [f"{column.name}:eq:{option}"]})
        for option in column.options
    ]
    return Dimension(
        f"column:{column.name}", "column", column.name, f"Column: {column.name}", categories, pairs
    )


def _area_dimension(session: Session, text: str) -> Dimension:
    area = session.get(Area, area_id_of(session, text))
    assert area is not None and area.id is not None
    children = list(
        session.execute(
            sa.select(Area)
            .where(col(Area.parent_id) == area.id)
            .order_by(col(Area.position), col(Area.name), col(Area.id))
        ).scalars()
    )
    if not children:
        raise InvalidInput(f"area {text!r} has no sub-areas to count by", field="matrix")
    below = {child.id: subtree_ids(session, child.id) for child in children}
    every = sorted(set().union(*below.values()))
    area_id = col(PaperArea.area_id)
    key = sa.case(*[(area_id.in_(sorted(ids)), child) for child, ids in below.items()])
    pairs: Any = (
        sa.select(col(PaperArea.paper_id), key.label("key")).where(area_id.in_(every)).distinct()
    )
    categories = [Category(c.id, c.name, c.id, {"area": [str(c.id)]}) for c in children]
    return Dimension(
        f"area:{area.id}", "area", area.name, f"Sub-areas of {area.name}", categories, pairs
    )


def _tag_dimension(session: Session, prefix: str) -> Dimension:
    prefix = prefix.strip()
    if not prefix:
        raise InvalidInput("a tag group is tag:PREFIX", field="matrix")
    name = col(Tag.name)
    like = [name.like(f"{_escape_like(prefix)}{s}%", escape="\\") for s in TAG_SEPARATORS]
    tags = session.execute(sa.select(col(Tag.id), name).where(sa.or_(*like)).order_by(name)).all()
    categories = [
        Category(tag_id, tag[len(prefix) + 1 :], tag, {"tag": [tag]}) for tag_id, tag in tags
    ]
    pairs: Any = sa.select(col(PaperTag.paper_id), col(PaperTag.tag_id).label("key")).where(
        col(PaperTag.tag_id).in_([c.key for c in categories])
    )
    return Dimension(f"tag:{prefix}", "tag", prefix, f"Tags {prefix}:…", categories, pairs)


def _year_dimension(session: Session, selection: PaperFilter) -> Dimension:
    year = col(Paper.year)
    years = session.execute(
        sa.select(year)
        .where(year.is_not(None), *selection_tests(session, selection, col(Paper.id)))
        .distinct()
        .order_by(year)
    ).all()
    categories = [Category(y, str(y), y, {"year_min": y, "year_max": y}) for (y,) in years]
    pairs: Any = sa.select(col(Paper.id).label("paper_id"), year.label("key")).where(
        year.is_not(None)
    )
    return Dimension("year", "year", "Year", "Year", categories, pairs)


def dimension(session: Session, spec: str, selection: PaperFilter | None = None) -> Dimension:
    """The dimension a text names (see the module's docstring); unknown ones are refused."""
    kind, sep, rest = spec.strip().partition(":")
    if sep and kind == "column":
        return _choice_dimension(session, rest)
    if sep and kind == "area":
        return _area_dimension(session, rest)
    if sep and kind == "tag":
        return _tag_dimension(session, rest)
    if spec.strip().lower() == "year":
        return _year_dimension(session, selection or PaperFilter())
    return _choice_dimension(session, spec)


def dimension_choices(session: Session) -> list[tuple[str, str]]:
    """Every dimension the library offers, as (spec, label): its choice columns, the areas
    with sub-areas, its tag groups, and the year."""
    found = [
        (f"column:{c.name}", f"Column: {c.name}")
        for c in list_columns(session, ColumnTarget.paper)
        if c.type == ColumnType.choice and not c.formula
    ]
    parent = sa.select(col(Area.parent_id)).where(col(Area.parent_id).is_not(None))
    areas = session.execute(
        sa.select(col(Area.id), col(Area.name))
        .where(col(Area.id).in_(parent))
        .order_by(col(Area.name), col(Area.id))
    ).all()
    found.extend((f"area:{area_id}", f"Sub-areas of {name}") for area_id, name in areas)
    grouped = sa.or_(*[col(Tag.name).like(f"_%{s}%") for s in TAG_SEPARATORS])
    prefixes: set[str] = set()
    for (name,) in session.execute(sa.select(col(Tag.name)).where(grouped)):
        cut = min(i for i in (name.find(s) for s in TAG_SEPARATORS) if i > 0)
        prefixes.add(name[:cut])
    found.extend((f"tag:{p}", f"Tags {p}:…") for p in sorted(prefixes))
    found.append(("year", "Year"))
    return found


def _joined(
    session: Session, rows: Dimension, cols: Dimension, selection: PaperFilter
) -> tuple[Any, Any, list[Any]]:
    r = rows.pairs.subquery("matrix_rows")
    c = cols.pairs.subquery("matrix_cols")
    tests = selection_tests(session, selection, r.c.paper_id)
    return r, c, tests


def count_matrix(
    session: Session, rows_spec: str, cols_spec: str, selection: PaperFilter
) -> MatrixCounts:
    """The selected papers counted in each cell (one GROUP BY), how many are in any cell, and
    the first of those in none."""
    rows = dimension(session, rows_spec, selection)
    cols = dimension(session, cols_spec, selection)
    r, c, tests = _joined(session, rows, cols, selection)
    joined = r.join(c, r.c.paper_id == c.c.paper_id)
    grouped = (
        sa.select(r.c.key, c.c.key, sa.func.count())
        .select_from(joined)
        .where(*tests)
        .group_by(r.c.key, c.c.key)
    )
    by_key: dict[tuple[Any, Any], int] = {
        (rk, ck): int(n) for rk, ck, n in session.execute(grouped)
    }
    counts = [[by_key.get((rc.key, cc.key), 0) for cc in cols.categories] for rc in rows.categories]
    row_keys = [x.key for x in rows.categories]
    col_keys = [x.key for x in cols.categories]
    in_cell = (
        sa.select(r.c.paper_id)
        .select_from(joined)
        .where(r.c.key.in_(row_keys), c.c.key.in_(col_keys))
    )
    paper_id = col(Paper.id)
    chosen = selection_tests(session, selection, paper_id)
    total = session.execute(
        sa.select(sa.func.count()).select_from(Paper).where(*chosen)
    ).scalar_one()
    placed = session.execute(
        sa.select(sa.func.count(sa.distinct(r.c.paper_id)))
        .select_from(joined)
        .where(r.c.key.in_(row_keys), c.c.key.in_(col_keys), *tests)
    ).scalar_one()
    unfiled = session.execute(
        sa.select(paper_id)
        .where(*chosen, paper_id.not_in(in_cell))
        .order_by(paper_id)
        .limit(MAX_UNFILED)
    ).all()
    return MatrixCounts(rows, cols, counts, int(total), int(placed), [u[0] for u in unfiled])


def matrix_papers(
    session: Session, rows: Dimension, cols: Dimension, selection: PaperFilter
) -> dict[tuple[int, int], list[int]]:
    """The ids of the selected papers in each cell (row index, column index), by id."""
    r, c, tests = _joined(session, rows, cols, selection)
    stmt = (
        sa.select(r.c.key, c.c.key, r.c.paper_id)
        .select_from(r.join(c, r.c.paper_id == c.c.paper_id))
        .where(*tests)
        .order_by(r.c.paper_id)
    )
    row_at = {x.key: i for i, x in enumerate(rows.categories)}
    col_at = {x.key: i for i, x in enumerate(cols.categories)}
    cells: dict[tuple[int, int], list[int]] = {}
    for rk, ck, paper_id in session.execute(stmt):
        if rk in row_at and ck in col_at:
            cells.setdefault((row_at[rk], col_at[ck]), []).append(paper_id)
    return cells


@dataclass
class PaperMatrix:
    """The selected papers of each cell (row index, column index), by id."""

    rows: Dimension
    cols: Dimension
    cells: dict[tuple[int, int], list[int]]


def paper_matrix(
    session: Session, rows_spec: str, cols_spec: str, selection: PaperFilter
) -> PaperMatrix:
    """The matrix of two dimensions, with each cell's papers."""
    rows = dimension(session, rows_spec, selection)
    cols = dimension(session, cols_spec, selection)
    return PaperMatrix(rows, cols, matrix_papers(session, rows, cols, selection))


def split_matrix(session: Session, spec: str) -> tuple[str, str]:
    """The two dimensions ``"ROWS,COLS"`` names; any other form is refused with the choices."""
    names = [n.strip() for n in spec.split(",")]
    if len(names) != 2 or not all(names):
        choices = [
            c.name
            for c in list_columns(session, ColumnTarget.paper)
            if c.type == ColumnType.choice and not c.formula
        ]
        raise InvalidInput(
            "a matrix takes two dimensions 'Rows,Columns' (choice columns: "
            f"{', '.join(choices) or 'none'}; or area:PATH, tag:PREFIX, year)",
            field="matrix",
        )
    return names[0], names[1]
