"""Whole papers (authors, tags, areas, annotation, relations) loaded in a few bulk queries.

The API's paper shape and every exporter read these views, never the tables one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.library.aliases import aliases_of
from litreview.library.areas import area_paths
from litreview.library.links import LinkView
from litreview.library.reading import UNMARKED, readings
from litreview.library.values import field_values
from litreview.models import (
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

CHUNK = 500


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


@dataclass
class PaperView:
    paper: Paper
    # The reading status and rating as the reader sees them: their own on a shared library
    # (library.reading), else the paper's.
    status: ReadingStatus = ReadingStatus.unread
    rating: int | None = None
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    areas: list[AreaRef] = field(default_factory=list)
    annotation: Annotation | None = None
    links: list[LinkView] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    # Other citation keys of the paper (of entries merged into it).
    aliases: list[str] = field(default_factory=list)

    @property
    def annotation_markdown(self) -> str:
        return self.annotation.markdown if self.annotation is not None else ""


def load_paper_views(
    session: Session, ids: Sequence[int], *, with_links: bool = True
) -> list[PaperView]:
    """Views of the papers with these ids, in the order given (unknown ids are skipped)."""
    views: dict[int, PaperView] = {}
    placed: list[tuple[PaperView, int, str, Stance | None]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        _load_chunk(session, chunk, views, placed)
    # Only the paths of the areas these papers are in: a page of a library with a large map
    # reads a few areas, not all of them.
    paths = area_paths(session, {area_id for _, area_id, _, _ in placed})
    for view, area_id, note, stance in placed:
        view.areas.append(AreaRef(area_id, paths[area_id], note, stance))
    for view in views.values():
        view.areas.sort(key=lambda a: a.path)
    for paper_id, values in field_values(session, ColumnTarget.paper, list(views)).items():
        views[paper_id].fields = values
    for paper_id, keys in aliases_of(session, list(views)).items():
        views[paper_id].aliases = keys
    own = readings(session, list(views))
    if own is not None:
        for paper_id, view in views.items():
            view.status, view.rating = own.get(paper_id, UNMARKED)
    ordered = [views[i] for i in ids if i in views]
    if with_links:
        _attach_links(session, ordered)
    return ordered


# Built once: the statements of one chunk, the ids bound as an expanding parameter.
_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_PAPERS = select(Paper).where(col(Paper.id).in_(_IDS))
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
_ANNOTATIONS = select(Annotation).where(col(Annotation.paper_id).in_(_IDS))


def _load_chunk(
    session: Session,
    chunk: list[int],
    views: dict[int, PaperView],
    placed: list[tuple[PaperView, int, str, Stance | None]],
) -> None:
    ids = {"ids": chunk}
    for paper in session.exec(_PAPERS, params=ids).all():
        assert paper.id is not None
        views[paper.id] = PaperView(paper, ReadingStatus(paper.status), paper.rating)
    # (Flushed by the first read: the rest run on the connection, without the ORM's step.)
    connection = session.connection()
    for paper_id, role, name, family, given, affiliation in connection.execute(_PEOPLE, ids):
        view = views[paper_id]
        target = view.authors if role == AuthorRole.author else view.editors
        target.append(Person(name, family, given, affiliation))
    for paper_id, name in connection.execute(_TAGS, ids):
        views[paper_id].tags.append(name)
    for paper_id, area_id, note, stance in connection.execute(_AREAS, ids):
        placed.append((views[paper_id], area_id, note, stance))
    for annotation in session.exec(_ANNOTATIONS, params=ids).all():
        views[annotation.paper_id].annotation = annotation


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
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
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
    for start in range(0, len(other_ids), CHUNK):
        rows = session.execute(
            sa.select(col(Paper.id), col(Paper.key), col(Paper.title)).where(
                col(Paper.id).in_(other_ids[start : start + CHUNK])
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
