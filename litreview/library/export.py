"""What an export works on: the selected papers and the area tree around them.

A selection is a :class:`~litreview.query.PaperFilter` (the paper query's filters:
the whole library when none is given). The tree comes in display order (position, then name)
with each area's description and the ids of the selected papers placed directly in it.

The papers come in two depths. Every selected paper has a :class:`PaperOutline` (its key,
title, year, first names and areas: what placing it in a bibliography needs), read at once.
Whole papers (:class:`~litreview.library.views.PaperView`: annotation, notes, relations...)
are read through :class:`ExportReader` a batch at a time, so an exporter that writes as it goes
holds one batch, not the library; ``ExportData.papers`` reads them all for the formats that
need every paper at once. Exporters read :class:`ExportData` only; they never query the
database themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.choices import PaperOrder as PaperOrder
from litreview.choices import TagPrinting as TagPrinting
from litreview.library.area_links import area_links_among
from litreview.library.areas import AreaNode, area_paths, area_tree, walk_tree
from litreview.library.columns import list_columns
from litreview.library.notes import notes_by_paper
from litreview.library.preambles import all_preambles
from litreview.library.search import chosen_areas, selection_tests
from litreview.library.tags import private_tag_names
from litreview.library.values import field_values
from litreview.library.views import AreaRef, PaperView, load_paper_views
from litreview.models import (
    AreaLink,
    AreaStatus,
    Author,
    AuthorRole,
    ColumnTarget,
    CustomColumn,
    Paper,
    PaperArea,
    PaperAuthor,
    PaperNote,
)
from litreview.query import PaperFilter

if TYPE_CHECKING:
    from litreview.library.matrix import PaperMatrix

DEFAULT_AUTHOR_LIMIT = 8


@dataclass(frozen=True)
class TemplateSource:
    """A user's Jinja2 template: its name (the file, for error messages) and its text."""

    name: str
    text: str


@dataclass
class ExportOptions:
    """How to lay the export out (formats ignore what they have no use for)."""

    title: str | None = None
    intro: str | None = None
    order: PaperOrder = PaperOrder.by_year
    with_status: bool = False
    with_rating: bool = False
    author_limit: int = DEFAULT_AUTHOR_LIMIT
    annote: bool = False
    template: TemplateSource | None = None
    with_notes: bool = False
    tags: TagPrinting = TagPrinting.all
    # Columns of a table export (built-in names and one's own), in order; empty: all. The
    # Markdown bibliography prints these columns of one's own under each paper.
    columns: list[str] = field(default_factory=list)
    # Markdown: a table of the areas with their columns, sorted by this area column (largest
    # first), and a matrix of the papers by two dimensions ("Rows,Columns", library.matrix).
    areas_table: str | None = None
    matrix: str | None = None
    # The Markdown bibliography begins with the map of its areas as a Mermaid flowchart.
    with_map: bool = False


@dataclass
class ExportArea:
    """An area of the exported tree, with the selected papers placed directly in it."""

    id: int
    name: str
    path: str
    description: str
    depth: int
    paper_ids: list[int] = field(default_factory=list)
    children: list[ExportArea] = field(default_factory=list)
    status: AreaStatus = AreaStatus.open

    def walk(self) -> list[ExportArea]:
        """This area and its descendants in tree order (pre-order)."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


# The people of a paper an outline keeps: enough to cite it ("A and B", "A et al.").
OUTLINE_PEOPLE = 3


@dataclass(frozen=True, slots=True)
class PaperOutline:
    """A selected paper without its text: what placing and ordering it in a bibliography
    needs. ``people`` are the family names (a whole name where there is none) of its first
    authors, or of its first editors when it has no author, at most ``OUTLINE_PEOPLE``."""

    id: int
    key: str
    title: str
    year: int | None
    people: tuple[str, ...]
    areas: tuple[AreaRef, ...]


class ExportReader:
    """Reads whole papers for an export, a batch of ids at a time, from an open session."""

    def __init__(self, session: Session, options: ExportOptions) -> None:
        self._session = session
        self._options = options

    def views(self, ids: Sequence[int]) -> list[PaperView]:
        """Whole papers with these ids, in the order given."""
        return load_paper_views(self._session, ids)

    def notes(self, ids: Sequence[int]) -> dict[int, list[PaperNote]]:
        """The further notes of these papers when the options print notes (else none)."""
        if not self._options.with_notes:
            return {}
        return notes_by_paper(self._session, list(ids))


@dataclass
class ExportData:
    """Everything an exporter needs: the selected papers (outlines sorted by key, whole papers
    through ``reader``), the tree, the selection, options."""

    outlines: list[PaperOutline]
    reader: ExportReader
    areas: list[ExportArea]
    selection: PaperFilter = field(default_factory=PaperFilter)
    options: ExportOptions = field(default_factory=ExportOptions)
    # The private tags' names (read only when the options print public tags only).
    private_tags: frozenset[str] = frozenset()
    # The paper columns of one's own, in display order; the area ones, and areas' values.
    columns: list[CustomColumn] = field(default_factory=list)
    area_columns: list[CustomColumn] = field(default_factory=list)
    area_fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    # BibTeX ``@preamble`` texts kept from imports (written at the top of a BibTeX export).
    preambles: list[str] = field(default_factory=list)

    def printed_tags(self, tags: list[str]) -> list[str]:
        """The tags of a paper that the options print."""
        if self.options.tags is TagPrinting.none:
            return []
        if self.options.tags is TagPrinting.public:
            return [tag for tag in tags if tag not in self.private_tags]
        return list(tags)

    # The links between exported areas (the map's arrows besides the tree).
    area_links: list[AreaLink] = field(default_factory=list)
    # The papers of each cell of the matrix the options ask for (library.matrix).
    matrix: PaperMatrix | None = None

    @cached_property
    def papers(self) -> list[PaperView]:
        """Every selected paper whole, sorted by key (read on first use, then kept)."""
        return self.reader.views([outline.id for outline in self.outlines])

    def walk_areas(self) -> list[ExportArea]:
        """Every exported area in tree order."""
        found: list[ExportArea] = []
        for root in self.areas:
            found.extend(root.walk())
        return found


def select_paper_ids(session: Session, selection: PaperFilter) -> list[int]:
    """Ids of the selected papers (all of them, unpaged), in id order."""
    paper_id = col(Paper.id)
    stmt = sa.select(paper_id).where(*selection_tests(session, selection, paper_id))
    return [row[0] for row in session.execute(stmt.order_by(paper_id))]


def load_export(
    session: Session, selection: PaperFilter, options: ExportOptions | None = None
) -> ExportData:
    """The selected papers' outlines (sorted by key) and the area tree around them."""
    options = options or ExportOptions()
    ids = select_paper_ids(session, selection)
    outlines = load_outlines(session, ids)
    roots = area_tree(session)
    chosen = chosen_areas(session, selection)
    if chosen:
        roots = [node for node in walk_tree(roots) if node.area.id in chosen]
    placed: dict[int, list[int]] = {}
    for outline in outlines:
        for ref in outline.areas:
            placed.setdefault(ref.id, []).append(outline.id)
    areas = [_export_area(node, 0, placed) for node in roots]
    if selection.is_filtered() or len(chosen) > 1:
        areas = _prune(areas)
    private = private_tag_names(session) if options.tags is TagPrinting.public else frozenset()
    columns = list_columns(session, ColumnTarget.paper)
    area_columns = list_columns(session, ColumnTarget.area)
    area_ids = [a.id for root in areas for a in root.walk()]
    area_fields = field_values(session, ColumnTarget.area, area_ids) if area_columns else {}
    matrix = None
    if options.matrix:
        from litreview.library.matrix import paper_matrix, split_matrix

        matrix = paper_matrix(session, *split_matrix(session, options.matrix), selection)
    return ExportData(
        outlines,
        ExportReader(session, options),
        areas,
        selection,
        options,
        private_tags=private,
        columns=columns,
        area_columns=area_columns,
        area_fields=area_fields,
        preambles=all_preambles(session),
        area_links=area_links_among(session, set(area_ids)),
        matrix=matrix,
    )


