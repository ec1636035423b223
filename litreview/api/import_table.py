"""``POST /api/import/table``: import a spreadsheet (CSV or XLSX) sent as an upload or the body.

The header is mapped by name; ``map`` overrides (``Header=field``, ``Header=note:critique``,
``Header=column``, ``Header=ignore``). The whole file is one transaction; the answer is the
same report as a BibTeX import, with ``info.mapping`` and ``info.new_columns`` (their types).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from litreview.api.deps import SessionDep, SettingsDep
from litreview.api.import_bibtex import _BODY_DOC as BIBTEX_BODY_DOC
from litreview.api.import_bibtex import REQUEST_BODY, _read_file, _too_large
from litreview.errors import InvalidInput
from litreview.exporters.table import XLSX_MEDIA_TYPE
from litreview.importers.table import MAP_PATTERN, parse_mapping
from litreview.library.bibtex import BibtexImportOut
from litreview.library.table_import import import_table

router = APIRouter(tags=["import"])
MapItem = Annotated[str, Field(json_schema_extra={"pattern": MAP_PATTERN})]

# The BibTeX upload's document, with a spreadsheet's media types.
_UPLOAD = BIBTEX_BODY_DOC["requestBody"]["content"]["multipart/form-data"]
_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": _UPLOAD,
            # Any other body is the file's bytes (CSV text, or XLSX by its Content-Type).
            "text/plain": {"schema": {"type": "string", "minLength": 1}},
        },
    }
}


@router.post("/import/table", response_model=BibtexImportOut, openapi_extra=_BODY_DOC)
async def import_table_route(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    map_: list[MapItem] = Query(
        default=[], alias="map", description="Header=field, Header=note:KIND, ..."
    ),
    tag: list[str] = Query(default=[], description="Tags given to every paper."),
    area: str | None = Query(default=None, description="Area path for every paper."),
    dry_run: bool = Query(default=False, description="Report what would happen; store nothing."),
    source: str | None = Query(
        default=None, description="The file's name (its suffix says CSV, TSV or XLSX)."
    ),
) -> BibtexImportOut:
    """Import every row with a title; report bad rows and values with their row numbers."""
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise _too_large(limit)
    mapping = parse_mapping(map_)
    data, name = await _read_file(request, limit)
    if not data and name == REQUEST_BODY:
        raise InvalidInput("the request has no spreadsheet: send a file (multipart 'file')")
    content_type = request.headers.get("content-type", "")
    if source is None and name == REQUEST_BODY:
        name = "upload.xlsx" if content_type.startswith(XLSX_MEDIA_TYPE) else "upload.csv"

    def run() -> BibtexImportOut:
        report = import_table(
            session,
            data,
            source=source or name,
            mapping=mapping,
            tags=tag,
            area_path=area if area and area.strip() else None,
            dry_run=dry_run,
        )
        session.commit()
        return report.public()

    return await run_in_threadpool(run)
