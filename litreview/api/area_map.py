"""Links between areas (list, add, annotate, remove), the research map as one JSON graph, and
a paper's relations some hops out as a graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from litreview.api.deps import SessionDep
from litreview.api.papers import PaperId
from litreview.api.schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    AreaLinkIn,
    AreaLinkList,
    AreaLinkPatch,
    AreaLinkPublic,
    MapPublic,
    links_to,
)
from litreview.library.area_links import (
    get_area_link,
    link_areas,
    load_map,
    unlink_areas,
    update_area_link,
)
from litreview.library.relation_graph import MAX_HOPS, relation_graph
from litreview.library.values import field_values
from litreview.models import ColumnTarget, Relation

router = APIRouter(tags=["areas"], responses=ERROR_RESPONSES)

AreaLinkId = Annotated[int, Path(ge=1, le=MAX_ID, description="The area link's id")]


@router.get("/area-links", response_model=AreaLinkList)
def list_area_links(session: SessionDep) -> AreaLinkList:
    """Every link between areas, by source, target and type."""
    links = [
        AreaLinkPublic.model_validate(lk, from_attributes=True) for lk in load_map(session).links
    ]
    return AreaLinkList(items=links, total=len(links))


@router.post(
    "/area-links",
    response_model=AreaLinkPublic,
    status_code=status.HTTP_201_CREATED,
    responses=links_to(
        "link_id", "PATCH /api/area-links/{link_id}", "DELETE /api/area-links/{link_id}"
    ),
)
def add_area_link(body: AreaLinkIn, session: SessionDep) -> AreaLinkPublic:
    """Source ``relation`` target (e.g. enables it); an enables cycle is 422 with ``cycle``."""
    link = link_areas(session, body.source_id, body.target_id, body.relation, note=body.note)
    session.commit()
    return AreaLinkPublic.model_validate(link, from_attributes=True)


@router.patch("/area-links/{link_id}", response_model=AreaLinkPublic)
def edit_area_link(link_id: AreaLinkId, body: AreaLinkPatch, session: SessionDep) -> AreaLinkPublic:
    """Change the link's note."""
    update_area_link(session, link_id, note=body.note)
    session.commit()
    return AreaLinkPublic.model_validate(get_area_link(session, link_id), from_attributes=True)


@router.delete("/area-links/{link_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_area_link(link_id: AreaLinkId, session: SessionDep) -> Response:
    unlink_areas(session, link_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/map", response_model=MapPublic)
def get_map(
    session: SessionDep,
    root: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this area's subtree")
    ] = None,
) -> MapPublic:
    """The areas as a graph: nodes (status, paper counts, own columns' values under
    ``fields``), tree edges by parent, links."""
    area_map = load_map(session, root_id=root)
    values = field_values(session, ColumnTarget.area, sorted(area_map.node_ids))
    return MapPublic.from_map(area_map, values)


class GraphPaperPublic(BaseModel):
    id: int
    key: str
    title: str
    year: int | None
    hops: int = Field(description="How many relations away from the paper asked about")


class GraphLinkPublic(BaseModel):
    source_id: int
    target_id: int
    relation: Relation


class RelationGraph(BaseModel):
    nodes: list[GraphPaperPublic]
    links: list[GraphLinkPublic]


@router.get("/papers/{paper_id}/relation-graph", response_model=RelationGraph, tags=["relations"])
def get_relation_graph(
    paper_id: PaperId,
    session: SessionDep,
    hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description="How far out")] = 2,
) -> RelationGraph:
    """The paper's relations, and theirs, ``hops`` relations out (either direction)."""
    nodes, links = relation_graph(session, paper_id, hops=hops)
    return RelationGraph(
        nodes=[GraphPaperPublic(**vars(n)) for n in nodes],
        links=[GraphLinkPublic(**vars(lk)) for lk in links],
    )
