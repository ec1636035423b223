"""SQLModel tables of the library, the enums they use, and :class:`PaperBase`.

Only portable column types (SQLite now, PostgreSQL later): integers, strings, text, JSON,
timestamps and non-native enums. ``PaperBase`` declares once the fields of a paper a person sets;
the API's create and update bodies (``api/schemas.py``) and what ``library.papers`` lets an edit
change derive from it. The other API shapes live in ``litreview/api/schemas.py``.
"""

# No `from __future__ import annotations`: pydantic and SQLAlchemy would evaluate each of the
# tables' ~200 annotations from its text at import (~6 ms of every command's start).
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import pydantic
import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from litreview.choices import AreaRelation as AreaRelation
from litreview.choices import AreaStatus as AreaStatus
from litreview.choices import ColumnTarget as ColumnTarget
from litreview.choices import ColumnType as ColumnType
from litreview.choices import MemberRole as MemberRole
from litreview.choices import ReadingStatus as ReadingStatus
from litreview.choices import Stance as Stance
from litreview.choices import SuggestionState as SuggestionState
from litreview.normalize import (
    ARXIV_ID_PATTERN,
    CITATION_KEY_PATTERN,
    DOI_PATTERN,
    SPACE,
    normalize_doi,
    try_arxiv_id,
)


def utcnow() -> datetime:
    """The current time in UTC (timestamps are stored in UTC)."""
    return datetime.now(UTC)


class Relation(StrEnum):
    cites = "cites"
    extends = "extends"
    critiques = "critiques"
    replicates = "replicates"
    responds_to = "responds_to"
    related = "related"
    corrects = "corrects"
    published_as = "published_as"
    supersedes = "supersedes"


class NoteKind(StrEnum):
    quote = "quote"
    question = "question"
    critique = "critique"
    note = "note"


class AuthorRole(StrEnum):
    author = "author"
    editor = "editor"


class SourceKind(StrEnum):
    arxiv = "arxiv"
    bibtex = "bibtex"
    manual = "manual"


def _enum(enum: type[StrEnum], name: str) -> sa.Enum:
    # native_enum=False keeps it a VARCHAR with a CHECK: the same on SQLite and PostgreSQL.
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
    )


# The papers whose BibTeX fields may name another entry by key (crossref, related, cites): a
# partial index finds these few at once (library.suggestions reads them after every import).
# A test of the JSON text, not a parse of it: cheap on every insert, and a false positive (a
# value that is the word) only reads one more paper.
_NAMING_FIELDS = ("crossref", "related", "cites")
NAMES_OTHERS = {
    "sqlite": " OR ".join(f"instr(extra, '\"{name}\"') > 0" for name in _NAMING_FIELDS),
    "postgresql": " OR ".join(f"strpos(extra::text, '\"{name}\"') > 0" for name in _NAMING_FIELDS),
}


# The key of a partial index's PostgreSQL condition in its ``info`` (see :func:`_partial_index`),
# and of the columns a PostgreSQL index carries for index-only scans (see ``Paper``'s year).
POSTGRESQL_WHERE = "postgresql_where"
POSTGRESQL_INCLUDE = "postgresql_include"


def _partial_index(
    name: str, *columns: str, where: str, postgresql_where: str | None = None, unique: bool = False
) -> sa.Index:
    """An index of the rows that meet ``where`` (on PostgreSQL ``postgresql_where``, if given).

    SQLite's condition is set at once; PostgreSQL's waits in the index's ``info`` until
    :func:`add_postgresql_conditions` sets it, when a PostgreSQL engine is made: naming
    ``postgresql_where`` here would load SQLAlchemy's PostgreSQL dialect and its drivers'
    modules (~20 ms) in every process that imports the tables, a SQLite library's command too."""
    return sa.Index(
        name,
        *columns,
        unique=unique,
        sqlite_where=sa.text(where),
        info={POSTGRESQL_WHERE: postgresql_where or where},
    )


