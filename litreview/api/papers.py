"""Papers: list and search, get, add by hand, edit (with a version check), delete."""

from __future__ import annotations

import re
import threading
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from sqlmodel import Session

from litreview.api.deps import SessionDep, SettingsDep, json_response
from litreview.api.disconnect import run_while_connected
from litreview.api.schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    PAPER_LINKS,
    PaperDetail,
    PaperIn,
    PaperList,
    PaperPublic,
    PaperUpdate,
)
from litreview.errors import InvalidInput, NotFound
from litreview.library.annotations import get_annotation
from litreview.library.notes import list_notes
from litreview.library.papers import create_paper, delete_paper, list_provenance, update_paper
from litreview.library.search import search_paper_ids
from litreview.library.views import load_paper_summaries, load_paper_views
from litreview.query import PaperQuery

router = APIRouter(tags=["papers"], responses=ERROR_RESPONSES)

PaperId = Annotated[int, Path(ge=1, le=MAX_ID, description="The paper's id")]
# A version (3, "3" or W/"3"), "*" or nothing; declared once for the schema and the parser.
IF_MATCH_PATTERN = r'^\s*(?:\*|(?:W/)?"?([0-9]{1,15})"?)?\s*$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
IfMatch = Annotated[
    str,
    Header(
        alias="If-Match",
        json_schema_extra={"pattern": IF_MATCH_PATTERN},
        description="The version the edit started from; a stale one answers 409",
    ),
]


def if_match_version(header: str | None) -> int | None:
    """The version an ``If-Match`` header names (``3``, ``"3"`` or ``W/"3"``); None if absent."""
    match = _IF_MATCH.match(header or "")
    if match is None:
        raise InvalidInput(f"If-Match must be a paper version, got {header!r}", field="If-Match")
    return int(match.group(1)) if match.group(1) else None


def paper_public(session: Session, paper_id: int) -> PaperPublic:
    views = load_paper_summaries(session, [paper_id])
    if not views:
        raise NotFound(f"no paper with id {paper_id}", paper_id=paper_id)
    return PaperPublic.from_view(views[0])


def paper_detail(session: Session, paper_id: int) -> PaperDetail:
    views = load_paper_views(session, [paper_id], with_links=True)
    if not views:
        raise NotFound(f"no paper with id {paper_id}", paper_id=paper_id)
    return PaperDetail.from_detail(
        views[0],
        get_annotation(session, paper_id),
        list_notes(session, paper_id),
        list_provenance(session, paper_id),
    )


@router.get("/papers", response_model=PaperList)
async def list_papers(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    query: Annotated[PaperQuery, Query()],
) -> Response:
    """Papers matching every filter given, one page at a time."""

    def run(gone: threading.Event) -> Response:
        ids, total = search_paper_ids(
            session, query, time_limit_ms=settings.search_time_limit_ms, cancelled=gone.is_set
        )
        views = load_paper_summaries(session, ids)
        return json_response(
            PaperList(items=[PaperPublic.from_view(v) for v in views], total=total)
        )

    # An abandoned search (the browser aborted it: the user typed on) stops running.
    return await run_while_connected(request, run)


@router.post(
    "/papers",
    response_model=PaperPublic,
    status_code=status.HTTP_201_CREATED,
    responses=PAPER_LINKS,
)
def add_paper(body: PaperIn, session: SessionDep) -> Response:
    """Add a paper by hand; the same paper already stored answers 409 with its id."""
    paper_id = create_paper(
        session,
        body.to_record(),
        tags=body.tags,
        area_ids=body.area_ids,
        status=body.status,
        rating=body.rating,
    )
    # Read back inside the write's own transaction: after the commit it would be a second one.
    public = paper_public(session, paper_id)
    session.commit()
    return json_response(public, status.HTTP_201_CREATED)


@router.get("/papers/{paper_id}", response_model=PaperDetail)
def get_paper_detail(paper_id: PaperId, session: SessionDep, response: Response) -> PaperDetail:
    """One paper with its abstract, relations and annotation."""
    detail = paper_detail(session, paper_id)
    response.headers["ETag"] = f'"{detail.version}"'
    return detail


@router.patch("/papers/{paper_id}", response_model=PaperPublic)
def edit_paper(
    paper_id: PaperId,
    body: PaperUpdate,
    session: SessionDep,
    if_match: IfMatch = "",
) -> Response:
    """Change the fields given; a stale ``version`` (or ``If-Match``) answers 409."""
    expected = body.version if body.version is not None else if_match_version(if_match)
    changes = body.model_dump(exclude_unset=True, exclude={"version", "authors", "fields"})
    update_paper(
        session,
        paper_id,
        changes,
        expected_version=expected,
        authors=body.authors,
        fields=body.fields,
    )
    public = paper_public(session, paper_id)
    session.commit()
    return json_response(public, headers={"ETag": f'"{public.version}"'})


@router.delete("/papers/{paper_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_paper(paper_id: PaperId, session: SessionDep, if_match: IfMatch = "") -> Response:
    """Delete a paper with its annotation, tags, places in areas and relations."""
    delete_paper(session, paper_id, expected_version=if_match_version(if_match))
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
