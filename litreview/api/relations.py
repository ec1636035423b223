"""Typed relations between papers: list a paper's, add one, remove one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from litreview.api.deps import SessionDep
from litreview.api.papers import PaperId
from litreview.api.schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    RelationIn,
    RelationList,
    RelationPublic,
    links_to,
)
from litreview.errors import NotFound
from litreview.library.links import add_link, paper_links, remove_link

router = APIRouter(tags=["relations"], responses=ERROR_RESPONSES)

LinkId = Annotated[int, Path(ge=1, le=MAX_ID, description="The relation's id")]


@router.get("/papers/{paper_id}/relations", response_model=RelationList)
def list_relations(paper_id: PaperId, session: SessionDep) -> RelationList:
    """Every relation the paper takes part in: outgoing first, then incoming."""
    items = [RelationPublic.from_view(v) for v in paper_links(session, paper_id)]
    return RelationList(items=items, total=len(items))


@router.post(
    "/papers/{paper_id}/relations",
    response_model=RelationPublic,
    status_code=status.HTTP_201_CREATED,
    responses=links_to("link_id", "DELETE /api/relations/{link_id}"),
)
def add_relation(paper_id: PaperId, body: RelationIn, session: SessionDep) -> RelationPublic:
    """This paper ``relation`` the target (e.g. critiques it); the same one twice is 409."""
    link = add_link(session, paper_id, body.target_id, body.relation, note=body.note)
    session.commit()
    for view in paper_links(session, paper_id):
        if view.id == link.id:
            return RelationPublic.from_view(view)
    raise NotFound(f"no relation with id {link.id}")  # unreachable: it was just stored


@router.delete("/relations/{link_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_relation(link_id: LinkId, session: SessionDep) -> Response:
    """Remove one relation (both papers stay)."""
    remove_link(session, link_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
