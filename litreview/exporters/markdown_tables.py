"""The Markdown of columns of one's own: a compact line of values, the table of areas and the
matrix section (the layout of :mod:`litreview.exporters.markdown` uses them)."""

from __future__ import annotations

from litreview.exporters.columns_md import AreaTable, Matrix
from litreview.exporters.mdtext import escape_inline


def cell(text: str) -> str:
    """Text made safe inside a Markdown table cell."""
    return escape_inline(" ".join(text.split())).replace("|", "\\|")


def fields_line(fields: list[tuple[str, str]]) -> str:
    """``*Params:* 175 · *Method:* RLHF``."""
    return " · ".join(f"*{escape_inline(name)}:* {escape_inline(value)}" for name, value in fields)


def areas_table_blocks(table: AreaTable, level: int) -> list[str]:
    heading = f"{'#' * level} Areas by {escape_inline(table.sort_by)}"
    lines = [
        "| Area | " + " | ".join(cell(c) for c in table.columns) + " |",
        "| --- |" + " --- |" * len(table.columns),
    ]
    for row in table.rows:
        name = f"[{cell(row.path)}](#{row.anchor})" if row.anchor else cell(row.path)
        values = " | ".join(cell(row.fields.get(c, "")) for c in table.columns)
        lines.append(f"| {name} | {values} |")
    return [heading, "\n".join(lines)]


def matrix_blocks(matrix: Matrix, level: int) -> list[str]:
    heading = (
        f"{'#' * level} {escape_inline(matrix.row_column)} × {escape_inline(matrix.col_column)}"
    )
    return [heading, matrix_markdown(matrix)]


def matrix_markdown(matrix: Matrix) -> str:
    """The matrix as a Markdown table, each cell its papers' titles as links."""
    lines = [
        f"| {cell(matrix.row_column)} | " + " | ".join(cell(c) for c in matrix.cols) + " |",
        "| --- |" + " --- |" * len(matrix.cols),
    ]
    for r in matrix.rows:
        cells = [
            "<br>".join(f"[{cell(p.title)}]({_href(p.href)})" for p in matrix.cells[r][c])
            for c in matrix.cols
        ]
        lines.append(f"| {cell(r)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _href(href: str) -> str:
    """A link target that cannot end the link early."""
    return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("|", "%7C")
