"""Choices that the CLI names in its options and the library acts on: plain enums.

They live apart from the library so that ``litreview --help`` (and any command) can offer them
without importing SQLAlchemy, the models or the library (see bench/cli_startup.py). The library
modules that act on them import them from here.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class ReadingStatus(StrEnum):
    unread = "unread"
    to_read = "to_read"
    skimmed = "skimmed"
    read = "read"


# The operators of a column filter NAME:OP:VALUE (library.column_query), and the filter's form
# as the API's schema states it (a name, a known operator in any case, then :VALUE or nothing).
COLUMN_FILTER_OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "between", "in", "contains", "has")


def _any_case(words: tuple[str, ...]) -> str:
    return "|".join("".join(f"[{c}{c.upper()}]" for c in word) for word in words)


_VALUED = _any_case(tuple(op for op in COLUMN_FILTER_OPS if op != "has"))
COLUMN_FILTER_PATTERN = (
    rf"^[^:]*[^:\s][^:]*:\s*(?:(?:{_VALUED})\s*:[\s\S]*\S|[Hh][Aa][Ss]\s*(?::[\s\S]*)?$)"
)

# The longest tag name (library.tags cleans tags; the paper query bounds its tag filter by it).
MAX_TAG_LENGTH = 200


class SortKey(Enum):
    """The order of a paper list (library.search). Status sorts by its name, as a spreadsheet
    would (A to Z: read, skimmed, to_read, unread); tags and areas by a paper's first one as
    it shows them (by name, by path; papers without any last)."""

    relevance = "relevance"
    year = "year"
    added = "added"
    updated = "updated"
    title = "title"
    rating = "rating"
    key = "key"
    status = "status"
    tags = "tags"
    areas = "areas"


class PaperOrder(StrEnum):
    """The order of papers under an area; every order ends with title and key as tie-breaks."""

    by_year = "year"
    by_title = "title"
    by_author = "author"


class TagOrder(StrEnum):
    """The order of a tag list: by name, or the most used first (then by name)."""

    by_name = "name"
    by_count = "count"


class TagPrinting(StrEnum):
    """Which tags a bibliography prints: all, only those not marked private, or none."""

    all = "all"
    public = "public"
    none = "none"


class WebSourceKind(StrEnum):
    """The kind of a web source (how each is written: importers.web_kinds)."""

    blog_post = "blog-post"
    forum_post = "forum-post"
    report = "report"
    video = "video"
    other = "other"


class ColumnType(StrEnum):
    """The type of a column of one's own (a formula column is a ``number``)."""

    number = "number"
    integer = "integer"
    rating = "rating"
    choice = "choice"
    multi_choice = "multi_choice"
    text = "text"
    yes_no = "yes_no"
    date = "date"
    link = "link"


class ColumnTarget(StrEnum):
    paper = "paper"
    area = "area"


class MemberRole(StrEnum):
    """What a member of a shared library may do: owners also manage members."""

    owner = "owner"
    editor = "editor"
    viewer = "viewer"


class AreaStatus(StrEnum):
    """Where a research direction stands."""

    open = "open"
    active = "active"
    promising = "promising"
    stalled = "stalled"
    solved = "solved"
    abandoned = "abandoned"


class AreaRelation(StrEnum):
    """A typed, directed link between two areas, besides the tree."""

    enables = "enables"
    applies_to = "applies_to"
    alternative_to = "alternative_to"
    related = "related"


class Stance(StrEnum):
    """How a paper bears on an area it is placed in."""

    supports = "supports"
    undercuts = "undercuts"
    background = "background"


class ChildrenChoice(StrEnum):
    """What deleting an area does with its sub-areas."""

    lift = "lift"
    delete = "delete"


class SuggestionState(StrEnum):
    """A suggested relation: waiting, accepted (now a relation), dismissed (never again)."""

    pending = "pending"
    accepted = "accepted"
    dismissed = "dismissed"
