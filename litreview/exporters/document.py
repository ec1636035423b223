"""The annotated bibliography as data: sections in tree order, entries, anchors, relations.

Both the built-in Markdown layout and user templates render this model, so a template sees
exactly what the built-in layout uses. It holds only strings, numbers and lists (no database
objects), which is also what makes it safe to hand to a sandboxed template.

Each paper is written in full once, in the first of its exported areas in tree order (its
"home"); the other areas it is in refer to it. Papers in no exported area go to "Other".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from litreview.choices import PaperOrder
from litreview.exporters.columns_md import (
    AreaTable,
    Matrix,
    build_areas_table,
    build_matrix,
    chosen_fields,
    paper_fields,
    value_text,
)
from litreview.exporters.mapgraph import map_graph
from litreview.exporters.mdtext import Anchors, anchor_base, contained_block, safe_url
from litreview.exporters.mermaid import flowchart
from litreview.library.export import ExportArea, ExportData, ExportOptions
from litreview.library.links import LinkView
from litreview.library.views import PaperView, Person
from litreview.models import NoteKind, Relation

OTHER = "Other"
NO_AREAS = "Papers"
RATING_SCALE = 5
# (relation, direction) -> the phrase that introduces the other papers.
RELATION_LABELS: dict[tuple[Relation, str], str] = {
    (Relation.critiques, "outgoing"): "Critiques",
    (Relation.critiques, "incoming"): "Critiqued by",
    (Relation.extends, "outgoing"): "Extends",
    (Relation.extends, "incoming"): "Extended by",
    (Relation.replicates, "outgoing"): "Replicates",
    (Relation.replicates, "incoming"): "Replicated by",
    (Relation.responds_to, "outgoing"): "Responds to",
    (Relation.responds_to, "incoming"): "Responded to by",
    (Relation.cites, "outgoing"): "Cites",
    (Relation.cites, "incoming"): "Cited by",
    (Relation.related, "outgoing"): "Related",
    (Relation.related, "incoming"): "Related",
    (Relation.corrects, "outgoing"): "Corrects",
    (Relation.corrects, "incoming"): "Corrected by",
    (Relation.published_as, "outgoing"): "Published as",
    (Relation.published_as, "incoming"): "Preprint",
    (Relation.supersedes, "outgoing"): "Supersedes",
    (Relation.supersedes, "incoming"): "Superseded by",
}
LABEL_ORDER = list(dict.fromkeys(RELATION_LABELS.values()))


@dataclass
class AreaLink:
    name: str
    path: str
    anchor: str


@dataclass
class RelatedPaper:
    key: str
    title: str
    anchor: str | None
    note: str


@dataclass
class RelationGroup:
    label: str
    papers: list[RelatedPaper]


# How the bibliography names each kind of note.
NOTE_LABELS = {
    NoteKind.quote: "Quote",
    NoteKind.question: "Question",
    NoteKind.critique: "Critique",
    NoteKind.note: "Note",
}


@dataclass
class EntryNote:
    """A further note on a paper: ``kind`` (quote, question, ...), its ``label``, the Markdown
    (contained like the annotation) and where in the paper (``location``, plain text)."""

    kind: str
    label: str
    markdown: str
    location: str


@dataclass
class Entry:
    """One paper as the bibliography prints it (text fields are plain, not yet escaped)."""

    key: str
    anchor: str
    title: str
    url: str | None
    short: str
    authors: list[str]
    shown_authors: list[str]
    et_al: bool
    editors: list[str]
    year: int | None
    venue: str | None
    arxiv_id: str | None
    arxiv_url: str | None
    doi: str | None
    doi_url: str | None
    tags: list[str]
    status: str
    rating: int | None
    rating_scale: int
    annotation: str
    abstract: str | None
    relations: list[RelationGroup] = field(default_factory=list)
    notes: list[EntryNote] = field(default_factory=list)
    home: AreaLink | None = None
    also_in: list[AreaLink] = field(default_factory=list)
    # Values of one's own columns as text, and the chosen ones to print under the citation.
    fields: dict[str, str] = field(default_factory=dict)
    shown_fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Placed:
    """An entry in one section, with the paper's note and stance for that area."""

    entry: Entry
    note: str
    stance: str | None = None