def add_postgresql_conditions(metadata: sa.MetaData) -> None:
    """Give ``metadata``'s partial indexes their PostgreSQL condition, and indexes their
    PostgreSQL included columns (idempotent)."""
    for table in metadata.tables.values():
        for index in table.indexes:
            condition = index.info.get(POSTGRESQL_WHERE)
            if condition is not None and index.dialect_kwargs.get(POSTGRESQL_WHERE) is None:
                index.dialect_kwargs[POSTGRESQL_WHERE] = sa.text(condition)
            included = index.info.get(POSTGRESQL_INCLUDE)
            if included is not None and not index.dialect_kwargs.get(POSTGRESQL_INCLUDE):
                index.dialect_kwargs[POSTGRESQL_INCLUDE] = included


class TableModel(SQLModel):
    """The base of the library's tables: pydantic builds a table's validator and serializer
    when one is first used, not at import (they are rarely used: rows are built by SQLAlchemy and
    checked by the API's own shapes), which is ~10 ms of every command's start."""

    model_config = pydantic.ConfigDict(defer_build=True)  # type: ignore[assignment]


class Paper(TableModel, table=True):
    """One paper, whatever ways it arrived."""

    __tablename__ = "paper"
    __table_args__ = (
        _partial_index(
            "ix_paper_names_others",
            "id",
            where=NAMES_OTHERS["sqlite"],
            postgresql_where=NAMES_OTHERS["postgresql"],
        ),
        # A year filter's ids read from the index alone on PostgreSQL (SQLite's index holds the
        # rowid, the id): "reward" in 2015-2020 at 100,000 papers read 11,574 pages of papers
        # for the 19,873 of those years (375 ms on a busy machine), now none (3 ms). Revision 0021.
        sa.Index("ix_paper_year", "year", info={POSTGRESQL_INCLUDE: ["id"]}),
        # Newest first, papers without a year last (search._order): SQLite walks ix_paper_year
        # backwards for it (NULL is its smallest value), PostgreSQL needs the order declared
        # ("learning" sorted by year at 100,000 papers sorted every paper: ~40 ms of CPU, now
        # ~0.5 ms for the page). PostgreSQL only (ddl_if); revision 0022.
        sa.Index(
            "ix_paper_year_newest", sa.text("year DESC NULLS LAST"), sa.text("id DESC")
        ).ddl_if(dialect="postgresql"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    entry_type: str = Field(default="article", max_length=40)
    title: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    title_fp: str = Field(
        default="", sa_column=sa.Column(sa.String(200), nullable=False, index=True)
    )
    author_names: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    abstract: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    year: int | None = None
    date: str | None = Field(default=None, max_length=40)
    venue: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    doi: str | None = Field(default=None, sa_column=sa.Column(sa.String(300), unique=True))
    arxiv_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(40), unique=True))
    arxiv_version: int | None = None
    arxiv_categories: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    primary_category: str | None = Field(default=None, max_length=40)
    arxiv_comment: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    journal_ref: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    published: str | None = Field(default=None, max_length=40)
    arxiv_updated: str | None = Field(default=None, max_length=40)
    url: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    pdf_url: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    status: ReadingStatus = Field(
        default=ReadingStatus.unread,
        sa_column=sa.Column(
            _enum(ReadingStatus, "reading_status"),
            nullable=False,
            server_default="unread",
            index=True,
        ),
    )
    rating: int | None = Field(default=None, index=True)
    extra: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    original: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, index=True),
    )
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, index=True),
    )
    version: int = Field(default=1)


class Author(TableModel, table=True):
    """A person, shared by all papers that name them the same way."""

    __tablename__ = "author"

    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(sa_column=sa.Column(sa.String(300), nullable=False, unique=True))
    name: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    family: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, index=True))
    given: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))


class PaperAuthor(TableModel, table=True):
    """An author's place in a paper's author (or editor) list."""

    __tablename__ = "paper_author"

    paper_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True
        )
    )
    role: AuthorRole = Field(
        sa_column=sa.Column(_enum(AuthorRole, "author_role"), primary_key=True)
    )
    position: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    author_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("author.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    affiliation: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class Tag(TableModel, table=True):
    __tablename__ = "tag"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    # A working tag ("to-check", "batch1") that a published export can leave out.
    private: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()),
    )


