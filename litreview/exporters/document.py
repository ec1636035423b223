"""The annotated bibliography as data: sections in tree order, entries, anchors, relations.

Both the built-in Markdown layout and user templates render this model, so a template sees
exactly what the built-in layout uses. It holds only strings, numbers and lists (no database
objects), which is also what makes it safe to hand to a sandboxed template.

Each paper is written in full once, in the first of its exported areas in tree order (its
"home"); the other areas it is in refer to it. Papers in no exported area go to "Other".

:func:`build_document` places the papers from their outlines: its entries have their key,
anchor, title, citation and places, not yet their text. :func:`complete` gives every entry its
text (what a template needs); :class:`EntryFiller` gives whole copies a batch at a time, in the
order a writer asks for them, so the built-in layout holds one batch of papers at a time.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterable, Sequence
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
from litreview.library.export import ExportArea, ExportData, PaperOutline
from litreview.library.links import LinkView
from litreview.library.views import PaperView, Person
from litreview.models import NoteKind, PaperNote, Relation

OTHER = "Other"
NO_AREAS = "Papers"
RATING_SCALE = 5
# Whole papers read at a time while the bibliography is written.
FILL_BATCH = 500
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


@dataclass(slots=True)
class Entry:
    """One paper as the bibliography prints it (text fields are plain, not yet escaped).

    The first five fields come from the paper's outline; the rest are its text, empty until
    the entry is filled (:func:`complete`, :class:`EntryFiller`)."""

    key: str
    anchor: str
    title: str
    short: str
    year: int | None
    url: str | None = None
    authors: list[str] = field(default_factory=list)
    shown_authors: list[str] = field(default_factory=list)
    et_al: bool = False
    editors: list[str] = field(default_factory=list)
    venue: str | None = None
    arxiv_id: str | None = None
    arxiv_url: str | None = None
    doi: str | None = None
    doi_url: str | None = None
    tags: list[str] = field(default_factory=list)
    status: str = ""
    rating: int | None = None
    rating_scale: int = RATING_SCALE
    annotation: str = ""
    abstract: str | None = None
    relations: list[RelationGroup] = field(default_factory=list)
    notes: list[EntryNote] = field(default_factory=list)
    home: AreaLink | None = None
    also_in: list[AreaLink] = field(default_factory=list)
    # Values of one's own columns as text, and the chosen ones to print under the citation.
    fields: dict[str, str] = field(default_factory=dict)
    shown_fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
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
    """The bibliography model of an export, its entries placed but not yet filled."""
    options = data.options
    anchors = Anchors()
    # Papers claim their anchors first: a key is the stable name others link to.
    paper_anchors = {
        o.key: anchors.claim(anchor_base(o.key, lower=False), "paper") for o in data.outlines
    }
    areas = data.walk_areas()
    area_links = {
        a.id: AreaLink(a.name, a.path, anchors.claim("area-" + anchor_base(a.path, lower=True), ""))
        for a in areas
    }
    rank = {area.id: i for i, area in enumerate(areas)}
    entries = {
        o.key: Entry(
            o.key, paper_anchors[o.key], " ".join(o.title.split()), _short(o.people, o.year), o.year
        )
        for o in data.outlines
    }
    outlines = {o.id: o for o in data.outlines}
    homes: dict[int, int] = {}
    for outline in data.outlines:
        mine = sorted(rank[ref.id] for ref in outline.areas if ref.id in rank)
        entry = entries[outline.key]
        if mine:
            homes[outline.id] = areas[mine[0]].id
            entry.home = area_links[areas[mine[0]].id]
            entry.also_in = [area_links[areas[i].id] for i in mine[1:]]
    sort_key = _sort_key(options.order)
    sections = [
        _section(root, area_links, homes, outlines, entries, sort_key) for root in data.areas
    ]
    for section, area in zip(_walk(sections), areas, strict=True):
        section.fields = {n: value_text(v) for n, v in data.area_fields.get(area.id, {}).items()}
    homeless = [o for o in data.outlines if o.id not in homes]
    other = None
    if homeless:
        other = Section(
            name=OTHER if areas else NO_AREAS,
            path="",
            anchor=anchors.claim("other", "other"),
            depth=0,
            description="",
            entries=[Placed(entries[o.key], "") for o in sorted(homeless, key=sort_key)],
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


def complete(document: Document, data: ExportData) -> None:
    """Fill every entry of ``document`` with its text (the whole library at once)."""
    filler = EntryFiller(data, document.entries, document.entries)
    for entry in document.entries:
        filled = filler.filled(entry)
        for name in FILLED_FIELDS:
            setattr(entry, name, getattr(filled, name))


class EntryFiller:
    """Whole copies of a document's entries, read ``FILL_BATCH`` papers at a time in ``order``
    (the order a writer asks for them); a batch is dropped when the next is read."""

    def __init__(
        self,
        data: ExportData,
        entries: Sequence[Entry],
        order: Sequence[Entry],
        batch: int | None = None,
    ) -> None:
        self._data = data
        self._ids = {o.key: o.id for o in data.outlines}
        self._anchors = {entry.key: entry.anchor for entry in entries}
        self._order = [entry.key for entry in order]
        self._position = {key: i for i, key in enumerate(self._order)}
        self._batch = batch or FILL_BATCH
        self._filled: dict[str, Entry] = {}
        self._entries = {entry.key: entry for entry in entries}

    def filled(self, entry: Entry) -> Entry:
        """``entry`` with its text (a copy: the document's entry stays an outline)."""
        found = self._filled.get(entry.key)
        if found is None:
            start = self._position.get(entry.key)
            keys = [entry.key] if start is None else self._order[start : start + self._batch]
            self._filled = self._fill([self._entries[key] for key in keys])
            found = self._filled[entry.key]
        return found

    def _fill(self, entries: list[Entry]) -> dict[str, Entry]:
        ids = [self._ids[entry.key] for entry in entries]
        views = {view.paper.key: view for view in self._data.reader.views(ids)}
        notes = self._data.reader.notes(ids)
        filled: dict[str, Entry] = {}
        for entry in entries:
            view = views[entry.key]
            filled[entry.key] = _filled(
                entry, view, notes.get(view.paper.id or 0, []), self._anchors, self._data
            )
        return filled


def _filled(
    entry: Entry,
    view: PaperView,
    notes: Iterable[PaperNote],
    anchors: dict[str, str],
    data: ExportData,
) -> Entry:
    """A copy of ``entry`` with the text of its paper."""
    paper = view.paper
    authors = _names(view.authors)
    limit = max(1, data.options.author_limit)
    arxiv_url = f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else None
    doi_url = safe_url(f"https://doi.org/{paper.doi}") if paper.doi else None
    fields = paper_fields(view)
    filled = copy.copy(entry)
    filled.url = safe_url(arxiv_url) or doi_url or safe_url(paper.url)
    filled.authors = authors
    filled.shown_authors = authors if len(authors) <= limit else authors[:limit]
    filled.et_al = len(authors) > limit
    filled.editors = _names(view.editors)
    filled.venue = " ".join(paper.venue.split()) if paper.venue else None
    filled.arxiv_id = paper.arxiv_id
    filled.arxiv_url = arxiv_url
    filled.doi = paper.doi
    filled.doi_url = doi_url
    filled.tags = data.printed_tags(view.tags)
    filled.status = view.status.value
    filled.rating = view.rating
    filled.annotation = contained_block(view.annotation_markdown)
    filled.abstract = paper.abstract
    filled.relations = _relations(view.links, anchors)
    filled.notes = [
        EntryNote(
            note.kind.value,
            NOTE_LABELS[note.kind],
            contained_block(note.markdown),
            " ".join(note.location.split()),
        )
        for note in notes
    ]
    filled.fields = fields
    filled.shown_fields = chosen_fields(data, fields)
    return filled


# The fields of an entry that filling sets (the rest come from its outline and places).
FILLED_FIELDS = (
    "url",
    "authors",
    "shown_authors",
    "et_al",
    "editors",
    "venue",
    "arxiv_id",
    "arxiv_url",
    "doi",
    "doi_url",
    "tags",
    "status",
    "rating",
    "annotation",
    "abstract",
    "relations",
    "notes",
    "fields",
    "shown_fields",
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
    outlines: dict[int, PaperOutline],
    entries: dict[str, Entry],
    sort_key: Any,
) -> Section:
    link = links[area.id]
    section = Section(
        area.name, area.path, link.anchor, area.depth, contained_block(area.description)
    )
    for outline in sorted((outlines[i] for i in area.paper_ids), key=sort_key):
        ref = next(ref for ref in outline.areas if ref.id == area.id)
        stance = ref.stance.value if ref.stance is not None else None
        placed = Placed(entries[outline.key], " ".join(ref.note.split()), stance)
        if homes.get(outline.id) == area.id:
            section.entries.append(placed)
        else:
            section.references.append(placed)
    section.children = [
        _section(child, links, homes, outlines, entries, sort_key) for child in area.children
    ]
    return section


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).casefold().lstrip("\"'“‘([{ ")


def _sort_key(order: PaperOrder) -> Any:
    def by_year(p: PaperOutline) -> tuple[Any, ...]:
        return (p.year is None, p.year or 0, _fold(p.title), p.key)

    def by_title(p: PaperOutline) -> tuple[Any, ...]:
        return (_fold(p.title), p.year is None, p.year or 0, p.key)

    def by_author(p: PaperOutline) -> tuple[Any, ...]:
        first = _fold(p.people[0]) if p.people else "\uffff"
        return (first, *by_year(p))

    return {
        PaperOrder.by_year: by_year,
        PaperOrder.by_title: by_title,
        PaperOrder.by_author: by_author,
    }[order]


def _names(people: list[Person]) -> list[str]:
    return [" ".join((p.name or f"{p.given} {p.family}").split()) for p in people]


def _short(people: Sequence[str], year: int | None) -> str:
    """How the text cites a paper: "Madry et al., 2017", "Kim and Lee, 2020"."""
    families = [" ".join(name.split()) for name in people]
    who = f"{families[0]} et al." if len(families) > 2 else " and ".join(families)
    return ", ".join(part for part in (who, str(year) if year else "") if part)


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
