"""The research map in Graphviz DOT (``dot -Tsvg map.dot``).

Areas are rounded boxes filled by status with their paper counts; tree edges are grey lines
without arrowheads, links between areas are labelled arrows (``enables`` bold, the others
dashed), with the link's note as a tooltip. Every string is quoted with ``\\`` and ``"``
escaped and spacing collapsed, so no area name can end a string or add a statement.
"""

from __future__ import annotations

from litreview.exporters.mapgraph import RELATION_LABELS, STATUS_COLOURS, MapGraph, map_graph
from litreview.library.export import ExportData
from litreview.models import AreaRelation


def _escaped(text: str) -> str:
    flat = " ".join(text.split())
    return flat.replace("\\", "\\\\").replace('"', '\\"')


def quote(text: str) -> str:
    """A DOT quoted string showing ``text`` literally (no escape sequences survive)."""
    return f'"{_escaped(text)}"'


def digraph(graph: MapGraph) -> str:
    """The DOT text of the map."""
    lines = [
        "digraph research_map {",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded,filled", fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in graph.nodes:
        fill, stroke = STATUS_COLOURS[node.status]
        label = f'"{_escaped(node.label)}\\n{node.papers}"'
        lines.append(
            f"    {node.name} [label={label}, fillcolor={quote(fill)}, color={quote(stroke)},"
            f" tooltip={quote(node.status.value)}];"
        )
    for edge in graph.edges:
        if edge.relation is None:
            lines.append(f"    {edge.source} -> {edge.target} [arrowhead=none, color=grey60];")
            continue
        style = "bold" if edge.relation is AreaRelation.enables else "dashed"
        attrs = f"label={quote(RELATION_LABELS[edge.relation])}, style={style}"
        if edge.note:
            attrs += f", tooltip={quote(edge.note)}"
        lines.append(f"    {edge.source} -> {edge.target} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_dot(data: ExportData) -> str:
    """The map of the exported areas alone, in DOT."""
    return digraph(map_graph(data))