class PaperTag(TableModel, table=True):
    __tablename__ = "paper_tag"
    # A tag's papers read from the index alone (search filters).
    __table_args__ = (sa.Index("ix_paper_tag_tag_paper", "tag_id", "paper_id"),)

    paper_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True
        )
    )
    tag_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class Area(TableModel, table=True):
    """A node of the research-area tree."""

    __tablename__ = "area"
    __table_args__ = (
        sa.UniqueConstraint("parent_id", "name", name="uq_area_parent_name"),
        # NULLs are distinct in UNIQUE: top-level names need their own (partial) index.
        _partial_index("ux_area_root_name", "name", unique=True, where="parent_id IS NULL"),
    )

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("area.id", ondelete="RESTRICT"), nullable=True, index=True
        ),
    )
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    position: int = Field(default=0)
    version: int = Field(
        default=1, sa_column=sa.Column(sa.Integer, nullable=False, server_default="1")
    )
    status: AreaStatus = Field(
        default=AreaStatus.open,
        sa_column=sa.Column(
            _enum(AreaStatus, "area_status"), nullable=False, server_default="open"
        ),
    )
    # The last change of the area itself (name, description, place, status, values) and its
    # member (on a shared library); None for an area never changed since it was made.
    updated_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )
    edited_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))


class AreaLink(TableModel, table=True):
    """A typed, directed link between areas across the tree: ``source`` enables ``target``."""

    __tablename__ = "area_link"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "target_id", "relation", name="uq_area_link"),
        sa.CheckConstraint("source_id <> target_id", name="ck_area_link_not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("area.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    target_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("area.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    relation: AreaRelation = Field(
        sa_column=sa.Column(_enum(AreaRelation, "area_relation"), nullable=False)
    )
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )


class PaperArea(TableModel, table=True):
    __tablename__ = "paper_area"
    # An area's papers read from the index alone (search filters).
    __table_args__ = (sa.Index("ix_paper_area_area_paper", "area_id", "paper_id"),)

    paper_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True
        )
    )
    area_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("area.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    stance: Stance | None = Field(
        default=None, sa_column=sa.Column(_enum(Stance, "stance"), nullable=True)
    )


# What makes an annotation written (a paper's has_annotation, in lists and as a filter): SQL
# over the annotation table; its partial index serves every query that says it.
WRITTEN_ANNOTATION = "markdown <> ''"


class Annotation(TableModel, table=True):
    """The paper's Markdown annotation: the text the bibliography prints."""

    __tablename__ = "annotation"
    # The papers with written annotations, read without touching the text (has_annotation).
    __table_args__ = (
        _partial_index("ix_annotation_written", "paper_id", where=WRITTEN_ANNOTATION),
    )

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    markdown: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    version: int = Field(default=1)
    arxiv_version: int | None = Field(default=None)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )
    # The member who wrote this text (on a shared library; None when accounts are off).
    edited_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))


class AnnotationRevision(TableModel, table=True):
    """A previous text of an annotation, kept so an edit can be undone."""

    __tablename__ = "annotation_revision"

    id: int | None = Field(default=None, primary_key=True)
    annotation_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("annotation.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    version: int
    markdown: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    saved_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    edited_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))


class PaperNote(TableModel, table=True):
    """A further note on a paper, besides its annotation: a quote (and where in the paper it
    is), a question, a critique. A paper's notes are ordered by ``position`` (0, 1, ...)."""

    __tablename__ = "paper_note"

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: NoteKind = Field(sa_column=sa.Column(_enum(NoteKind, "note_kind"), nullable=False))
    markdown: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    location: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    position: int = Field(default=0)
    version: int = Field(default=1)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )
    # The members who wrote and last changed it (on a shared library; see library.attribution).
    created_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))
    edited_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))
    # Seen by its author only (and left out of the shared full-text index).
    private: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()),
    )


