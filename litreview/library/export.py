"""What an export works on: the selected papers (as views) and the area tree around them.

A selection is a :class:`~litreview.query.PaperFilter` (the paper query's filters:
the whole library when none is given). The tree comes in display order (position, then name)
with each area's description and the ids of the selected papers placed directly in it.
Exporters read :class:`ExportData` only; they never query the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.choices import PaperOrder as PaperOrder
from litreview.choices import TagPrinting as TagPrinting
from litreview.library.area_links import area_links_among
from litreview.library.areas import AreaNode, area_tree, walk_tree
from litreview.library.columns import list_columns
from litreview.library.fts import PAPER_FTS, fts_matches
from litreview.library.notes import notes_by_paper
from litreview.library.preambles import all_preambles
from litreview.library.search import chosen_areas, fts_query, id_filters
from litreview.library.tags import private_tag_names
from litreview.library.values import field_values
from litreview.library.views import PaperView, load_paper_views
from litreview.models import (
    AreaLink,
    AreaStatus,
    ColumnTarget,
    CustomColumn,
    Paper,
    PaperNote,
)
from litreview.query import PaperFilter

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
    # first), and a matrix of the papers by two choice columns ("Rows,Columns").
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


@dataclass
class ExportData:
    """Everything an exporter needs: papers sorted by key, the tree, the selection, options."""

    papers: list[PaperView]
    areas: list[ExportArea]
    selection: PaperFilter = field(default_factory=PaperFilter)
    options: ExportOptions = field(default_factory=ExportOptions)
    # Each paper's further notes, in order, by paper id (read only when the options ask).
    notes: dict[int, list[PaperNote]] = field(default_factory=dict)
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

    def walk_areas(self) -> list[ExportArea]:
        """Every exported area in tree order."""
        found: list[ExportArea] = []
        for root in self.areas:
            found.extend(root.walk())
        return found


def select_paper_ids(session: Session, selection: PaperFilter) -> list[int]:
    """Ids of the selected papers (all of them, unpaged), in id order.

    The filters are the search's own (``id_filters``, ``fts_query``), without its paging.
    """
    paper_id = col(Paper.id)
    stmt = sa.select(paper_id).where(*[paper_id.in_(f.ids) for f in id_filters(session, selection)])
    dialect = session.get_bind().dialect.name
    match = fts_query(selection.q, dialect=dialect)
    if match:
        matches = (
            sa.select(PAPER_FTS.c.rowid).select_from(PAPER_FTS).where(fts_matches(dialect, match))
        )
        stmt = stmt.where(paper_id.in_(matches))
    return [row[0] for row in session.execute(stmt.order_by(paper_id))]


def load_export(
    session: Session, selection: PaperFilter, options: ExportOptions | None = None
) -> ExportData:
    """The selected papers (loaded in bulk, sorted by key) and the area tree around them."""
    options = options or ExportOptions()
    ids = select_paper_ids(session, selection)
    views = load_paper_views(session, ids)
    views.sort(key=lambda v: v.paper.key)
    roots = area_tree(session)
    chosen = chosen_areas(session, selection)
    if chosen:
        roots = [node for node in walk_tree(roots) if node.area.id in chosen]
    placed: dict[int, list[int]] = {}
    for view in views:
        assert view.paper.id is not None
        for ref in view.areas:
            placed.setdefault(ref.id, []).append(view.paper.id)
    areas = [_export_area(node, 0, placed) for node in roots]
    if selection.is_filtered() or len(chosen) > 1:
        areas = _prune(areas)
    notes = notes_by_paper(session, ids) if options.with_notes else {}
    private = private_tag_names(session) if options.tags is TagPrinting.public else frozenset()
    columns = list_columns(session, ColumnTarget.paper)
    area_columns = list_columns(session, ColumnTarget.area)
    area_ids = [a.id for root in areas for a in root.walk()]
    area_fields = field_values(session, ColumnTarget.area, area_ids) if area_columns else {}
    return ExportData(
        views,
        areas,
        selection,
        options,
        notes,
        private_tags=private,
        columns=columns,
        area_columns=area_columns,
        area_fields=area_fields,
        preambles=all_preambles(session),
        area_links=area_links_among(session, set(area_ids)),
    )


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