@dataclass
class Section:
    name: str
    path: str
    anchor: str
    depth: int
    description: str
    entries: list[Placed] = field(default_factory=list)
    references: list[Placed] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Document:
    title: str | None
    intro: str
    sections: list[Section]
    other: Section | None
    entries: list[Entry]
    with_status: bool
    with_rating: bool
    order: str
    with_notes: bool = False
    areas_table: AreaTable | None = None
    matrix: Matrix | None = None
    # The map of the exported areas as a Mermaid flowchart, when the options ask for it.
    map_mermaid: str | None = None

    def walk(self) -> list[Section]:
        """Every section in document order (areas in tree order, then Other)."""
        found: list[Section] = []

        def visit(section: Section) -> None:
            found.append(section)
            for child in section.children:
                visit(child)

        for section in self.sections:
            visit(section)
        if self.other is not None:
            found.append(self.other)
        return found


def build_document(data: ExportData) -> Document:
    """The bibliography model of an export."""
    options = data.options
    anchors = Anchors()
    # Papers claim their anchors first: a key is the stable name others link to.
    paper_anchors = {
        v.paper.key: anchors.claim(anchor_base(v.paper.key, lower=False), "paper")
        for v in data.papers
    }
    areas = data.walk_areas()
    area_links = {
        a.id: AreaLink(a.name, a.path, anchors.claim("area-" + anchor_base(a.path, lower=True), ""))
        for a in areas
    }
    rank = {area.id: i for i, area in enumerate(areas)}
    entries = {v.paper.key: _entry(v, paper_anchors, options) for v in data.papers}
    for entry in entries.values():
        entry.tags = data.printed_tags(entry.tags)
    for view in data.papers:
        entries[view.paper.key].fields = paper_fields(view)
        entries[view.paper.key].shown_fields = chosen_fields(data, entries[view.paper.key].fields)
        entries[view.paper.key].notes = [
            EntryNote(
                note.kind.value,
                NOTE_LABELS[note.kind],
                contained_block(note.markdown),
                " ".join(note.location.split()),
            )
            for note in data.notes.get(view.paper.id or 0, [])
        ]
    views = {v.paper.id: v for v in data.papers}
    homes: dict[int, int] = {}
    for view in data.papers:
        assert view.paper.id is not None
        mine = sorted(rank[ref.id] for ref in view.areas if ref.id in rank)
        entry = entries[view.paper.key]
        if mine:
            homes[view.paper.id] = areas[mine[0]].id
            entry.home = area_links[areas[mine[0]].id]
            entry.also_in = [area_links[areas[i].id] for i in mine[1:]]
    sort_key = _sort_key(options.order)
    sections = [_section(root, area_links, homes, views, entries, sort_key) for root in data.areas]
    for section, area in zip(_walk(sections), areas, strict=True):
        section.fields = {n: value_text(v) for n, v in data.area_fields.get(area.id, {}).items()}
    homeless = [v for v in data.papers if v.paper.id not in homes]
    other = None
    if homeless:
        other = Section(
            name=OTHER if areas else NO_AREAS,
            path="",
            anchor=anchors.claim("other", "other"),
            depth=0,
            description="",
            entries=[Placed(entries[v.paper.key], "") for v in sorted(homeless, key=sort_key)],
        )
    return Document(
        title=" ".join(options.title.split()) if options.title else None,
        intro=contained_block(options.intro or "", keep_headings=True),
        sections=sections,
        other=other,
        entries=list(entries.values()),
        with_status=options.with_status,
        with_rating=options.with_rating,
        order=options.order.value,
        with_notes=options.with_notes,
        areas_table=build_areas_table(data, {i: link.anchor for i, link in area_links.items()}),
        matrix=build_matrix(data, paper_anchors),
        map_mermaid=flowchart(map_graph(data)) if options.with_map and data.areas else None,
    )


def _walk(sections: list[Section]) -> list[Section]:
    found: list[Section] = []
    for section in sections:
        found.append(section)
        found.extend(_walk(section.children))
    return found


