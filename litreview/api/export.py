"""``GET /api/export``: the library, or a selection, as Markdown, BibTeX or CSL-JSON.

The answer has the format's media type and a Content-Disposition attachment filename
(``litreview-<area or "library">.<suffix>``). An unknown format answers 422 with the known ones.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from litreview.api.deps import SessionDep
from litreview.api.schemas import ERROR_RESPONSES, MAX_ID
from litreview.choices import PaperOrder, TagPrinting
from litreview.errors import NotFound
from litreview.exporters import FORMATS, export_text, format_names, get_format
from litreview.exporters.mdtext import anchor_base
from litreview.library.areas import area_paths
from litreview.library.export import ExportOptions, ExportSelection

router = APIRouter(tags=["export"])

_CONTENT = {
    fmt.media_type.split(";")[0]: {"schema": {"type": "string"}} for fmt in FORMATS.values()
}


@router.get(
    "/export",
    response_class=Response,
    responses={
        **ERROR_RESPONSES,
        200: {"content": _CONTENT, "description": "The exported text, as a download."},
    },
)
def export(
    session: SessionDep,
    format: Annotated[str, Query(description=f"One of: {', '.join(format_names())}.")] = (
        "markdown"
    ),
    area: Annotated[str | None, Query(description="Area path ('A/B'), sub-areas included.")] = None,
    tag: Annotated[list[str] | None, Query(description="Required tag (repeatable).")] = None,
    status: Annotated[str | None, Query(description="Reading status.")] = None,
    q: Annotated[str | None, Query(description="Full-text query.")] = None,
    area_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Area id (instead of a path), sub-areas included."),
    ] = None,
    year_min: Annotated[int | None, Query(ge=-9999, le=9999, description="Earliest year.")] = None,
    year_max: Annotated[int | None, Query(ge=-9999, le=9999, description="Latest year.")] = None,
    author: Annotated[
        str | None, Query(max_length=1000, description="Part of an author's name.")
    ] = None,
    has_annotation: Annotated[
        bool | None, Query(description="Only annotated (true) or unannotated (false) papers.")
    ] = None,
    title: Annotated[str | None, Query(description="Title of a Markdown bibliography.")] = None,
    intro: Annotated[
        str | None,
        Query(max_length=100_000, description="Markdown printed after the title."),
    ] = None,
    print_tags: Annotated[
        TagPrinting,
        Query(description="Tags a Markdown bibliography prints: all, public (not private), none."),
    ] = TagPrinting.all,
    order: Annotated[PaperOrder, Query(description="Order of papers in an area.")] = (
        PaperOrder.by_year
    ),
    with_status: bool = False,
    with_rating: bool = False,
    with_notes: Annotated[
        bool, Query(description="Print each paper's further notes (quotes, questions, ...).")
    ] = False,
    column: Annotated[
        list[str] | None,
        Query(
            description="csv/xlsx: a column to write, built-in or one's own (repeatable);"
            " markdown: a column of one's own printed under each paper."
        ),
    ] = None,
    areas_table: Annotated[
        str | None, Query(max_length=200, description="markdown: areas by this area column.")
    ] = None,
    matrix: Annotated[
        str | None,
        Query(max_length=400, description="markdown: papers by two choice columns 'Rows,Cols'."),
    ] = None,
    with_map: Annotated[
        bool, Query(description="Begin the Markdown with the map of areas (Mermaid).")
    ] = False,
) -> Response:
    """Export the library or a selection; the body is the file, not JSON."""
    fmt = get_format(format)
    options = ExportOptions(
        title=title,
        intro=intro or None,
        tags=print_tags,
        order=order,
        with_status=with_status,
        with_rating=with_rating,
        with_notes=with_notes,
        columns=column or [],
        areas_table=areas_table,
        matrix=matrix,
        with_map=with_map,
    )
    if area_id is not None:
        area = area_paths(session).get(area_id)
        if area is None:
            raise NotFound(f"no area with id {area_id}", area_id=area_id)
    selection = ExportSelection(
        area=area,
        tags=tag or [],
        status=status,
        query=q,
        year_min=year_min,
        year_max=year_max,
        author=author,
        has_annotation=has_annotation,
    )
    text = export_text(session, fmt, selection, options)
    media_type = fmt.media_type
    if "charset" not in media_type and isinstance(text, str) and not media_type.endswith("json"):
        media_type += "; charset=utf-8"
    return Response(
        content=text if isinstance(text, bytes) else text.encode("utf-8"),
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
