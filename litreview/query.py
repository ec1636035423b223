"""The paper query: every filter, sort and page of a paper list, declared once.

:class:`PaperFilter` holds the filters (what ``GET /api/export`` and ``litreview export`` take)
and :class:`PaperQuery` adds the order and the page (``GET /api/papers``, ``litreview search``).
Each field is declared once here, with its type, bounds, help text and command-line flags; the
rest derives from it:

- the API takes either model as its query parameters (``Annotated[PaperQuery, Query()]``), so
  FastAPI validates them and documents them in OpenAPI;
- the CLI commands get one option per field that names its flags (:class:`Cli`) from
  ``litreview.cli_query.query_options``, and :meth:`PaperFilter.parse` validates what was
  typed with the same rules, turning a refusal into one :class:`~litreview.errors.InvalidInput`
  line;
- ``library.search`` reads the fields (``search_paper_ids``, ``id_filters``);
- the web UI's one query module (``web/js/query.js``) names the same parameters.

A new filter is a field here and its clause in ``library.search.id_filters``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from litreview.choices import COLUMN_FILTER_PATTERN, MAX_TAG_LENGTH, ReadingStatus, SortKey
from litreview.errors import InvalidInput

MAX_LIMIT = 500
MAX_OFFSET = 10**9
MAX_ID = 2**62


class SortOrder(StrEnum):
    asc = "asc"
    desc = "desc"


@dataclass(frozen=True)
class Cli:
    """How a field is typed on the command line: its flags (``"--annotated/--not-annotated"``
    for a yes/no/unset field)."""

    flags: tuple[str, ...]

    def __init__(self, *flags: str) -> None:
        object.__setattr__(self, "flags", flags)


Year = Annotated[int, Field(ge=-9999, le=9999)]


def _one_of(kind: type[Enum], what: str) -> BeforeValidator:
    """Refuse a value that names no member of ``kind``, listing the known ones."""
    known = [str(m.value) for m in kind]

    def check(value: Any) -> Any:
        if isinstance(value, str) and value.strip() not in known:
            raise PydanticCustomError(
                "unknown_value",
                "unknown {what} '{value}' (known: {known})",
                {"what": what, "value": value, "known": ", ".join(known)},
            )
        return value.strip() if isinstance(value, str) else value

    return BeforeValidator(check)


class PaperFilter(BaseModel):
    """Which papers: every filter optional, every given one must hold."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[
        str | None,
        Cli("--query", "-q"),
        Field(max_length=1000, description="Full text (title, abstract, authors, annotation)"),
    ] = None
    tag: Annotated[
        list[Annotated[str, Field(max_length=MAX_TAG_LENGTH)]],
        Cli("--tag", "-t"),
        Field(description="Only papers with this tag; repeatable, every tag must match"),
    ] = []
    area: Annotated[
        list[Annotated[str, Field(max_length=2000)]],
        BeforeValidator(lambda value: [value] if isinstance(value, str) else value),
        Cli("--area"),
        Field(
            max_length=50,
            description="Area id or path ('A/B'), its sub-areas included; repeatable, the paper "
            "must be in every area given",
        ),
    ] = []
    area_id: Annotated[
        int | None,
        Field(ge=1, le=MAX_ID, description="Area id; its sub-areas included"),
    ] = None
    area_path: Annotated[
        str | None,
        Field(max_length=2000, description="Area path, names joined by '/'"),
    ] = None
    status: Annotated[
        ReadingStatus | None,
        _one_of(ReadingStatus, "reading status"),
        Cli("--status"),
        Field(description="Only papers with this reading status"),
    ] = None
    year_min: Annotated[
        Year | None, Cli("--year-min"), Field(description="Only papers from this year on")
    ] = None
    year_max: Annotated[
        Year | None, Cli("--year-max"), Field(description="Only papers up to this year")
    ] = None
    author: Annotated[
        str | None,
        Cli("--author"),
        Field(max_length=300, description="Only papers with an author whose name has this"),
    ] = None
    has_annotation: Annotated[
        bool | None,
        Cli("--annotated/--not-annotated"),
        Field(description="Only annotated (true) or unannotated (false) papers"),
    ] = None
    field: Annotated[
        list[
            Annotated[
                str, Field(max_length=1000, json_schema_extra={"pattern": COLUMN_FILTER_PATTERN})
            ]
        ],
        Cli("--field"),
        Field(
            description="A column of one's own: NAME:OP:VALUE, OP one of eq, ne, lt, lte, gt, gte,"
            " between (LOW..HIGH), in (a,b,c), contains, has (true|false); repeatable, all hold",
        ),
    ] = []

    @classmethod
    def parse(cls, **values: Any) -> Any:
        """The model from typed values (a CLI's options): unset ones (None) take the default,
        and a refusal is one :class:`InvalidInput` line naming the option."""
        given = {k: v for k, v in values.items() if v is not None}
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            first = exc.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else "query"
            flag = _flag(cls, name)
            typed = repr(first.get("input"))
            got = "" if typed in first["msg"] else f", got {typed}"
            raise InvalidInput(f"{flag}: {first['msg']}{got}", field=name) from None

    def is_filtered(self) -> bool:
        """True when papers are filtered by something other than their area."""
        return any(
            getattr(self, name) not in (None, [], "")
            for name in PaperFilter.model_fields
            if not name.startswith("area")
        )


class PaperQuery(PaperFilter):
    """Which papers, in which order, which page."""

    sort: Annotated[
        SortKey | None,
        _one_of(SortKey, "sort"),
        Cli("--sort"),
        Field(description="Default: relevance with a full-text query, else added"),
    ] = None
    order: Annotated[
        SortOrder | None,
        _one_of(SortOrder, "order"),
        Cli("--order"),
        Field(description="Default: the sort's natural order"),
    ] = None
    sort_field: Annotated[
        str | None,
        Cli("--sort-field"),
        Field(max_length=200, description="Sort by a column of one's own (with order=asc|desc)"),
    ] = None
    limit: Annotated[
        int, Cli("--limit"), Field(ge=0, le=MAX_LIMIT, description="Papers in one page")
    ] = 50
    offset: Annotated[
        int, Cli("--offset"), Field(ge=0, le=MAX_OFFSET, description="Papers skipped")
    ] = 0


def cli_flags(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """The command-line flags of a field (none: not an option)."""
    info = model.model_fields.get(name)
    cli = next((m for m in info.metadata if isinstance(m, Cli)), None) if info else None
    return cli.flags if cli else ()


def _flag(model: type[BaseModel], name: str) -> str:
    flags = cli_flags(model, name)
    return flags[0].split("/")[0] if flags else name
