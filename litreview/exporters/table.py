"""CSV and XLSX export: one row per paper, the chosen columns (built-in fields and one's own).

The headers are those the spreadsheet import maps back (``key``, ``title``, ``authors``, ...),
so an exported sheet imports again as the same papers with the same values. An estimate is
written as its median and 90% interval (``0.17 (0.1 to 0.3)``), which the import reads as
the range.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from typing import Any

from litreview.errors import InvalidInput
from litreview.estimates import Estimate, format_number
from litreview.library.export import ExportData
from litreview.library.views import PaperView

STABLE_TIME = datetime(2000, 1, 1)
_MODIFIED = re.compile(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:)")
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BUILT_IN: dict[str, Callable[[PaperView], Any]] = {
    "key": lambda v: v.paper.key,
    "title": lambda v: v.paper.title,
    "authors": lambda v: "; ".join(a.name for a in v.authors),
    "year": lambda v: v.paper.year,
    "venue": lambda v: v.paper.venue,
    "doi": lambda v: v.paper.doi,
    "arxiv": lambda v: v.paper.arxiv_id,
    "url": lambda v: v.paper.url,
    "status": lambda v: v.status.value,
    "rating": lambda v: v.rating,
    "tags": lambda v: "; ".join(v.tags),
    "area": lambda v: "; ".join(a.path for a in v.areas),
    "annotation": lambda v: v.annotation_markdown,
}
DEFAULT_BUILT_IN = [name for name in BUILT_IN if name != "annotation"]


def chosen_columns(data: ExportData) -> list[str]:
    """The columns asked for (built-in names and one's own), or every one by default."""
    own = [c.name for c in data.columns]
    if not data.options.columns:
        return [*DEFAULT_BUILT_IN, *own]
    lowered = {name.lower(): name for name in [*BUILT_IN, *own]}
    chosen: list[str] = []
    for name in data.options.columns:
        found = lowered.get(name.strip().lower())
        if found is None:
            known = ", ".join([*BUILT_IN, *own])
            raise InvalidInput(f"unknown column {name!r} (known: {known})", field="columns")
        chosen.append(found)
    return chosen


def cell_value(view: PaperView, name: str) -> Any:
    """A paper's value in a column, as a spreadsheet cell holds it (text, number or empty)."""
    if name in BUILT_IN:
        value = BUILT_IN[name](view)
        return "" if value is None else value
    return field_text(view.fields.get(name))


def field_text(value: Any) -> Any:
    """A value of one's own column as a cell: numbers stay numbers, estimates as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and "median" in value:
        return Estimate(value["low"], value["high"], value["median"]).text()
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return float(format_number(value))
    return value


def table_rows(data: ExportData) -> tuple[list[str], list[list[Any]]]:
    columns = chosen_columns(data)
    return columns, [[cell_value(view, name) for name in columns] for view in data.papers]


def render_csv(data: ExportData) -> str:
    header, rows = table_rows(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def render_xlsx(data: ExportData) -> bytes:
    from openpyxl import Workbook

    header, rows = table_rows(data)
    book = Workbook(write_only=True)
    book.properties.created = book.properties.modified = STABLE_TIME
    sheet = book.create_sheet("papers")
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same workbook with fixed file times: an unchanged library exports the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            stable = zipfile.ZipInfo(info.filename, date_time=STABLE_TIME.timetuple()[:6])
            stable.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the time of saving; the fixed time instead.
                content = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(stable, content)
    return out.getvalue()


def _xlsx_cell(value: Any) -> Any:
    # A text starting with '=' would be read as a formula by a spreadsheet: kept as text.
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value if value[:1] == "=" else value
    return value
