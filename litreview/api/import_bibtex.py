"""``POST /api/import/bibtex``: import a BibTeX file sent as an upload or as the request body.

A multipart upload names its file ``file``; any other body is the file itself (raw bytes, any
encoding: it is detected). Bodies over ``Settings.max_upload_bytes`` answer 413. The whole file
is one transaction; the answer is the same report the CLI prints.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from litreview.api.deps import SessionDep, SettingsDep
from litreview.errors import InvalidInput, PayloadTooLarge
from litreview.library.bbt_json import import_bbt_json
from litreview.library.bibtex import BibtexImportOut, import_bibtex

router = APIRouter(tags=["import"])
REQUEST_BODY = "request body"


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            # Any other body is the file's bytes, whatever its Content-Type says.
            "text/plain": {"schema": {"type": "string", "minLength": 1}},
        },
    }
}


@router.post("/import/bibtex", response_model=BibtexImportOut, openapi_extra=_BODY_DOC)
async def import_bibtex_route(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    tag: list[str] = Query(default=[], description="Tags given to every paper."),
    area: str | None = Query(default=None, description="Area path, names joined by '/'."),
    dry_run: bool = Query(default=False, description="Report what would happen; store nothing."),
    source: str | None = Query(default=None, description="A name for the file in the report."),
) -> BibtexImportOut:
    """Import every good entry of the file and report each failed block with its line; a
    file that is not BibTeX at all is a report with no entries and that failure.

    JabRef groups become areas; a Better BibTeX JSON export (a ``.json`` file or an
    ``application/json`` body) is read as Zotero items with their collections as areas."""
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise _too_large(limit)
    data, name = await _read_file(request, limit)
    if not data and name == REQUEST_BODY:
        raise InvalidInput("the request has no BibTeX: send a file (multipart 'file') or a body")
    area_path = area if area and area.strip() else None

    # A Better BibTeX JSON export (Zotero items and collections): a .json upload or a JSON body.
    is_json = name.lower().endswith(".json") or "json" in request.headers.get("content-type", "")
    read = import_bbt_json if is_json else import_bibtex

    def run() -> BibtexImportOut:
        report = read(
            session,
            data,
            source=source or name,
            tags=tag,
            area_path=area_path,
            dry_run=dry_run,
        )
        session.commit()
        return report.public()

    return await run_in_threadpool(run)


async def _read_file(request: Request, limit: int) -> tuple[bytes, str]:
    """The file's bytes and name, from a multipart upload or the raw body."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        async with request.form() as form:  # closes the spooled upload files
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidInput("a multipart upload must name its file 'file'", field="file")
            data = await upload.read(limit + 1)
            name = upload.filename or "upload.bib"
    else:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        data, name = b"".join(chunks), REQUEST_BODY
    if len(data) > limit:
        raise _too_large(limit)
    return data, name


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the file is larger than the upload limit of {limit:,} bytes", limit=limit
    )