def _section(
    area: ExportArea,
    links: dict[int, AreaLink],
    homes: dict[int, int],
    views: dict[int | None, PaperView],
    entries: dict[str, Entry],
    sort_key: Any,
) -> Section:
    link = links[area.id]
    section = Section(
        area.name, area.path, link.anchor, area.depth, contained_block(area.description)
    )
    for view in sorted((views[i] for i in area.paper_ids), key=sort_key):
        ref = next(ref for ref in view.areas if ref.id == area.id)
        stance = ref.stance.value if ref.stance is not None else None
        placed = Placed(entries[view.paper.key], " ".join(ref.note.split()), stance)
        if homes.get(view.paper.id or 0) == area.id:
            section.entries.append(placed)
        else:
            section.references.append(placed)
    section.children = [
        _section(child, links, homes, views, entries, sort_key) for child in area.children
    ]
    return section


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).casefold().lstrip("\"'“‘([{ ")


def _sort_key(order: PaperOrder) -> Any:
    def by_year(v: PaperView) -> tuple[Any, ...]:
        p = v.paper
        return (p.year is None, p.year or 0, _fold(p.title), p.key)

    def by_title(v: PaperView) -> tuple[Any, ...]:
        p = v.paper
        return (_fold(p.title), p.year is None, p.year or 0, p.key)

    def by_author(v: PaperView) -> tuple[Any, ...]:
        people = v.authors or v.editors
        first = _fold(people[0].family or people[0].name) if people else "\uffff"
        return (first, *by_year(v))

    return {
        PaperOrder.by_year: by_year,
        PaperOrder.by_title: by_title,
        PaperOrder.by_author: by_author,
    }[order]


def _names(people: list[Person]) -> list[str]:
    return [" ".join((p.name or f"{p.given} {p.family}").split()) for p in people]


def _short(people: list[Person], year: int | None) -> str:
    """How the text cites a paper: "Madry et al., 2017", "Kim and Lee, 2020"."""
    families = [" ".join((p.family or p.name).split()) for p in people]
    who = f"{families[0]} et al." if len(families) > 2 else " and ".join(families)
    return ", ".join(part for part in (who, str(year) if year else "") if part)


def _entry(view: PaperView, anchors: dict[str, str], options: ExportOptions) -> Entry:
    paper = view.paper
    authors = _names(view.authors)
    limit = max(1, options.author_limit)
    arxiv_url = f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else None
    doi_url = safe_url(f"https://doi.org/{paper.doi}") if paper.doi else None
    return Entry(
        key=paper.key,
        anchor=anchors[paper.key],
        title=" ".join(paper.title.split()),
        url=safe_url(arxiv_url) or doi_url or safe_url(paper.url),
        short=_short(view.authors or view.editors, paper.year),
        authors=authors,
        shown_authors=authors if len(authors) <= limit else authors[:limit],
        et_al=len(authors) > limit,
        editors=_names(view.editors),
        year=paper.year,
        venue=" ".join(paper.venue.split()) if paper.venue else None,
        arxiv_id=paper.arxiv_id,
        arxiv_url=arxiv_url,
        doi=paper.doi,
        doi_url=doi_url,
        tags=list(view.tags),
        status=paper.status.value,
        rating=paper.rating,
        rating_scale=RATING_SCALE,
        annotation=contained_block(view.annotation_markdown),
        abstract=paper.abstract,
        relations=_relations(view.links, anchors),
    )


def _relations(links: list[LinkView], anchors: dict[str, str]) -> list[RelationGroup]:
    groups: dict[str, dict[str, RelatedPaper]] = {}
    for link in links:
        label = RELATION_LABELS[(Relation(link.relation), link.direction)]
        group = groups.setdefault(label, {})
        if link.other_key not in group:
            group[link.other_key] = RelatedPaper(
                link.other_key,
                " ".join(link.other_title.split()),
                anchors.get(link.other_key),
                " ".join(link.note.split()),
            )
    return [
        RelationGroup(label, [groups[label][k] for k in sorted(groups[label])])
        for label in LABEL_ORDER
        if label in groups
    ]
