"""Columns of one's own in the annotated bibliography: values as text, the table of areas with
their columns (estimates as median and 90% interval), and a matrix of papers by two choice
columns. Built into :class:`~litreview.exporters.document.Document`; templates see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litreview.errors import InvalidInput, NotFound
from litreview.estimates import Estimate, format_number
from litreview.library.export import ExportData
from litreview.library.views import PaperView
from litreview.models import ColumnType


def value_text(value: Any) -> str:
    """A value of one's own column as the bibliography prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(float(value))
    if isinstance(value, dict) and "median" in value:
        return Estimate(value["low"], value["high"], value["median"]).text()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return " ".join(str(value).split())


def paper_fields(view: PaperView) -> dict[str, str]:
    return {name: value_text(value) for name, value in view.fields.items()}


def chosen_fields(data: ExportData, fields: dict[str, str]) -> list[tuple[str, str]]:
    """The chosen columns of one's own that the paper has a value in, in the chosen order."""
    known = {c.name.lower(): c.name for c in data.columns}
    names = [known[n.strip().lower()] for n in data.options.columns if n.strip().lower() in known]
    return [(name, fields[name]) for name in names if fields.get(name)]


@dataclass
class AreaRow:
    name: str
    path: str
    anchor: str
    fields: dict[str, str]


@dataclass
class AreaTable:
    """The areas with values, sorted by ``sort_by`` (largest first), and the columns shown."""

    sort_by: str
    columns: list[str]
    rows: list[AreaRow] = field(default_factory=list)


def build_areas_table(data: ExportData, anchors: dict[int, str]) -> AreaTable | None:
    if not data.options.areas_table:
        return None
    by_name = {c.name.lower(): c for c in data.area_columns}
    column = by_name.get(data.options.areas_table.strip().lower())
    if column is None:
        known = ", ".join(c.name for c in data.area_columns) or "none"
        raise NotFound(
            f"no area column {data.options.areas_table!r} (area columns: {known})",
            field="areas_table",
        )
    areas = [a for a in data.walk_areas() if data.area_fields.get(a.id)]

    def key(area: Any) -> tuple[int, float]:
        value = data.area_fields[area.id].get(column.name)
        if isinstance(value, dict):
            value = value.get("median")
        if isinstance(value, bool | int | float):
            return (0, -float(value))
        return (1, 0.0)

    rows = [
        AreaRow(
            a.name,
            a.path,
            anchors.get(a.id, ""),
            {n: value_text(v) for n, v in data.area_fields[a.id].items()},
        )
        for a in sorted(areas, key=key)
    ]
    return AreaTable(column.name, [c.name for c in data.area_columns], rows)


@dataclass
class MatrixCell:
    title: str
    anchor: str


@dataclass
class Matrix:
    row_column: str
    col_column: str
    rows: list[str]
    cols: list[str]
    cells: dict[str, dict[str, list[MatrixCell]]]


def build_matrix(data: ExportData, anchors: dict[str, str]) -> Matrix | None:
    if not data.options.matrix:
        return None
    names = [n.strip() for n in data.options.matrix.split(",")]
    by_name = {c.name.lower(): c for c in data.columns if c.type == ColumnType.choice}
    missing = [n for n in names if n.lower() not in by_name]
    if len(names) == 2 and missing:
        known = ", ".join(c.name for c in by_name.values()) or "none"
        raise NotFound(f"no choice column {missing[0]!r} (choice columns: {known})", field="matrix")
    if len(names) != 2:
        known = ", ".join(c.name for c in by_name.values()) or "none"
        raise InvalidInput(
            f"a matrix takes two choice columns 'Rows,Columns' (choice columns: {known})",
            field="matrix",
        )
    row_col, col_col = by_name[names[0].lower()], by_name[names[1].lower()]
    cells: dict[str, dict[str, list[MatrixCell]]] = {
        r: {c: [] for c in col_col.options} for r in row_col.options
    }
    for view in sorted(data.papers, key=lambda v: v.paper.title.lower()):
        r, c = view.fields.get(row_col.name), view.fields.get(col_col.name)
        if isinstance(r, str) and isinstance(c, str) and r in cells and c in cells[r]:
            title = " ".join(view.paper.title.split())
            cells[r][c].append(MatrixCell(title, anchors[view.paper.key]))
    return Matrix(row_col.name, col_col.name, list(row_col.options), list(col_col.options), cells)
