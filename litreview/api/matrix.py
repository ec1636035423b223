"""The matrix view's data: the selected papers counted by two dimensions (library.matrix).

``GET /api/matrix?rows=DIM&cols=DIM&<the paper query's filters>`` answers the counts (one GROUP
BY); each category names the filters of ``GET /api/papers`` that list its papers, so a cell's
papers are the selection plus its row's and its column's filters. ``GET /api/matrix/markdown``
is the same matrix as a Markdown table with links (the bibliography's matrix section).
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import col

from litreview.api.deps import SessionDep
from litreview.api.schemas import ARXIV_ABS, ERROR_RESPONSES
from litreview.exporters.columns_md import matrix_table
from litreview.exporters.markdown_tables import matrix_markdown
from litreview.library.matrix import Dimension, count_matrix, dimension_choices, paper_matrix
from litreview.models import Paper
from litreview.query import PaperFilter

router = APIRouter(tags=["matrix"], responses=ERROR_RESPONSES)

_DIMENSION = (
    "A dimension: column:NAME (a choice column), area:ID or area:PATH (its sub-areas), "
    "tag:PREFIX (tags PREFIX:value), or year"
)


class MatrixParams(PaperFilter):
    """The two dimensions and the selection (the paper query's filters)."""

    rows: Annotated[str, Field(min_length=1, max_length=2100, description=_DIMENSION)]
    cols: Annotated[str, Field(min_length=1, max_length=2100, description=_DIMENSION)]


class DimensionChoice(BaseModel):
    id: str = Field(description="What ?rows= and ?cols= take")
    label: str


class DimensionList(BaseModel):
    items: list[DimensionChoice]
    total: int


class CategoryPublic(BaseModel):
    label: str
    value: str | int = Field(
        description="What a paper is filed under it with: an option, an area id, a tag, a year"
    )
    filter: dict[str, list[str] | int] = Field(
        description="The filters of GET /api/papers that select its papers"
    )


class DimensionPublic(BaseModel):
    id: str
    kind: str = Field(description="column, area, tag or year")
    name: str
    label: str
    categories: list[CategoryPublic]


class UnfiledPaper(BaseModel):
    id: int
    title: str
    version: int


class MatrixPublic(BaseModel):
    rows: DimensionPublic
    cols: DimensionPublic
    counts: list[list[int]] = Field(description="counts[row][col]: the papers in each cell")
    total: int = Field(description="The selected papers")
    placed: int = Field(description="The selected papers in at least one cell")
    unfiled: list[UnfiledPaper] = Field(description="The first 200 papers in no cell, by id")


def _dimension(dim: Dimension) -> DimensionPublic:
    return DimensionPublic(
        id=dim.id,
        kind=dim.kind,
        name=dim.name,
        label=dim.label,
        categories=[
            CategoryPublic(label=c.label, value=c.value, filter=c.filter) for c in dim.categories
        ],
    )


def _selection(params: MatrixParams) -> PaperFilter:
    return PaperFilter.model_validate(params.model_dump(include=set(PaperFilter.model_fields)))


@router.get("/matrix/dimensions", response_model=DimensionList)
def list_dimensions(session: SessionDep) -> DimensionList:
    """Every dimension the library offers a matrix (choice columns, areas with sub-areas, tag
    groups, the year)."""
    items = [DimensionChoice(id=i, label=label) for i, label in dimension_choices(session)]
    return DimensionList(items=items, total=len(items))


@router.get("/matrix", response_model=MatrixPublic)
def get_matrix(session: SessionDep, params: Annotated[MatrixParams, Query()]) -> MatrixPublic:
    """The selected papers counted in each cell of two dimensions."""
    found = count_matrix(session, params.rows, params.cols, _selection(params))
    unfiled: list[Any] = []
    if found.unfiled:
        rows = session.execute(
            sa.select(col(Paper.id), col(Paper.title), col(Paper.version))
            .where(col(Paper.id).in_(found.unfiled))
            .order_by(col(Paper.id))
        )
        unfiled = [UnfiledPaper(id=i, title=t, version=v) for i, t, v in rows]
    return MatrixPublic(
        rows=_dimension(found.rows),
        cols=_dimension(found.cols),
        counts=found.counts,
        total=found.total,
        placed=found.placed,
        unfiled=unfiled,
    )


@router.get(
    "/matrix/markdown",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
)
def get_matrix_markdown(
    session: SessionDep, request: Request, params: Annotated[MatrixParams, Query()]
) -> Response:
    """The matrix as a Markdown table, each cell its papers' titles linked (to arXiv, the DOI,
    the paper's address, or else its page in this library)."""
    matrix = paper_matrix(session, params.rows, params.cols, _selection(params))
    ids = sorted({i for cell in matrix.cells.values() for i in cell})
    base = str(request.base_url).rstrip("/")
    papers: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(ids), 500):
        stmt = sa.select(
            col(Paper.id), col(Paper.title), col(Paper.arxiv_id), col(Paper.doi), col(Paper.url)
        ).where(col(Paper.id).in_(ids[start : start + 500]))
        for paper_id, title, arxiv_id, doi, url in session.execute(stmt):
            href = (
                f"{ARXIV_ABS}{arxiv_id}"
                if arxiv_id
                else f"https://doi.org/{doi}"
                if doi
                else url or f"{base}/#/paper/{paper_id}"
            )
            papers[paper_id] = (title, "", href)
    text = matrix_markdown(matrix_table(matrix, papers)) + "\n"
    return Response(content=text, media_type="text/markdown; charset=utf-8")
