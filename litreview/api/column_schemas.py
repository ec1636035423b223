"""JSON shapes of columns of one's own and of saved table views."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from litreview.api.schemas import Strict, Version
from litreview.library.columns import BOUNDED, CHOICES, MAX_OPTIONS
from litreview.models import (
    BLANK,
    NOT_BLANK_TEXT,
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
Option = Annotated[ShortText, Field(max_length=200, json_schema_extra={"pattern": "^[^|]*$"})]
Unit = Annotated[ShortText, Field(max_length=40)]
Bound = Annotated[float, Field(allow_inf_nan=False), JsonNumber]
# Formulas have a grammar no pattern states: the schema names it as a format (described here).
FormulaText = Annotated[
    ShortText,
    Field(
        max_length=1000,
        json_schema_extra={"format": "formula"},
        description="e.g. p_success * p_relevant * impact; + - * / ^, min, max, log, exp, sqrt,"
        " round, abs, if(cond, a, b); columns named by their name in lower case with _"
        " (a name that is not a numeric column, or a cycle, is 409)",
    ),
]


def _settings_by_type(schema: dict[str, Any]) -> None:
    # Which settings each type takes, from the sets the library checks them by.
    blank = {"type": "string", "pattern": BLANK}
    none = {"anyOf": [{"type": "null"}, blank]}
    no_options = {"type": "array", "items": blank}
    no_bound = {"type": "null"}

    def types(chosen: set[ColumnType]) -> dict[str, Any]:
        return {"enum": sorted(t.value for t in chosen)}

    plain = set(ColumnType) - CHOICES - BOUNDED
    schema["anyOf"] = [
        {
            "description": "A formula makes a computed number (of any type given)",
            "required": ["formula"],
            "properties": {"formula": {"type": "string", **NOT_BLANK_TEXT}, "options": no_options},
        },
        {
            "description": "Choices: at least one option, no bounds",
            "required": ["type", "options"],
            "properties": {
                "type": types(CHOICES),
                "formula": none,
                "options": {"type": "array", "contains": {"type": "string", **NOT_BLANK_TEXT}},
                "minimum": no_bound,
                "maximum": no_bound,
            },
        },
        {
            "description": "Numbers: bounds (in either order), no options",
            "required": ["type"],
            "properties": {"type": types(BOUNDED), "formula": none, "options": no_options},
        },
        {
            "description": "Other types (text when none is given): neither options nor bounds",
            "properties": {
                "type": types(plain),
                "formula": none,
                "options": no_options,
                "minimum": no_bound,
                "maximum": no_bound,
            },
        },
    ]


class ColumnIn(Strict):
    """A new column; a ``formula`` makes a computed number over numeric columns."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_settings_by_type)

    name: ColumnName
    type: ColumnType = ColumnType.text
    target: ColumnTarget = ColumnTarget.paper
    description: Text = ""
    options: list[Option] = Field(default_factory=list, max_length=MAX_OPTIONS)
    unit: Unit = ""
    minimum: Bound | None = None
    maximum: Bound | None = None
    formula: FormulaText | None = None
    position: ColumnPosition | None = None


class ColumnUpdate(Strict):
    """Settings to change (absent = unchanged): rename, options, unit, bounds, formula.

    What the column's type does not take (options, bounds), a bound beyond the other one kept,
    or a formula for a column of typed values conflicts with the column: 409."""

    name: ColumnName | None = None
    description: Text | None = None
    options: list[Option] | None = Field(None, max_length=MAX_OPTIONS)
    unit: Unit | None = None
    minimum: Bound | None = None
    maximum: Bound | None = None
    formula: FormulaText | None = None
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
