"""The research map as an exporter sees it: nodes in tree order with stable names, tree edges
and typed links. Mermaid, DOT and the Markdown bibliography's map are drawn from this one model.

Nodes are named ``n1, n2, ...`` in tree order (position, then name), never by database id, so the
same library always draws the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from litreview.library.export import ExportArea, ExportData
from litreview.models import AreaRelation, AreaStatus

# One colour per status (fill, stroke), shared by every drawing of the map.
STATUS_COLOURS: dict[AreaStatus, tuple[str, str]] = {
    AreaStatus.open: ("#f5f5f5", "#9e9e9e"),
    AreaStatus.active: ("#e3f2fd", "#1e88e5"),
    AreaStatus.promising: ("#e8f5e9", "#43a047"),
    AreaStatus.stalled: ("#fff8e1", "#f9a825"),
    AreaStatus.solved: ("#ede7f6", "#5e35b1"),
    AreaStatus.abandoned: ("#fbe9e7", "#d84315"),
}

RELATION_LABELS: dict[AreaRelation, str] = {
    AreaRelation.enables: "enables",
    AreaRelation.applies_to: "applies to",
    AreaRelation.alternative_to: "alternative to",
    AreaRelation.related: "related",
}


@dataclass(frozen=True)
class MapNode:
    name: str
    label: str
    status: AreaStatus
    paper_count: int

    @property
    def papers(self) -> str:
        """ "1 paper", "3 papers"."""
        return f"{self.paper_count} paper" + ("" if self.paper_count == 1 else "s")


@dataclass(frozen=True)
class MapEdge:
    source: str
    target: str
    relation: AreaRelation | None  # None: a tree edge (parent to child)
    note: str = ""


@dataclass
class MapGraph:
    nodes: list[MapNode]
    edges: list[MapEdge]

    @property
    def statuses(self) -> list[AreaStatus]:
        """The statuses in use, in the enum's order."""
        used = {n.status for n in self.nodes}
        return [s for s in AreaStatus if s in used]


def one_line(text: str) -> str:
    """Spacing collapsed to single spaces: no newline ends a statement early."""
    return " ".join(text.split())


def map_graph(data: ExportData) -> MapGraph:
    """The exported areas and the links among them, named and ordered by content."""
    names: dict[int, str] = {}
    nodes: list[MapNode] = []
    edges: list[MapEdge] = []

    def visit(area: ExportArea, parent: str | None) -> set[int]:
        name = f"n{len(names) + 1}"
        names[area.id] = name
        index = len(nodes)
        nodes.append(MapNode(name, "", area.status, 0))
        if parent is not None:
            edges.append(MapEdge(parent, name, None))
        papers = set(area.paper_ids)
        for child in area.children:
            papers |= visit(child, name)
        nodes[index] = MapNode(name, one_line(area.name), area.status, len(papers))
        return papers

    for root in data.areas:
        visit(root, None)
    links = sorted(
        (names[lk.source_id], names[lk.target_id], lk.relation, one_line(lk.note))
        for lk in data.area_links
        if lk.source_id in names and lk.target_id in names
    )
    by_number = sorted(links, key=lambda t: (int(t[0][1:]), int(t[1][1:]), t[2].value))
    edges.extend(MapEdge(s, t, AreaRelation(r), note) for s, t, r, note in by_number)
    return MapGraph(nodes, edges)