class PaperLink(TableModel, table=True):
    """A typed relation: ``source`` critiques / extends / cites ... ``target``."""

    __tablename__ = "paper_link"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "target_id", "relation", name="uq_paper_link"),
        sa.CheckConstraint("source_id <> target_id", name="ck_paper_link_not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    target_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    relation: Relation = Field(sa_column=sa.Column(_enum(Relation, "relation"), nullable=False))
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )


class Provenance(TableModel, table=True):
    """Where and when a record of a paper arrived (one row per arrival that changed or added it)."""

    __tablename__ = "provenance"

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    source: SourceKind = Field(
        sa_column=sa.Column(_enum(SourceKind, "source_kind"), nullable=False)
    )
    detail: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    arxiv_version: int | None = None
    imported_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )
    # The member who imported or merged it (on a shared library; see library.attribution).
    created_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))


class CustomColumn(TableModel, table=True):
    """A column of one's own, defined once per library for papers or for areas.

    ``options`` holds a choice column's ordered options; ``formula`` makes a computed number.
    """

    __tablename__ = "custom_column"
    __table_args__ = (sa.UniqueConstraint("target", "name", name="uq_custom_column_name"),)

    id: int | None = Field(default=None, primary_key=True)
    target: ColumnTarget = Field(
        sa_column=sa.Column(_enum(ColumnTarget, "column_target"), nullable=False)
    )
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    type: ColumnType = Field(sa_column=sa.Column(_enum(ColumnType, "column_type"), nullable=False))
    options: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    unit: str = Field(default="", sa_column=sa.Column(sa.String(40), nullable=False))
    minimum: float | None = None
    maximum: float | None = None
    formula: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    position: int = Field(default=0)


class PaperValue(TableModel, table=True):
    """A paper's value in a column of one's own.

    ``num`` is the number a filter and a sort read (a range's median, a choice's place among
    its options, 1/0 for yes/no); ``text`` the text they read (a choice, a date, a link; a
    multi-choice as ``|a|b|``); ``data`` the value itself as the API shows it.
    """

    __tablename__ = "paper_value"
    __table_args__ = (
        sa.Index("ix_paper_value_num", "column_id", "num", "paper_id"),
        sa.Index("ix_paper_value_text", "column_id", "text", "paper_id"),
        # A paper's values; and a filter's probe of one paper's value reads its number here.
        sa.Index("ix_paper_value_paper", "paper_id", "column_id", "num"),
    )

    column_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("custom_column.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    paper_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("paper.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    num: float | None = None
    text: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    data: Any = Field(default=None, sa_column=sa.Column(sa.JSON))


class AreaValue(TableModel, table=True):
    """An area's value in a column of one's own (the same shape as :class:`PaperValue`)."""

    __tablename__ = "area_value"

    column_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("custom_column.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    area_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("area.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
            index=True,
        )
    )
    num: float | None = None
    text: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    data: Any = Field(default=None, sa_column=sa.Column(sa.JSON))


class SavedView(TableModel, table=True):
    """A named table view: its query (filters, sort), its columns, shared through the API."""

    __tablename__ = "saved_view"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    target: ColumnTarget = Field(
        sa_column=sa.Column(_enum(ColumnTarget, "column_target"), nullable=False)
    )
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    version: int = Field(default=1)


class DuplicateStatus(StrEnum):
    open = "open"
    dismissed = "dismissed"


class PaperAlias(TableModel, table=True):
    """A citation key of a paper besides its own (e.g. the key of an entry merged into it)."""

    __tablename__ = "paper_alias"

    key: str = Field(sa_column=sa.Column(sa.String(200), primary_key=True))
    paper_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class PossibleDuplicate(TableModel, table=True):
    """Two papers that look alike (title, year, a family name) for the user to decide on.

    ``paper_a_id`` < ``paper_b_id``; a dismissed pair ("not a duplicate") stays, so it is not
    proposed again.
    """

    __tablename__ = "possible_duplicate"
    __table_args__ = (
        sa.UniqueConstraint("paper_a_id", "paper_b_id", name="uq_possible_duplicate"),
        sa.CheckConstraint("paper_a_id < paper_b_id", name="ck_possible_duplicate_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    paper_a_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False
        )
    )
    paper_b_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    status: DuplicateStatus = Field(
        default=DuplicateStatus.open,
        sa_column=sa.Column(
            _enum(DuplicateStatus, "duplicate_status"),
            nullable=False,
            server_default="open",
            index=True,
        ),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )


class Preamble(TableModel, table=True):
    """A BibTeX ``@preamble`` as it came in (written back at the top of BibTeX exports)."""

    __tablename__ = "preamble"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False, unique=True))
    source: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))


class Member(TableModel, table=True):
    """A person with an account on a shared library. While there is none, the library is one
    person's and nobody signs in."""

    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False, unique=True))
    role: MemberRole = Field(sa_column=sa.Column(_enum(MemberRole, "member_role"), nullable=False))
    # Argon2; None until the member sets one (on first sign-in) or an owner does.
    password_hash: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    failed_sign_ins: int = Field(default=0)
    blocked_until: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True))
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )


class MemberSecret(TableModel, table=True):
    """A sign-in session (cookie) or an API token of a member, stored as a SHA-256 digest."""

    __tablename__ = "member_secret"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("member.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    digest: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    # "session" or "token"; a token has a name and may be read-only.
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    name: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    can_write: bool = Field(default=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )


def _key_part(target: str) -> sa.Column[int]:
    """A column of a composite primary key that refers to ``target`` (deleted with it)."""
    return sa.Column(
        sa.Integer,
        sa.ForeignKey(target, ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )


class MemberPaper(TableModel, table=True):
    """A member's own reading status and rating of a paper (on a shared library everyone reads
    for themselves; the paper's own columns are the member-less values: library.reading)."""

    __tablename__ = "member_paper"
    # A member's papers of one status, or by rating, read from the index alone.
    __table_args__ = (
        sa.Index("ix_member_paper_status", "member_id", "status", "paper_id"),
        sa.Index("ix_member_paper_rating", "member_id", "rating", "paper_id"),
        sa.Index("ix_member_paper_paper", "paper_id"),
    )

    member_id: int = Field(sa_column=_key_part("member.id"))
    paper_id: int = Field(sa_column=_key_part("paper.id"))
    status: ReadingStatus = Field(
        default=ReadingStatus.unread,
        sa_column=sa.Column(
            _enum(ReadingStatus, "reading_status"), nullable=False, server_default="unread"
        ),
    )
    rating: int | None = None


class PaperSuggestion(TableModel, table=True):
    """A relation found in the papers themselves ("Comment on arXiv:..."), waiting for the user.

    Accepted ones became a :class:`PaperLink`; dismissed ones stay so that they are never
    suggested again.
    """

    __tablename__ = "paper_suggestion"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "target_id", "relation", name="uq_paper_suggestion"),
        sa.CheckConstraint("source_id <> target_id", name="ck_paper_suggestion_not_self"),
        sa.Index("ix_paper_suggestion_state", "state", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False
        )
    )
    target_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("paper.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    relation: Relation = Field(sa_column=sa.Column(_enum(Relation, "relation"), nullable=False))
    found_in: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    evidence: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    state: SuggestionState = Field(
        default=SuggestionState.pending,
        sa_column=sa.Column(
            _enum(SuggestionState, "suggestion_state"), nullable=False, server_default="pending"
        ),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )


# The fields a person sets ------------------------------------------------------------------

MAX_TEXT = 100_000


def storable(value: str) -> str:
    """Text that can be stored: refuses lone surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
    return value


def _web_url(value: str | None) -> str | None:
    # Links are followed from the UI: only web addresses, never javascript: or data:.
    web = ("http://", "https://")
    if value is not None and value.strip() and not value.strip().lower().startswith(web):
        raise ValueError("a URL must start with http:// or https://")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _doi(value: str | None) -> str | None:
    if value is not None and value.strip() and normalize_doi(value) is None:
        raise ValueError(f"not a DOI: {value!r}")
    return value


def _arxiv_id(value: str | None) -> str | None:
    if value is not None and value.strip() and try_arxiv_id(value) is None:
        raise ValueError(f"not an arXiv identifier: {value!r}")
    return value


After = pydantic.AfterValidator
Bounded = pydantic.Field
# Patterns the API's schema states for text the library checks itself, with its own clearer
# message (so they are json_schema_extra, not pydantic patterns; JSON Schema patterns match
# anywhere in the text): some non-space text; a web address or nothing.
NOT_BLANK = f"[^{SPACE}]"
BLANK = f"^[{SPACE}]*$"
# Text that is not blank, as a body's schema states it: "not only spacing" (a pattern beside a
# large maxLength is one that generators turn into a quantifier they cannot draw from).
NOT_BLANK_TEXT: dict[str, Any] = {"not": {"pattern": BLANK}}
WEB_URL = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://"
WEB_URL_OR_BLANK = rf"^\s*$|{WEB_URL}"
# A web source's address: http(s):// and a host, no spaces inside.
WEB_ADDRESS = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://\S+\s*$"
Text = Annotated[str, Bounded(max_length=MAX_TEXT), After(storable)]
ShortText = Annotated[str, Bounded(max_length=2000), After(storable)]
WebUrl = Annotated[
    str,
    Bounded(max_length=2000, json_schema_extra={"pattern": WEB_URL_OR_BLANK}),
    After(storable),
    After(_web_url),
]
WebAddress = Annotated[
    str,
    Bounded(max_length=2000, json_schema_extra={"pattern": WEB_ADDRESS}),
    After(storable),
    After(_web_url),
]
Key = Annotated[
    str,
    Bounded(max_length=200, json_schema_extra={"pattern": CITATION_KEY_PATTERN}),
    After(storable),
]
# A key given when a paper is added: blank (or absent) asks for one made from it.
KeyOrBlank = Annotated[
    str,
    Bounded(max_length=200, json_schema_extra={"pattern": f"{BLANK}|{CITATION_KEY_PATTERN}"}),
    After(storable),
]
# The forms normalize.py reads (its one pattern each), or blank for none.
Doi = Annotated[
    str,
    Bounded(max_length=2000, json_schema_extra={"pattern": f"{BLANK}|{DOI_PATTERN}"}),
    After(storable),
    After(_doi),
]
ArxivIdText = Annotated[
    str,
    Bounded(max_length=2000, json_schema_extra={"pattern": f"{BLANK}|{ARXIV_ID_PATTERN}"}),
    After(storable),
    After(_arxiv_id),
]
EntryType = Annotated[
    str,
    Bounded(max_length=40, json_schema_extra=NOT_BLANK_TEXT),
    After(storable),
    After(_not_blank),
]
Title = Annotated[
    str,
    Bounded(max_length=2000, json_schema_extra=NOT_BLANK_TEXT),
    After(storable),
    After(_not_blank),
]


def _json_number(value: Any) -> Any:
    # JSON's integers only: `false` is not 0 and "3" is not 3 (3.0 is, as JSON Schema says).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number is expected")
    return value


JsonNumber = pydantic.BeforeValidator(_json_number)
Year = Annotated[int, Bounded(ge=-9999, le=9999), JsonNumber]
Rating = Annotated[int, Bounded(ge=0, le=5), JsonNumber]


class PaperBase(pydantic.BaseModel):
    """The fields of a paper a person may set (absent: unchanged or the default), declared once.

    ``api.schemas.PaperIn``/``PaperUpdate`` extend it; ``library.papers.EDITABLE`` is its
    field names; a new editable field is one line here (plus its column above and a migration).
    """

    key: Key | None = None
    entry_type: EntryType | None = None
    title: Title | None = None
    abstract: Text | None = None
    year: Year | None = None
    date: Annotated[ShortText, Bounded(max_length=40)] | None = None
    venue: ShortText | None = None
    doi: Doi | None = None
    arxiv_id: ArxivIdText | None = None
    url: WebUrl | None = None
    pdf_url: WebUrl | None = None
    journal_ref: ShortText | None = None
    status: ReadingStatus | None = None
    rating: Rating | None = None


# Fields every paper has: an edit may change them, never clear them (null or blank).
KEPT_FIELDS = ("key", "entry_type", "title", "status")
