"""JSON shapes of columns of one's own and of saved table views."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from litreview.api.schemas import Strict, Version
from litreview.models import (
    ColumnTarget,
    ColumnType,
    CustomColumn,
    JsonNumber,
    SavedView,
    ShortText,
    Text,
    storable,
)

# A letter or digit (formulas name columns by them: formulas.slug).
ColumnName = Annotated[
    str,
    Field(min_length=1, max_length=100, json_schema_extra={"pattern": "[0-9A-Za-z]"}),
    AfterValidator(storable),
]
ColumnPosition = Annotated[int, Field(ge=0, le=10**6), JsonNumber]
Option = Annotated[ShortText, Field(max_length=200)]
Unit = Annotated[ShortText, Field(max_length=40)]
Bound = Annotated[float, Field(allow_inf_nan=False)]


class ColumnIn(Strict):
    """A new column; a ``formula`` makes a computed number over numeric columns."""

    name: ColumnName
    type: ColumnType = ColumnType.text
    target: ColumnTarget = ColumnTarget.paper
    description: Text = ""
    options: list[Option] = Field(default_factory=list, max_length=200)
    unit: Unit = ""
    minimum: Bound | None = None
    maximum: Bound | None = None
    formula: Annotated[ShortText, Field(max_length=1000)] | None = Field(
        None,
        description="e.g. p_success * p_relevant * impact; + - * / ^, min, max, log, exp, sqrt,"
        " round, abs, if(cond, a, b); columns named by their name in lower case with _",
    )
    position: ColumnPosition | None = None


class ColumnUpdate(Strict):
    """Settings to change (absent = unchanged): rename, options, unit, bounds, formula."""

    name: ColumnName | None = None
    description: Text | None = None
    options: list[Option] | None = Field(None, max_length=200)
    unit: Unit | None = None
    minimum: Bound | None = None
    maximum: Bound | None = None
    formula: Annotated[ShortText, Field(max_length=1000)] | None = None
    position: ColumnPosition | None = None


class ColumnPublic(BaseModel):
    id: int
    name: str
    key: str = Field(description="How formulas and queries name the column")
    target: ColumnTarget
    type: ColumnType
    description: str
    options: list[str]
    unit: str
    minimum: float | None
    maximum: float | None
    formula: str | None
    position: int

    @classmethod
    def from_row(cls, column: CustomColumn) -> ColumnPublic:
        from litreview.formulas import slug

        assert column.id is not None
        return cls(
            id=column.id,
            name=column.name,
            key=slug(column.name),
            target=column.target,
            type=column.type,
            description=column.description,
            options=list(column.options),
            unit=column.unit,
            minimum=column.minimum,
            maximum=column.maximum,
            formula=column.formula,
            position=column.position,
        )


class ColumnList(BaseModel):
    items: list[ColumnPublic]
    total: int


class ColumnDeleted(BaseModel):
    deleted_values: int


class ViewIn(Strict):
    """A named table view: ``spec`` holds its query, columns and sort as the UI sends them."""

    name: Annotated[ShortText, Field(min_length=1, max_length=200)]
    target: ColumnTarget = ColumnTarget.paper
    spec: dict[str, Any] = Field(default_factory=dict)
    version: Version | None = Field(None, description="When replacing: 409 unless at this version")


class ViewPublic(BaseModel):
    id: int
    name: str
    target: ColumnTarget
    spec: dict[str, Any]
    version: int

    @classmethod
    def from_row(cls, view: SavedView) -> ViewPublic:
        assert view.id is not None
        return cls(
            id=view.id, name=view.name, target=view.target, spec=view.spec, version=view.version
        )


class ViewList(BaseModel):
    items: list[ViewPublic]
    total: int