_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_OUTLINE_PAPERS = sa.select(col(Paper.id), col(Paper.key), col(Paper.title), col(Paper.year)).where(
    col(Paper.id).in_(_IDS)
)
_OUTLINE_PEOPLE = (
    sa.select(
        col(PaperAuthor.paper_id), col(PaperAuthor.role), col(Author.family), col(Author.name)
    )
    .join(Author, col(Author.id) == col(PaperAuthor.author_id))
    .where(col(PaperAuthor.paper_id).in_(_IDS))
    .order_by(col(PaperAuthor.paper_id), col(PaperAuthor.role), col(PaperAuthor.position))
)
_OUTLINE_AREAS = sa.select(
    col(PaperArea.paper_id), col(PaperArea.area_id), col(PaperArea.note), col(PaperArea.stance)
).where(col(PaperArea.paper_id).in_(_IDS))
OUTLINE_CHUNK = 5000


def load_outlines(session: Session, ids: Sequence[int]) -> list[PaperOutline]:
    """The outlines of the papers with these ids, sorted by citation key."""
    paths = area_paths(session)
    outlines: list[PaperOutline] = []
    for start in range(0, len(ids), OUTLINE_CHUNK):
        params = {"ids": list(ids[start : start + OUTLINE_CHUNK])}
        people: dict[int, dict[str, list[str]]] = {}
        for paper_id, role, family, name in session.execute(_OUTLINE_PEOPLE, params):
            names = people.setdefault(paper_id, {}).setdefault(role, [])
            if len(names) < OUTLINE_PEOPLE:
                names.append(family or name)
        areas: dict[int, list[AreaRef]] = {}
        for paper_id, area_id, note, stance in session.execute(_OUTLINE_AREAS, params):
            areas.setdefault(paper_id, []).append(AreaRef(area_id, paths[area_id], note, stance))
        for paper_id, key, title, year in session.execute(_OUTLINE_PAPERS, params):
            roles = people.get(paper_id, {})
            names = roles.get(AuthorRole.author) or roles.get(AuthorRole.editor) or []
            mine = sorted(areas.get(paper_id, []), key=lambda ref: ref.path)
            outlines.append(PaperOutline(paper_id, key, title, year, tuple(names), tuple(mine)))
    outlines.sort(key=lambda outline: outline.key)
    return outlines


def _export_area(node: AreaNode, depth: int, placed: dict[int, list[int]]) -> ExportArea:
    assert node.area.id is not None
    return ExportArea(
        id=node.area.id,
        name=node.area.name,
        path=node.path,
        description=node.area.description,
        depth=depth,
        paper_ids=placed.get(node.area.id, []),
        children=[_export_area(child, depth + 1, placed) for child in node.children],
        status=AreaStatus(node.area.status),
    )


def _prune(areas: list[ExportArea]) -> list[ExportArea]:
    """Drop areas with no selected paper in them or below (a filtered export has no empty map)."""
    kept = []
    for area in areas:
        area.children = _prune(area.children)
        if area.paper_ids or area.children:
            kept.append(area)
    return kept
