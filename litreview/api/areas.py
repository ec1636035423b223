"""The research-area tree (list, create, rename, move, delete) and a paper's places in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlmodel import Session

from litreview.api.deps import SessionDep
from litreview.api.papers import PaperId, paper_public
from litreview.api.schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    AreaIn,
    AreaPublic,
    AreaTree,
    AreaUpdate,
    DeletionPlanPublic,
    PaperAreaIn,
    PaperAreas,
    links_to,
)
from litreview.errors import NotFound
from litreview.library.areas import (
    ChildrenChoice,
    area_tree,
    create_area,
    delete_area,
    deletion_plan,
    get_area,
    remove_paper_from_area,
    set_paper_area,
    update_area,
    walk_tree,
)
from litreview.library.values import field_values, set_area_fields
from litreview.models import ColumnTarget

router = APIRouter(tags=["areas"], responses=ERROR_RESPONSES)

AreaId = Annotated[int, Path(ge=1, le=MAX_ID, description="The area's id")]


def area_public(session: Session, area_id: int) -> AreaPublic:
    """One area as the tree shows it (path, counts, sub-areas)."""
    parent_id = get_area(session, area_id).parent_id
    for node in area_tree(session, parent_id=parent_id):
        if node.area.id == area_id:
            return AreaPublic.from_node(node, field_values(session, ColumnTarget.area, [area_id]))
    raise NotFound(f"no area with id {area_id}", area_id=area_id)


@router.get("/areas", response_model=AreaTree)
def list_areas(
    session: SessionDep,
    parent: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="List the sub-areas of this area (default: the top)"),
    ] = None,
    depth: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Levels to list (default: all); 1 for one level"),
    ] = None,
) -> AreaTree:
    """The tree (or a part: ``?depth=1`` the top level, ``?parent=ID&depth=1`` one area's
    sub-areas, as a sidebar loads them); each node counts its papers with and without its
    sub-areas, and ``child_count`` says whether it has sub-areas left out."""
    roots = area_tree(session, parent_id=parent, depth=depth)
    nodes = walk_tree(roots)
    ids = [n.area.id for n in nodes if n.area.id is not None]
    fields = field_values(session, ColumnTarget.area, ids)
    return AreaTree(items=[AreaPublic.from_node(n, fields) for n in roots], total=len(nodes))


@router.get("/areas/{area_id:int}", response_model=AreaPublic)
def get_area_public(area_id: AreaId, session: SessionDep) -> AreaPublic:
    """One area with its path, counts, description and sub-areas."""
    return area_public(session, area_id)


@router.post(
    "/areas",
    response_model=AreaPublic,
    status_code=status.HTTP_201_CREATED,
    responses=links_to(
        "area_id",
        "GET /api/areas/{area_id}",
        "PATCH /api/areas/{area_id}",
        "DELETE /api/areas/{area_id}",
        "GET /api/areas/{area_id}/deletion",
        "PUT /api/papers/{paper_id}/areas/{area_id}",
    ),
)
def add_area(body: AreaIn, session: SessionDep) -> AreaPublic:
    """A new area, at the top level or under ``parent_id``."""
    area = create_area(session, body.name, parent_id=body.parent_id, description=body.description)
    session.commit()
    assert area.id is not None
    return area_public(session, area.id)


@router.patch("/areas/{area_id:int}", response_model=AreaPublic)
def edit_area(area_id: AreaId, body: AreaUpdate, session: SessionDep) -> AreaPublic:
    """Rename, describe or move; ``parent_id: null`` moves to the top level; ``fields`` sets
    the area's own columns (with ``version``: 409 when stale)."""
    if body.fields is not None:
        set_area_fields(session, area_id, body.fields, expected_version=body.version)
    update_area(
        session,
        area_id,
        name=body.name,
        description=body.description,
        parent_id=body.parent_id,
        move="parent_id" in body.model_fields_set,
        status=body.status,
        position=body.position,
    )
    session.commit()
    return area_public(session, area_id)


@router.get("/areas/{area_id:int}/deletion", response_model=DeletionPlanPublic)
def plan_area_deletion(area_id: AreaId, session: SessionDep) -> DeletionPlanPublic:
    """What deleting the area would do to its sub-areas, papers and links (nothing changes)."""
    plan = deletion_plan(session, area_id)
    return DeletionPlanPublic(
        **vars(plan),
        if_lifted=plan.describe(ChildrenChoice.lift),
        if_deleted=plan.describe(ChildrenChoice.delete),
    )


@router.delete("/areas/{area_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def remove_area(
    area_id: AreaId,
    session: SessionDep,
    children: Annotated[
        ChildrenChoice | None,
        Query(description="With sub-areas: lift them up one level, or delete the subtree"),
    ] = None,
) -> Response:
    """Delete an area; papers stay in the library. An area with sub-areas needs ``children``
    (409 with the plan otherwise: see ``GET /areas/{id}/deletion``)."""
    delete_area(session, area_id, children=children)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/papers/{paper_id}/areas/{area_id}", response_model=PaperAreas)
def place_paper(
    paper_id: PaperId, area_id: AreaId, session: SessionDep, body: PaperAreaIn | None = None
) -> PaperAreas:
    """Put the paper in the area; a ``note`` or ``stance`` given replaces the stored one."""
    set_paper_area(
        session,
        paper_id,
        area_id,
        note=body.note if body else None,
        stance=body.stance if body else None,
        set_stance=body is not None and "stance" in body.model_fields_set,
    )
    session.commit()
    paper = paper_public(session, paper_id)
    return PaperAreas(areas=paper.areas, version=paper.version)


@router.delete("/papers/{paper_id}/areas/{area_id}", response_model=PaperAreas)
def unplace_paper(paper_id: PaperId, area_id: AreaId, session: SessionDep) -> PaperAreas:
    """Take the paper out of the area (the paper itself stays)."""
    remove_paper_from_area(session, paper_id, area_id)
    session.commit()
    paper = paper_public(session, paper_id)
    return PaperAreas(areas=paper.areas, version=paper.version)
