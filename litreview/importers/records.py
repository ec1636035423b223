"""What every importer returns: paper records and the problems met on the way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from litreview.models import SourceKind


class AuthorRecord(NamedTuple):
    """One person in a record's author or editor list, in order.

    Immutable, so the records of one file share one per name as written (the garbage
    collector walks every one a large import holds, again at each full collection: a
    tuple subclass is never untracked as a plain tuple of strings is).
    """

    name: str
    family: str
    given: str = ""
    affiliation: str | None = None


@dataclass
class PaperRecord:
    """A paper as an importer saw it, before identity and merging.

    ``extra`` holds every input field we do not model (kept for a lossless round trip);
    ``original`` holds the input's own text of modelled fields (e.g. a BibTeX title with its
    LaTeX) so an export can give back what came in. The sequences are empty tuples until
    set (an import holds thousands of records, and an empty list each would be thousands
    more objects for every garbage collection to walk).
    """

    title: str
    source: SourceKind
    source_detail: str = ""
    key: str | None = None
    entry_type: str = "article"
    authors: Sequence[AuthorRecord] = ()
    editors: Sequence[AuthorRecord] = ()
    abstract: str | None = None
    year: int | None = None
    date: str | None = None
    venue: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    arxiv_categories: Sequence[str] = ()
    primary_category: str | None = None
    arxiv_comment: str | None = None
    journal_ref: str | None = None
    published: str | None = None
    arxiv_updated: str | None = None
    url: str | None = None
    pdf_url: str | None = None
    tags: Sequence[str] = ()
    annotation: str | None = None
    # Other citation keys of the entry (biblatex ``ids``).
    aliases: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    original: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass
class Problem:
    """Something in the input that could not be used, and where it was."""

    message: str
    source: str = ""
    line: int | None = None
    key: str | None = None
    kind: str = "error"

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        subject = f" [{self.key}]" if self.key else ""
        return f"{where}{subject}: {self.message}" if where else f"{self.message}{subject}"


@dataclass
class ImportResult:
    """Records and problems from one input, plus facts about the input (e.g. the encoding)."""

    records: list[PaperRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # BibTeX ``@preamble`` texts (macro definitions the entries rely on), in file order.
    preambles: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
