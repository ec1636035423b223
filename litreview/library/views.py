"""Papers with their other rows (authors, tags, areas, annotation, relations), read in one
statement per kind of row.

Two readings: a whole paper (:class:`PaperView`: every column, the annotation's text, relations),
which its page and every exporter read; and a paper as a list shows it (:class:`PaperSummary`:
its row without the long texts, whether it is annotated), the API's pages and the CLI's search.
Nothing reads the tables one paper at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.library.aliases import aliases_of
from litreview.library.areas import area_paths
from litreview.library.bulk import chunks
from litreview.library.links import LinkView
from litreview.library.reading import UNMARKED, readings
from litreview.library.values import field_values
from litreview.models import (
    WRITTEN_ANNOTATION,
    Annotation,
    Author,
    AuthorRole,
    ColumnTarget,
    Paper,
    PaperArea,
    PaperAuthor,
    PaperLink,
    PaperTag,
    ReadingStatus,
    Relation,
    Stance,
    Tag,
)


@dataclass
class Person:
    name: str
    family: str
    given: str
    affiliation: str | None = None


@dataclass
class AreaRef:
    id: int
    path: str
    note: str = ""
    stance: Stance | None = None


@dataclass(kw_only=True)
class PaperParts:
    """What a paper's other rows add to it, the same for a whole paper and a listed one."""

    # The reading status and rating as the reader sees them: their own on a shared library
    # (library.reading), else the paper's.
    status: ReadingStatus = ReadingStatus.unread
    rating: int | None = None
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    areas: list[AreaRef] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    # Other citation keys of the paper (of entries merged into it).
    aliases: list[str] = field(default_factory=list)


@dataclass
class PaperView(PaperParts):
    """A whole paper: every column, the annotation's text, and (if asked) its relations."""

    paper: Paper
    annotation: Annotation | None = None
    links: list[LinkView] = field(default_factory=list)

    @property
    def annotation_markdown(self) -> str:
        return self.annotation.markdown if self.annotation is not None else ""

    @property
    def annotated(self) -> bool:
        # WRITTEN_ANNOTATION's rule, on the text already read.
        return self.annotation_markdown != ""


@dataclass
class PaperSummary(PaperParts):
    """A paper as a list shows it: ``paper`` is its row of ``LISTED_COLUMNS`` as stored (no
    ORM object), ``annotated`` whether its annotation is written (read with the row)."""

    paper: sa.Row[Any]
    annotated: bool = False


# Columns only a whole paper's readers use (its page, the exports): the long texts and what no
# list shows. A summary has every other column of the paper.
WHOLE_ONLY = frozenset(
    {
        "abstract",
        "original",
        "arxiv_categories",
        "title_fp",
        "author_names",
        "published",
        "arxiv_updated",
    }
)
_TABLE: sa.Table = Paper.__table__  # type: ignore[attr-defined]
LISTED_COLUMNS = [c for c in _TABLE.c if c.name not in WHOLE_ONLY]


def load_paper_views(
    session: Session, ids: Sequence[int], *, with_links: bool = True
) -> list[PaperView]:
    """Views of the papers with these ids, in the order given (unknown ids are skipped)."""
    views = {
        paper_id: PaperView(paper, status=ReadingStatus(paper.status), rating=paper.rating)
        for paper_id, paper in papers_by_id(session, ids).items()
    }
    for chunk in chunks(ids):
        params = {"ids": list(chunk)}
        for annotation in session.exec(_ANNOTATIONS, params=params).all():
            views[annotation.paper_id].annotation = annotation
    _add_parts(session, views)
    ordered = [views[i] for i in ids if i in views]
    if with_links:
        _attach_links(session, ordered)
    return ordered


def papers_by_id(session: Session, ids: Sequence[int]) -> dict[int, Paper]:
    """The papers with these ids (unknown ids are skipped), one statement per 500 ids."""
    found: dict[int, Paper] = {}
    for chunk in chunks(ids):
        params = {"ids": list(chunk)}
        for paper in session.exec(_PAPERS, params=params).all():
            assert paper.id is not None
            found[paper.id] = paper
    return found


def load_paper_summaries(session: Session, ids: Sequence[int]) -> list[PaperSummary]:
    """Summaries of the papers with these ids, in the order given (unknown ids are skipped)."""
    found: dict[int, PaperSummary] = {}
    for chunk in chunks(ids):
        params = {"ids": list(chunk)}
        # Through the session, which first flushes what the request changed (a new paper).
        for row in session.execute(_LISTED, params).all():
            found[row.id] = PaperSummary(
                row,
                status=ReadingStatus(row.status),
                rating=row.rating,
                annotated=bool(row.annotated),
            )
    _add_parts(session, found)
    return [found[i] for i in ids if i in found]


