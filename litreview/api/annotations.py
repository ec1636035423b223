"""Annotations: get, save with a version check, revisions and restore; a Markdown preview.

A stale save answers 409 with the current text (Markdown and sanitised HTML) and version, so an
editor can show what changed elsewhere and let the user merge.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from litreview.api.deps import SessionDep, json_response, reads_only
from litreview.api.papers import PaperId
from litreview.api.schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    AnnotationIn,
    AnnotationPublic,
    RenderIn,
    RenderOut,
    RestoreIn,
    RevisionList,
    RevisionPublic,
)
from litreview.errors import Conflict
from litreview.library.annotations import (
    get_annotation,
    list_revisions,
    restore_revision,
    save_annotation,
)
from litreview.render import render_markdown, with_current_html

router = APIRouter(tags=["annotations"], responses=ERROR_RESPONSES)

RevisionId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/papers/{paper_id}/annotation", response_model=AnnotationPublic)
def read_annotation(paper_id: PaperId, session: SessionDep) -> AnnotationPublic:
    """The paper's annotation (version 0 and empty when it was never annotated)."""
    return AnnotationPublic.from_row(get_annotation(session, paper_id))


@router.put("/papers/{paper_id}/annotation", response_model=AnnotationPublic)
def write_annotation(paper_id: PaperId, body: AnnotationIn, session: SessionDep) -> Response:
    """Save the text; ``version`` is the one the edit started from (409 when it is stale)."""
    try:
        annotation = save_annotation(
            session,
            paper_id,
            body.markdown,
            expected_version=body.version,
        )
    except Conflict as conflict:
        raise with_current_html(conflict) from None
    public = AnnotationPublic.from_row(annotation)  # before the commit expires the row
    session.commit()
    return json_response(public)


@router.get("/papers/{paper_id}/annotation/revisions", response_model=RevisionList)
def read_revisions(paper_id: PaperId, session: SessionDep) -> RevisionList:
    """Earlier texts of the annotation, newest first."""
    revisions = list_revisions(session, paper_id)
    items = [RevisionPublic.from_row(r) for r in revisions]
    return RevisionList(items=items, total=len(items))


@router.post(
    "/papers/{paper_id}/annotation/revisions/{revision_id}/restore",
    response_model=AnnotationPublic,
)
def restore_annotation(
    paper_id: PaperId,
    revision_id: RevisionId,
    body: RestoreIn,
    session: SessionDep,
) -> AnnotationPublic:
    """Make an earlier text current again; the text it replaces becomes a revision."""
    try:
        annotation = restore_revision(
            session,
            paper_id,
            revision_id,
            expected_version=body.version,
        )
    except Conflict as conflict:
        raise with_current_html(conflict) from None
    public = AnnotationPublic.from_row(annotation)  # before the commit expires the row
    session.commit()
    return public


@router.post("/render", response_model=RenderOut)
@reads_only
def render_preview(body: RenderIn) -> RenderOut:
    """Markdown rendered and sanitised exactly as a saved annotation would be."""
    return RenderOut(html=render_markdown(body.markdown))
