"""The research map as a Mermaid flowchart (GitHub, GitLab, Obsidian render it).

Areas are boxes coloured by status with their paper counts; tree edges are plain lines from
parent to child, links between areas are labelled arrows (``enables`` solid and thick, the
others dotted). Every label is quoted, and the characters that could end a quote or start
markup (``"`` ``#`` ``<`` ``>`` ``&`` backtick, newlines) become Mermaid entity codes, so a
hostile area name can neither break nor inject into the diagram.
"""

from __future__ import annotations

from litreview.exporters.mapgraph import RELATION_LABELS, STATUS_COLOURS, MapGraph, map_graph
from litreview.library.export import ExportData
from litreview.models import AreaRelation

_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "\\": "#92;",
}
_TABLE = str.maketrans(_ENTITIES)


def quote(text: str) -> str:
    """A Mermaid string literal that shows ``text`` as it is, and only as text."""
    return '"' + " ".join(text.split()).translate(_TABLE) + '"'


def flowchart(graph: MapGraph) -> str:
    """The flowchart's text (no code fence)."""
    lines = ["flowchart TB"]
    for node in graph.nodes:
        lines.append(f"    {node.name}[{quote(f'{node.label} · {node.papers}')}]")
    for edge in graph.edges:
        if edge.relation is None:
            lines.append(f"    {edge.source} --- {edge.target}")
        else:
            arrow = "==>" if edge.relation is AreaRelation.enables else "-.->"
            label = quote(RELATION_LABELS[edge.relation])
            lines.append(f"    {edge.source} {arrow}|{label}| {edge.target}")
    for status in graph.statuses:
        fill, stroke = STATUS_COLOURS[status]
        lines.append(f"    classDef {status.value} fill:{fill},stroke:{stroke},color:#212121")
        members = ",".join(n.name for n in graph.nodes if n.status is status)
        lines.append(f"    class {members} {status.value}")
    return "\n".join(lines) + "\n"


def render_mermaid(data: ExportData) -> str:
    """The map of the exported areas alone, as a Mermaid flowchart."""
    return flowchart(map_graph(data))