# Built once: the statements of one chunk, the ids bound as an expanding parameter.
_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_PAPERS = select(Paper).where(col(Paper.id).in_(_IDS))
_ANNOTATED = sa.exists().where(
    col(Annotation.paper_id) == col(Paper.id), sa.text(WRITTEN_ANNOTATION)
)
_LISTED = sa.select(*LISTED_COLUMNS, _ANNOTATED.label("annotated")).where(col(Paper.id).in_(_IDS))
_ANNOTATIONS = select(Annotation).where(col(Annotation.paper_id).in_(_IDS))
_PEOPLE = (
    sa.select(
        col(PaperAuthor.paper_id),
        col(PaperAuthor.role),
        col(Author.name),
        col(Author.family),
        col(Author.given),
        col(PaperAuthor.affiliation),
    )
    .join(Author, col(Author.id) == col(PaperAuthor.author_id))
    .where(col(PaperAuthor.paper_id).in_(_IDS))
    .order_by(col(PaperAuthor.paper_id), col(PaperAuthor.role), col(PaperAuthor.position))
)
_TAGS = (
    sa.select(col(PaperTag.paper_id), col(Tag.name))
    .join(Tag, col(Tag.id) == col(PaperTag.tag_id))
    .where(col(PaperTag.paper_id).in_(_IDS))
    .order_by(col(Tag.name))
)
_AREAS = sa.select(
    col(PaperArea.paper_id), col(PaperArea.area_id), col(PaperArea.note), col(PaperArea.stance)
).where(col(PaperArea.paper_id).in_(_IDS))


def _add_parts(session: Session, papers: Mapping[int, PaperParts]) -> None:
    """Each paper's people, tags, areas, own columns' values, aliases and (for a member) own
    reading status and rating."""
    ids = list(papers)
    placed: list[tuple[PaperParts, int, str, Stance | None]] = []
    # (The paper rows were read through the session, which flushed: these run on the
    # connection, without the ORM's step.)
    connection = session.connection()
    for chunk in chunks(ids):
        params = {"ids": list(chunk)}
        people = connection.execute(_PEOPLE, params).all()
        for paper_id, role, name, family, given, affiliation in people:
            parts = papers[paper_id]
            target = parts.authors if role == AuthorRole.author else parts.editors
            target.append(Person(name, family, given, affiliation))
        for paper_id, name in connection.execute(_TAGS, params).all():
            papers[paper_id].tags.append(name)
        for paper_id, area_id, note, stance in connection.execute(_AREAS, params).all():
            placed.append((papers[paper_id], area_id, note, stance))
    # Only the paths of the areas these papers are in: a page of a library with a large map
    # reads a few areas, not all of them.
    paths = area_paths(session, {area_id for _, area_id, _, _ in placed})
    for parts, area_id, note, stance in placed:
        parts.areas.append(AreaRef(area_id, paths[area_id], note, stance))
    for parts in papers.values():
        parts.areas.sort(key=lambda a: a.path)
    for paper_id, values in field_values(session, ColumnTarget.paper, ids).items():
        papers[paper_id].fields = values
    for paper_id, keys in aliases_of(session, ids).items():
        papers[paper_id].aliases = keys
    own = readings(session, ids)
    if own is not None:
        for paper_id, parts in papers.items():
            parts.status, parts.rating = own.get(paper_id, UNMARKED)


def _attach_links(session: Session, views: list[PaperView]) -> None:
    """Every view's relations, read in two queries per 500 papers whatever their number."""
    by_id = {v.paper.id: v for v in views}
    ids = sorted(i for i in by_id if i is not None)
    columns = (
        col(PaperLink.id),
        col(PaperLink.source_id),
        col(PaperLink.target_id),
        col(PaperLink.relation),
        col(PaperLink.note),
    )
    found: dict[int, Any] = {}
    for chunk in chunks(ids):
        rows = session.execute(
            sa.select(*columns).where(
                sa.or_(col(PaperLink.source_id).in_(chunk), col(PaperLink.target_id).in_(chunk))
            )
        )
        found.update((row[0], row) for row in rows)
    links = [found[link_id] for link_id in sorted(found)]
    others = {lk[1] for lk in links} | {lk[2] for lk in links}
    names: dict[int, tuple[str, str]] = {}
    other_ids = sorted(others)
    for chunk in chunks(other_ids):
        rows = session.execute(
            sa.select(col(Paper.id), col(Paper.key), col(Paper.title)).where(
                col(Paper.id).in_(chunk)
            )
        )
        names.update((row[0], (row[1], row[2])) for row in rows)
    for link_id, source, target, relation, note in links:
        for mine, other, direction in ((source, target, "outgoing"), (target, source, "incoming")):
            view = by_id.get(mine)
            if view is not None:
                key, title = names[other]
                view.links.append(
                    LinkView(link_id, Relation(relation), direction, other, key, title, note)
                )
    for view in views:
        view.links.sort(key=lambda v: (v.direction != "outgoing", v.id))
