"""``GET /api/export``: the library, or a selection, as Markdown, BibTeX or CSL-JSON.

The answer has the format's media type and a Content-Disposition attachment filename
(``litreview-<area or "library">.<suffix>``). An unknown format answers 422 with the known ones.
"""

from __future__ import annotations

import itertools
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import Field

from litreview.api.deps import SessionDep
from litreview.api.schemas import ERROR_RESPONSES
from litreview.choices import PaperOrder, TagPrinting
from litreview.exporters import FORMATS, export_chunks, format_names, get_format
from litreview.exporters.mdtext import anchor_base
from litreview.library.areas import area_paths
from litreview.library.export import ExportOptions
from litreview.library.search import chosen_areas
from litreview.query import PaperFilter

router = APIRouter(tags=["export"])

_CONTENT = {
    fmt.media_type.split(";")[0]: {"schema": {"type": "string"}} for fmt in FORMATS.values()
}


class ExportParams(PaperFilter):
    """The export's parameters: the paper filters of ``GET /api/papers`` and the layout."""

    format: Annotated[
        str,
        Field(
            json_schema_extra={"pattern": f"^({'|'.join(format_names())})$"},
            description=f"One of: {', '.join(format_names())}.",
        ),
    ] = "markdown"
    title: Annotated[
        str | None, Field(max_length=1000, description="Title of a Markdown bibliography.")
    ] = None
    intro: Annotated[
        str | None, Field(max_length=100_000, description="Markdown printed after the title.")
    ] = None
    print_tags: Annotated[
        TagPrinting,
        Field(description="Tags a Markdown bibliography prints: all, public (not private), none."),
    ] = TagPrinting.all
    order: Annotated[PaperOrder, Field(description="Order of papers in an area.")] = (
        PaperOrder.by_year
    )
    with_status: bool = False
    with_rating: bool = False
    with_notes: Annotated[
        bool, Field(description="Print each paper's further notes (quotes, questions, ...).")
    ] = False
    column: Annotated[
        list[str] | None,
        Field(
            description="csv/xlsx: a column to write, built-in or one's own (repeatable);"
            " markdown: a column of one's own printed under each paper."
        ),
    ] = None
    areas_table: Annotated[
        str | None, Field(max_length=200, description="markdown: areas by this area column.")
    ] = None
    matrix: Annotated[
        str | None,
        Field(
            max_length=400,
            json_schema_extra={"pattern": r"^$|^[^,]*[^,\s][^,]*,[^,]*[^,\s][^,]*$"},
            description="markdown: papers by two dimensions 'Rows,Cols' (a choice column, "
            "area:PATH, tag:PREFIX, year; see GET /api/matrix).",
        ),
    ] = None
    with_map: Annotated[
        bool, Field(description="Begin the Markdown with the map of areas (Mermaid).")
    ] = False


@router.get(
    "/export",
    response_class=Response,
    responses={
        **ERROR_RESPONSES,
        200: {"content": _CONTENT, "description": "The exported text, as a download."},
    },
)
def export(session: SessionDep, params: Annotated[ExportParams, Query()]) -> Response:
    """Export the library or a selection; the body is the file, not JSON."""
    fmt = get_format(params.format)
    options = ExportOptions(
        title=params.title,
        intro=params.intro or None,
        tags=params.print_tags,
        order=params.order,
        with_status=params.with_status,
        with_rating=params.with_rating,
        with_notes=params.with_notes,
        columns=params.column or [],
        areas_table=params.areas_table,
        matrix=params.matrix,
        with_map=params.with_map,
    )
    selection = PaperFilter.model_validate(params.model_dump(include=set(PaperFilter.model_fields)))
    chosen = chosen_areas(session, selection)
    area = area_paths(session).get(chosen[0]) if len(chosen) == 1 else None
    chunks = export_chunks(session, fmt, selection, options)
    # The first piece is made here, so that bad options answer an error, not a broken download;
    # the rest is sent as it is made, while the request's session is still open.
    first = next(chunks, b"")
    media_type = fmt.media_type
    if "charset" not in media_type and isinstance(first, str) and not media_type.endswith("json"):
        media_type += "; charset=utf-8"
    return StreamingResponse(
        (
            c if isinstance(c, bytes) else c.encode("utf-8")
            for c in itertools.chain([first], chunks)
        ),
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(area, fmt.suffix)},
    )


def content_disposition(area: str | None, suffix: str) -> str:
    """``attachment; filename=...``: an ASCII name, plus the UTF-8 one when they differ."""
    words = " ".join(area.split("/")[-1].split()) if area else "library"
    ascii_stem = anchor_base(words, lower=True).replace(".", "-").replace(":", "-") or "area"
    plain = f"litreview-{ascii_stem}{suffix}"
    unicode_name = f"litreview-{'-'.join(words.lower().split())}{suffix}"
    header = f'attachment; filename="{plain}"'
    if unicode_name != plain:
        header += f"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    return header
