"""The API's JSON shapes, separate from the tables: what goes in, what comes out.

Every list answers ``{"items": [...], "total": N}``. Text in request bodies is checked for
lone surrogates (they cannot be stored) and bounded in length; ids are bounded to what the
database can hold, so odd input is a 422 and never a 500.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from litreview.choices import MAX_TAG_LENGTH
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.importers.web_kinds import WebSourceKind, web_kind, web_site
from litreview.library.area_links import AreaMap
from litreview.library.areas import AreaNode
from litreview.library.links import LinkView
from litreview.library.notes import MAX_LOCATION
from litreview.library.views import PaperSummary, PaperView
from litreview.models import (
    KEPT_FIELDS,
    NOT_BLANK_TEXT,
    Annotation,
    AnnotationRevision,
    AreaRelation,
    AreaStatus,
    JsonNumber,
    KeyOrBlank,
    NoteKind,
    Paper,
    PaperBase,
    PaperNote,
    Provenance,
    ReadingStatus,
    Relation,
    ShortText,
    SourceKind,
    Stance,
    Text,
    Title,
    storable,
)
from litreview.normalize import split_display_name
from litreview.render import MAX_MARKDOWN_CHARS, check_markdown, render_markdown

# The largest integer every JSON client keeps exactly (JavaScript's, and validators that read
# numbers as doubles): ids and versions stay below it.
MAX_ID = 2**53 - 1
MAX_VERSION = MAX_ID
ARXIV_ABS = "https://arxiv.org/abs/"
DOI_RESOLVER = "https://doi.org/"


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back timestamps without a zone; they are stored in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(_as_utc)]


def _renders_in_time(markdown: str) -> str:
    # Refused with 413 (and the reason) when it takes too long to render.
    check_markdown(markdown)
    return markdown


# Every Markdown field (annotations, notes, area descriptions, previews): bounded in length
# (422) and in render time (413), when it is written.
Markdown = Annotated[
    str,
    Field(max_length=MAX_MARKDOWN_CHARS),
    AfterValidator(storable),
    AfterValidator(_renders_in_time),
]
NonBlankMarkdown = Annotated[
    str,
    Field(max_length=MAX_MARKDOWN_CHARS, json_schema_extra=NOT_BLANK_TEXT),
    AfterValidator(storable),
    AfterValidator(_renders_in_time),
]
# Numbers are JSON numbers and flags JSON booleans: `false` is not 0, 0 is not false.
Id = Annotated[int, Field(ge=1, le=MAX_ID), JsonNumber]
Version = Annotated[int, Field(ge=0, le=MAX_VERSION), JsonNumber]
Position = Annotated[int, Field(ge=0, le=MAX_ID), JsonNumber]
Flag = Annotated[bool, Field(strict=True)]
# An area's name: not blank, without "/" (paths join names with it).
AreaName = Annotated[
    str,
    Field(max_length=200, json_schema_extra={"pattern": r"^[^/]*[^\s/][^/]*$"}),
    AfterValidator(storable),
]


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, so a typo is a 422 rather than ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: int
    message: str


class ErrorOut(BaseModel):
    """Every error: ``{"error": {"status", "message", ...where}}``."""

    error: ErrorDetail


# Every route documents every error status (app.py adds these to each router it includes).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (400, "A body that is not valid JSON or multipart"),
        (401, "A write without the right bearer token"),
        (404, "Nothing has that id, key or path"),
        (409, "A stale version, or a name already taken"),
        (413, "Too large"),
        (422, "Input that cannot be used (or a search too broad: keep typing)"),
        (500, "An unexpected error (a damaged database)"),
        (502, "arXiv failed after retries"),
        (503, "The library is busy with another write; try again"),
    )
}


def links_to(param: str, *operations: str) -> dict[int | str, dict[str, Any]]:
    """A create's 201 answer with OpenAPI links: its ``id`` is ``param`` of each operation.

    Operations are named ``"METHOD /path"``. Clients (and schemathesis' stateful phase) follow
    the links from what was created to the routes that read, change and delete it.
    """
    links = {}
    for operation in operations:
        method, path = operation.split(" ")
        pointer = path.replace("~", "~0").replace("/", "~1")
        name = f"{method.lower()}{path}".replace("/", "_").replace("{", "").replace("}", "")
        links[name] = {
            "operationRef": f"#/paths/{pointer}/{method.lower()}",
            "parameters": {param: "$response.body#/id"},
        }
    return {201: {"links": links}}


# Papers ------------------------------------------------------------------------------------


class PersonPublic(BaseModel):
    name: str
    family: str
    given: str


class AreaRefPublic(BaseModel):
    id: int
    path: str
    note: str
    stance: Stance | None = None


class PaperPublic(BaseModel):
    id: int
    key: str
    entry_type: str
    title: str
    authors: list[PersonPublic]
    editors: list[PersonPublic]
    year: int | None
    date: str | None
    venue: str | None
    doi: str | None
    arxiv_id: str | None
    arxiv_version: int | None
    url: str | None
    pdf_url: str | None
    abs_url: str | None = Field(description="https://arxiv.org/abs/ID when the paper has one")
    doi_url: str | None
    tags: list[str]
    areas: list[AreaRefPublic]
    status: ReadingStatus
    rating: int | None
    version: int
    has_annotation: bool
    created_at: Timestamp
    updated_at: Timestamp
    journal_ref: str | None
    arxiv_comment: str | None
    primary_category: str | None
    fields: dict[str, Any] = Field(
        default_factory=dict, description="Values of one's own columns, by column name"
    )
    aliases: list[str] = Field(
        default_factory=list, description="Other citation keys (of entries merged into it)"
    )
    kind: WebSourceKind | None = Field(
        default=None,
        description="For a web source (an @online entry): blog-post, forum-post, video or other",
    )
    site: str | None = Field(
        default=None, description="Where a web source or report was published (LessWrong, ...)"
    )

    @classmethod
    def from_view(cls, view: PaperSummary | PaperView) -> PaperPublic:
        """The public shape of a stored paper (listed or whole), validated as it is built:
        pydantic reads the people and areas by their attributes."""
        p = view.paper
        # A summary's row is a mapping of its columns already (those not shown are ignored).
        if isinstance(view, PaperSummary):
            stored: Mapping[Any, Any] = view.paper._mapping
        else:
            stored = {name: getattr(view.paper, name) for name in _AS_STORED}
        extra = p.extra or {}
        return cls.model_validate(
            {
                **stored,
                "authors": view.authors,
                "editors": view.editors,
                "abs_url": f"{ARXIV_ABS}{p.arxiv_id}" if p.arxiv_id else None,
                "doi_url": f"{DOI_RESOLVER}{p.doi}" if p.doi else None,
                "tags": view.tags,
                "areas": view.areas,
                "status": view.status,
                "rating": view.rating,
                "has_annotation": view.annotated,
                "fields": view.fields,
                "aliases": view.aliases,
                "kind": web_kind(p.entry_type, extra),
                "site": web_site(p.entry_type, extra),
            },
            from_attributes=True,
        )


# PaperPublic's fields shown as the paper's row has them (a new column listed in PaperPublic
# needs nothing else); the others are made in from_view.
_AS_STORED = [
    name
    for name in PaperPublic.model_fields
    if name in Paper.model_fields and name not in {"status", "rating"}
]


# Where a new paper's id leads (POST /api/papers, POST /api/web-sources).
PAPER_LINKS = links_to(
    "paper_id",
    "GET /api/papers/{paper_id}",
    "PATCH /api/papers/{paper_id}",
    "DELETE /api/papers/{paper_id}",
    "GET /api/papers/{paper_id}/annotation",
    "PUT /api/papers/{paper_id}/annotation",
    "GET /api/papers/{paper_id}/notes",
    "POST /api/papers/{paper_id}/notes",
    "POST /api/papers/{paper_id}/relations",
    "PUT /api/papers/{paper_id}/tags/{name}",
    "PUT /api/papers/{paper_id}/areas/{area_id}",
)


class PaperList(BaseModel):
    items: list[PaperPublic]
    total: int


class OtherPaper(BaseModel):
    id: int
    key: str
    title: str


class RelationPublic(BaseModel):
    id: int
    relation: Relation
    direction: str = Field(description="outgoing (this paper ... other) or incoming")
    other: OtherPaper
    note: str

    @classmethod
    def from_view(cls, link: LinkView) -> RelationPublic:
        return cls(
            id=link.id,
            relation=link.relation,
            direction=link.direction,
            other=OtherPaper(id=link.other_id, key=link.other_key, title=link.other_title),
            note=link.note,
        )


class RelationList(BaseModel):
    items: list[RelationPublic]
    total: int


class AnnotationPublic(BaseModel):
    paper_id: int
    markdown: str
    html: str = Field(description="The Markdown rendered to sanitised HTML")
    version: int = Field(description="0 when the paper was never annotated")
    updated_at: Timestamp | None
    arxiv_version: int | None = Field(description="The arXiv version the text was written for")
    edited_by: str | None = Field(None, description="The member who wrote it (shared library)")

    @classmethod
    def from_row(cls, annotation: Annotation) -> AnnotationPublic:
        never = annotation.id is None
        return cls(
            paper_id=annotation.paper_id,
            markdown=annotation.markdown,
            html=render_markdown(annotation.markdown),
            version=annotation.version,
            updated_at=None if never else annotation.updated_at,
            arxiv_version=annotation.arxiv_version,
            edited_by=annotation.edited_by,
        )


PRIVATE_NOTE = "Seen by its author only (left out of the shared search)"


class NotePublic(BaseModel):
    id: int
    paper_id: int
    kind: NoteKind
    markdown: str
    html: str = Field(description="The Markdown rendered to sanitised HTML")
    location: str = Field(description="Where in the paper (a quote's page or section)")
    position: int = Field(description="Its place in the paper's notes, from 0")
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    created_by: str | None = Field(None, description="The member who wrote it (shared library)")
    edited_by: str | None = Field(None, description="The member who last changed it")
    private: bool = Field(False, description=PRIVATE_NOTE)

    @classmethod
    def from_row(cls, note: PaperNote) -> NotePublic:
        assert note.id is not None
        return cls(
            id=note.id,
            paper_id=note.paper_id,
            kind=note.kind,
            markdown=note.markdown,
            html=render_markdown(note.markdown),
            location=note.location,
            position=note.position,
            version=note.version,
            created_at=note.created_at,
            updated_at=note.updated_at,
            created_by=note.created_by,
            edited_by=note.edited_by,
            private=note.private,
        )


class NoteList(BaseModel):
    items: list[NotePublic]
    total: int


class ProvenancePublic(BaseModel):
    """One arrival of a record at the paper: an import, or another paper merged into it."""

    source: SourceKind
    detail: str = Field(description="The file, query or merged paper it came from")
    arxiv_version: int | None
    at: Timestamp
    by: str | None = Field(None, description="The member who imported or merged it")

    @classmethod
    def from_row(cls, row: Provenance) -> ProvenancePublic:
        return cls(
            source=SourceKind(row.source),
            detail=row.detail,
            arxiv_version=row.arxiv_version,
            at=row.imported_at,
            by=row.created_by,
        )


class PaperDetail(PaperPublic):
    abstract: str | None
    relations: list[RelationPublic]
    annotation: AnnotationPublic
    notes: list[NotePublic]
    provenance: list[ProvenancePublic] = Field(
        default_factory=list, description="Where its records came from, oldest first"
    )

    @classmethod
    def from_detail(
        cls,
        view: PaperView,
        annotation: Annotation,
        notes: list[PaperNote],
        provenance: list[Provenance],
    ) -> PaperDetail:
        base = PaperPublic.from_view(view).model_dump()
        return cls(
            **base,
            abstract=view.paper.abstract,
            relations=[RelationPublic.from_view(link) for link in view.links],
            annotation=AnnotationPublic.from_row(annotation),
            notes=[NotePublic.from_row(note) for note in notes],
            provenance=[ProvenancePublic.from_row(row) for row in provenance],
        )


# PaperBase's fields an import record has too (status and rating are set apart).
RECORD_FIELDS = set(PaperBase.model_fields) & {f.name for f in dataclasses.fields(PaperRecord)}


def _none_if_blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class PaperIn(Strict, PaperBase):
    """A paper added by hand: a title is all it needs (the fields are PaperBase's)."""

    key: KeyOrBlank | None = Field(
        default=None, description="Blank or absent: one is made from the first author, year, title"
    )
    title: Title
    entry_type: Annotated[ShortText, Field(max_length=40)] | None = "article"
    authors: list[ShortText] = Field(default_factory=list, max_length=2000)
    tags: list[Annotated[ShortText, Field(max_length=MAX_TAG_LENGTH)]] = Field(
        default_factory=list, max_length=200
    )
    area_ids: list[Id] = Field(default_factory=list, max_length=200)

    def to_record(self) -> PaperRecord:
        """The paper as an import record (identity and merge rules apply as for any import)."""
        people = [split_display_name(name) for name in self.authors if name.strip()]
        given = self.model_dump(include=RECORD_FIELDS, exclude={"key", "entry_type"})
        return PaperRecord(
            **{name: _none_if_blank(value) for name, value in given.items()},
            source=SourceKind.manual,
            source_detail="added by hand",
            key=self.key.strip() if self.key and self.key.strip() else None,
            entry_type=(self.entry_type or "").strip() or "article",
            authors=[AuthorRecord(name=p.display, family=p.family, given=p.given) for p in people],
        )


FieldValues = Annotated[
    dict[Annotated[str, Field(max_length=200)], Any],
    Field(
        max_length=500,
        description="Values of one's own columns by name (null clears one); see /api/columns",
    ),
]


def _kept_not_nullable(schema: dict[str, Any]) -> None:
    # The fields a paper always has take a value or are left out: null is not in their schema.
    for name in KEPT_FIELDS:
        field = schema["properties"][name]
        field.pop("default", None)
        field["anyOf"] = [s for s in field["anyOf"] if s.get("type") != "null"]


class PaperUpdate(Strict, PaperBase):
    """Fields to change (absent = unchanged); ``version`` = the version the edit started from."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_kept_not_nullable)

    @field_validator(*KEPT_FIELDS, mode="before")
    @classmethod
    def _not_cleared(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("a paper always has one: leave the field out to keep it")
        return value

    version: Version | None = Field(
        default=None, description="Refuse the edit (409) unless the paper is at this version"
    )
    authors: list[ShortText] | None = Field(default=None, max_length=2000)
    fields: FieldValues | None = None


# Annotations -------------------------------------------------------------------------------


class AnnotationIn(Strict):
    markdown: Markdown
    version: Version = Field(description="The version the edit started from; 0 when none")


class RestoreIn(Strict):
    version: Version = Field(description="The annotation's current version, as the editor saw it")


class RevisionPublic(BaseModel):
    id: int
    version: int
    markdown: str
    html: str
    saved_at: Timestamp
    edited_by: str | None = None

    @classmethod
    def from_row(cls, revision: AnnotationRevision) -> RevisionPublic:
        assert revision.id is not None
        return cls(
            id=revision.id,
            version=revision.version,
            markdown=revision.markdown,
            html=render_markdown(revision.markdown),
            saved_at=revision.saved_at,
            edited_by=revision.edited_by,
        )


class RevisionList(BaseModel):
    items: list[RevisionPublic]
    total: int


class RenderIn(Strict):
    markdown: Markdown


class RenderOut(BaseModel):
    html: str


# Tags --------------------------------------------------------------------------------------


class TagPublic(BaseModel):
    id: int
    name: str
    count: int
    private: bool = Field(description="Left out of exports that print only public tags")


class TagUpdate(Strict):
    private: Flag


class TagList(BaseModel):
    items: list[TagPublic]
    total: int


class PaperTags(BaseModel):
    tags: list[str]
    version: int = Field(description="The paper's version after the change.")


# Areas -------------------------------------------------------------------------------------


class AreaPublic(BaseModel):
    id: int
    name: str
    path: str
    description: str
    description_html: str
    parent_id: int | None
    position: int
    status: AreaStatus
    paper_count: int
    direct_count: int
    children: list[AreaPublic]
    child_count: int = Field(
        0, description="Its sub-areas (listed under children unless a depth left them out)"
    )
    version: int = 1
    fields: dict[str, Any] = Field(
        default_factory=dict, description="Values of one's own area columns, by column name"
    )
    updated_at: Timestamp | None = Field(None, description="When the area itself last changed")
    edited_by: str | None = Field(None, description="The member who last changed it")

    @classmethod
    def from_node(
        cls, node: AreaNode, fields: dict[int, dict[str, Any]] | None = None
    ) -> AreaPublic:
        area = node.area
        values = fields or {}
        assert area.id is not None
        return cls(
            id=area.id,
            name=area.name,
            path=node.path,
            description=area.description,
            description_html=render_markdown(area.description),
            parent_id=area.parent_id,
            position=area.position,
            status=AreaStatus(area.status),
            paper_count=node.paper_count,
            direct_count=node.direct_count,
            children=[cls.from_node(child, values) for child in node.children],
            child_count=node.child_count,
            version=area.version,
            fields=values.get(area.id, {}),
            updated_at=area.updated_at,
            edited_by=area.edited_by,
        )


class AreaTree(BaseModel):
    items: list[AreaPublic] = Field(
        description="The top-level areas (or a parent's sub-areas), each with its sub-areas"
    )
    total: int = Field(description="The number of areas listed, at every level")


class AreaIn(Strict):
    name: AreaName
    parent_id: Id | None = None
    description: Markdown = ""


class AreaUpdate(Strict):
    """Absent fields stay; ``parent_id`` present and null moves the area to the top level."""

    name: AreaName | None = None
    description: Markdown | None = None
    parent_id: Id | None = None
    fields: FieldValues | None = None
    version: Version | None = Field(
        default=None, description="With fields: refuse (409) unless the area is at this version"
    )
    status: AreaStatus | None = None
    position: Position | None = Field(
        None, description="Put the area at this place among its siblings (from 0)"
    )


class PaperAreaIn(Strict):
    """Absent fields stay; ``stance`` present and null clears the stance."""

    note: Text | None = None
    stance: Stance | None = None


class DeletionPlanPublic(BaseModel):
    """What deleting an area would do, before it is done."""

    area_id: int
    path: str
    sub_areas: list[str] = Field(description="Paths of every area below it")
    papers_placed: int = Field(description="Papers placed in the area itself")
    papers_in_subtree: int = Field(description="Papers placed in it or any area below it")
    links: int = Field(description="Links between areas that the subtree takes part in")
    lift_clashes: list[str] = Field(description="Sub-areas whose names a lift would clash with")
    if_lifted: str = Field(description="What children=lift does, in one sentence")
    if_deleted: str = Field(description="What children=delete does, in one sentence")


class AreaLinkIn(Strict):
    source_id: Id
    target_id: Id
    relation: AreaRelation
    note: Text = ""


class AreaLinkPatch(Strict):
    note: Text


class AreaLinkPublic(BaseModel):
    id: int
    source_id: int
    target_id: int
    relation: AreaRelation
    note: str


class AreaLinkList(BaseModel):
    items: list[AreaLinkPublic]
    total: int


class MapNode(BaseModel):
    id: int
    name: str
    path: str
    parent_id: int | None = Field(description="The tree edge: null at the top (or the root)")
    status: AreaStatus
    position: int
    paper_count: int
    direct_count: int
    fields: dict[str, Any] = Field(
        default_factory=dict, description="The area's own columns' values (when any)"
    )


class MapPublic(BaseModel):
    nodes: list[MapNode] = Field(description="Areas, parents before their children")
    links: list[AreaLinkPublic]

    @classmethod
    def from_map(cls, area_map: AreaMap, values: dict[int, dict[str, Any]]) -> MapPublic:
        ids = area_map.node_ids
        nodes = [
            MapNode(
                id=n.area.id or 0,
                name=n.area.name,
                path=n.path,
                parent_id=n.area.parent_id if n.area.parent_id in ids else None,
                status=AreaStatus(n.area.status),
                position=n.area.position,
                paper_count=n.paper_count,
                direct_count=n.direct_count,
                fields=values.get(n.area.id or 0, {}),
            )
            for n in area_map.nodes
        ]
        links = [AreaLinkPublic.model_validate(lk, from_attributes=True) for lk in area_map.links]
        return cls(nodes=nodes, links=links)


class PaperAreas(BaseModel):
    areas: list[AreaRefPublic]
    version: int = Field(description="The paper's version after the change.")


# Notes -------------------------------------------------------------------------------------

Location = Annotated[str, Field(max_length=MAX_LOCATION), AfterValidator(storable)]


class NoteIn(Strict):
    kind: NoteKind = NoteKind.note
    markdown: NonBlankMarkdown = Field(description="The note's text (Markdown); not blank")
    location: Location = Field("", description="Where in the paper, e.g. p. 4 or §3.2")
    private: Flag = Field(False, description=PRIVATE_NOTE)


class NotePatch(Strict):
    version: Version = Field(description="The version the edit started from (409 when stale)")
    kind: NoteKind | None = None
    markdown: NonBlankMarkdown | None = None
    location: Location | None = None
    position: Position | None = Field(
        None, description="Move the note to this place in the paper's notes (from 0)"
    )
    private: Flag | None = Field(None, description=f"{PRIVATE_NOTE} (its author only)")


# Relations ---------------------------------------------------------------------------------


class RelationIn(Strict):
    target_id: Id
    relation: Relation
    note: Text = ""
