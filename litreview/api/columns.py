"""Columns of one's own (define, rename, change, delete) and saved table views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import Field

from litreview.api.column_schemas import (
    ColumnDeleted,
    ColumnIn,
    ColumnList,
    ColumnPublic,
    ColumnUpdate,
    ViewIn,
    ViewList,
    ViewPublic,
)
from litreview.api.deps import SessionDep
from litreview.api.schemas import ERROR_RESPONSES, MAX_ID, AreaPublic, AreaTree, links_to
from litreview.choices import COLUMN_FILTER_PATTERN
from litreview.errors import Conflict
from litreview.library.areas import area_tree, walk_tree
from litreview.library.column_edits import (
    count_values,
    create_column,
    delete_column,
    update_column,
)
from litreview.library.column_query import area_ids_by_columns
from litreview.library.columns import get_column, list_columns
from litreview.library.saved_views import delete_view, list_views, save_view
from litreview.library.values import field_values
from litreview.models import ColumnTarget
from litreview.query import SortOrder as OrderParam

router = APIRouter(tags=["columns"], responses=ERROR_RESPONSES)

ColumnId = Annotated[int, Path(ge=1, le=MAX_ID, description="The column's id")]
ViewId = Annotated[int, Path(ge=1, le=MAX_ID, description="The view's id")]


@router.get("/columns", response_model=ColumnList)
def get_columns(session: SessionDep, target: ColumnTarget | None = None) -> ColumnList:
    """The columns of one's own, for papers and areas (or one ``target``), in order."""
    columns = list_columns(session, target)
    return ColumnList(items=[ColumnPublic.from_row(c) for c in columns], total=len(columns))


@router.post(
    "/columns",
    response_model=ColumnPublic,
    status_code=status.HTTP_201_CREATED,
    responses=links_to(
        "column_id", "PATCH /api/columns/{column_id}", "DELETE /api/columns/{column_id}"
    ),
)
def add_column(body: ColumnIn, session: SessionDep) -> ColumnPublic:
    """A new column; a formula over numeric columns is computed for every row at once."""
    column = create_column(session, **body.model_dump())
    session.commit()
    return ColumnPublic.from_row(column)


@router.patch("/columns/{column_id}", response_model=ColumnPublic)
def edit_column(column_id: ColumnId, body: ColumnUpdate, session: SessionDep) -> ColumnPublic:
    """Rename (formulas follow), change options (those in use stay), unit, bounds, formula."""
    column = update_column(session, column_id, body.model_dump(exclude_unset=True))
    session.commit()
    return ColumnPublic.from_row(column)


@router.delete("/columns/{column_id}", response_model=ColumnDeleted)
def remove_column(
    column_id: ColumnId,
    session: SessionDep,
    confirm: Annotated[
        bool, Query(description="Needed when the column holds values: they go with it")
    ] = False,
) -> ColumnDeleted:
    """Delete a column with its values (409 unless ``confirm`` when it holds any)."""
    column = get_column(session, column_id)
    held = count_values(session, column)
    if held and not confirm:
        raise Conflict(
            f"column {column.name!r} holds {held} values; delete with confirm=true to drop them",
            values=held,
        )
    deleted = delete_column(session, column_id)
    session.commit()
    return ColumnDeleted(deleted_values=deleted)


@router.get("/areas/table", response_model=AreaTree, tags=["areas"])
def query_areas(
    session: SessionDep,
    field: Annotated[
        list[
            Annotated[
                str, Field(max_length=1000, json_schema_extra={"pattern": COLUMN_FILTER_PATTERN})
            ]
        ],
        Query(description="An area column: NAME:OP:VALUE as for papers (repeatable, all hold)"),
    ] = [],  # noqa: B006
    sort_field: Annotated[
        str | None, Query(max_length=200, description="Sort by an area column")
    ] = None,
    order: OrderParam = OrderParam.desc,
) -> AreaTree:
    """The areas as a flat table (no sub-areas nested), filtered and sorted by their columns;
    e.g. research directions by their BOTEC estimate, largest first."""
    ids = area_ids_by_columns(session, field, sort_field, order == OrderParam.desc)
    nodes = {n.area.id: n for n in walk_tree(area_tree(session))}
    fields = field_values(session, ColumnTarget.area, ids)
    items = [
        AreaPublic.from_node(nodes[i], fields).model_copy(update={"children": []}) for i in ids
    ]
    return AreaTree(items=items, total=len(items))


@router.get("/views", response_model=ViewList)
def get_views(session: SessionDep) -> ViewList:
    """Saved table views, by name."""
    views = list_views(session)
    return ViewList(items=[ViewPublic.from_row(v) for v in views], total=len(views))


@router.post("/views", response_model=ViewPublic)
def put_view(body: ViewIn, session: SessionDep) -> ViewPublic:
    """Save a view under its name (replacing one of that name)."""
    view = save_view(session, body.name, body.target, body.spec, expected_version=body.version)
    session.commit()
    return ViewPublic.from_row(view)


@router.delete("/views/{view_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_view(view_id: ViewId, session: SessionDep) -> None:
    """Delete a saved view."""
    delete_view(session, view_id)
    session.commit()
