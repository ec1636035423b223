"""Columns of one's own in the annotated bibliography: values as text, the table of areas with
their columns (estimates as median and 90% interval), and a matrix of papers by two choice
columns. Built into :class:`~litreview.exporters.document.Document`; templates see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litreview.errors import NotFound
from litreview.estimates import Estimate, format_number
from litreview.library.export import ExportData
from litreview.library.matrix import PaperMatrix
from litreview.library.views import PaperView


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
    anchor: str  # the paper's anchor in the bibliography ("" outside one)
    href: str  # where its link goes: "#anchor", or the paper's address


@dataclass
class Matrix:
    row_column: str
    col_column: str
    rows: list[str]
    cols: list[str]
    cells: dict[str, dict[str, list[MatrixCell]]]


def matrix_table(matrix: PaperMatrix, papers: dict[int, tuple[str, str, str]]) -> Matrix:
    """The matrix with each cell's papers as (title, anchor, href) by id, sorted by title."""
    rows = [r.label for r in matrix.rows.categories]
    cols = [c.label for c in matrix.cols.categories]
    cells: dict[str, dict[str, list[MatrixCell]]] = {r: {c: [] for c in cols} for r in rows}
    for (i, j), ids in matrix.cells.items():
        found = [
            MatrixCell(" ".join(papers[p][0].split()), *papers[p][1:]) for p in ids if p in papers
        ]
        cells[rows[i]][cols[j]].extend(sorted(found, key=lambda m: m.title.lower()))
    return Matrix(matrix.rows.name, matrix.cols.name, rows, cols, cells)


def build_matrix(data: ExportData, anchors: dict[str, str]) -> Matrix | None:
    if data.matrix is None:
        return None
    papers = {o.id: (o.title, anchors[o.key], f"#{anchors[o.key]}") for o in data.outlines}
    return matrix_table(data.matrix, papers)
