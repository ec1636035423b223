// A paper's relations two hops out (critiques, extends, responds to ...) as a small layered graph
// on its page; click a paper to open it. The same drawing helpers as the map (graphdraw.js).

import { api, enc } from "./api.js";
import { h, RELATION_LABELS, replaceChildren } from "./dom.js";
import { arrowMarker, layoutGraph, pathThrough, svg, wrapWords } from "./graphdraw.js";
import { navigate } from "./navigation.js";

const WIDTH = 170;

/** The section with the graph of `paper`'s relations (drawn once the data arrives). */
export function relationGraphSection(paper) {
  const box = h("div", { class: "relation-graph-box" });
  const section = h("section", { class: "card", "aria-labelledby": "relation-graph-heading" },
    h("h2", { id: "relation-graph-heading", class: "section-title" }, "Relations, two hops out"), box);
  api(`/api/papers/${enc(paper.id)}/relation-graph?hops=2`)
    .then((data) => draw(box, data, paper.id))
    .catch(() => replaceChildren(box, h("p", { class: "empty" }, "The relation graph could not be loaded.")));
  return section;
}

function draw(box, data, centreId) {
  if (data.links.length === 0) {
    replaceChildren(box, h("p", { class: "empty" }, "No relations to draw yet."));
    return;
  }
  const boxes = data.nodes.map((n) => {
    const lines = wrapWords(n.title || n.key, 26, 2);
    return { id: n.id, node: n, lines, width: WIDTH, height: 16 + (lines.length + 1) * 14 };
  });
  const edges = data.links.map((lk, i) => ({ id: `e${i}`, source: lk.source_id, target: lk.target_id, link: lk }));
  const layout = layoutGraph(boxes, edges, { ranksep: 45, nodesep: 20 });
  const root = svg("svg", {
    class: "relation-graph", role: "group", "aria-label": "Relation graph",
    viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`, "font-family": "system-ui, sans-serif",
  });
  for (const edge of edges) {
    const points = layout.edges.get(edge.id);
    const mid = points[Math.floor(points.length / 2)];
    root.append(svg("g", { class: "graph-link" },
      svg("path", { d: pathThrough(points), fill: "none", stroke: "#607d8b", "stroke-width": 1.5, "marker-end": arrowMarker(root, "#607d8b") }),
      svg("text", { x: mid.x, y: mid.y - 3, "text-anchor": "middle", "font-size": 10, fill: "#37474f", stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" },
        RELATION_LABELS[edge.link.relation] || edge.link.relation)));
  }
  for (const b of boxes) {
    const at = layout.nodes.get(b.id);
    const centre = b.id === centreId;
    const texts = b.lines.map((line, i) => svg("text", { x: b.width / 2, y: 18 + i * 14, "text-anchor": "middle", "font-size": 12, "font-weight": centre ? 700 : 500, fill: "#212121" }, line));
    texts.push(svg("text", { x: b.width / 2, y: 18 + b.lines.length * 14, "text-anchor": "middle", "font-size": 10, fill: "#555" }, b.node.year ? String(b.node.year) : b.node.key));
    root.append(svg("g", {
      class: "graph-paper", "data-paper-id": b.id, tabindex: 0, role: "link", "aria-label": b.node.title,
      transform: `translate(${at.x - b.width / 2},${at.y - b.height / 2})`,
      onclick: () => navigate(`#/paper/${b.id}`),
      onkeydown: (e) => { if (e.key === "Enter") navigate(`#/paper/${b.id}`); },
    },
    svg("title", {}, b.node.title),
    svg("rect", { width: b.width, height: b.height, rx: 6, fill: centre ? "#e3f2fd" : "#fafafa", stroke: centre ? "#1e88e5" : "#bdbdbd", "stroke-width": centre ? 2 : 1 }),
    texts));
  }
  replaceChildren(box, root);
}
