// The map page (#/map): the research areas (all, or a subtree, or n hops around one) as a layered
// graph drawn in SVG. Tree edges are thin grey lines; links between areas are coloured arrows by
// type. Nodes are coloured by status and show their paper counts (and a chosen column of one's
// own). Pan by dragging the background, zoom with the wheel or the buttons; click an area to open
// it; drag from one area to another to link them (an enables cycle is refused and shown); click a
// link to remove it; download the drawing as SVG or PNG.

import { api, enc } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";
import {
  arrowMarker, download, layoutForest, layoutGraph, packParts, panZoom, pathThrough, pngOf, standaloneSvg, svg, wrapWords,
} from "./graphdraw.js";
import { navigate } from "./navigation.js";
import { events, showError, showInfo } from "./ui.js";

// The same colours as litreview/exporters/mapgraph.py (fill, stroke).
export const STATUS_COLOURS = {
  open: ["#f5f5f5", "#9e9e9e"],
  active: ["#e3f2fd", "#1e88e5"],
  promising: ["#e8f5e9", "#43a047"],
  stalled: ["#fff8e1", "#f9a825"],
  solved: ["#ede7f6", "#5e35b1"],
  abandoned: ["#fbe9e7", "#d84315"],
};
const LINK_STYLES = {
  enables: { colour: "#1565c0", width: 2.4, dash: null, label: "enables", layout: true },
  applies_to: { colour: "#6a1b9a", width: 1.8, dash: null, label: "applies to", layout: true },
  alternative_to: { colour: "#ef6c00", width: 1.8, dash: "7 4", label: "alternative to", layout: false },
  related: { colour: "#616161", width: 1.5, dash: "2 4", label: "related", layout: false },
};
const NODE_WIDTH = 190;
// Links that order the layers (enables, applies_to) shape dagre's layout up to this many; beyond
// it (or beyond DAGRE_NODE_LIMIT areas) dagre's crossing reduction takes seconds, and the map is
// laid out as a forest (layoutForest: the tree's layers, in linear time), links drawn straight.
const LAYOUT_LINK_LIMIT = 150;
const DAGRE_NODE_LIMIT = 150;
// Above this many links each is one path (no label on the line, no wide invisible hit area):
// a large map stays quick to draw; the colour and dash say the type, hovering names the link.
const LABEL_LINK_LIMIT = 150;
const LINE = 16;

const state = { data: null, root: "", around: "", hops: 2, column: "", linkType: "enables", drawn: null };
let built = false;

/** Show the map page for `hash` (#/map?root=ID&around=ID&hops=N). */
export async function openMap(hash) {
  const params = new URLSearchParams(hash.includes("?") ? hash.slice(hash.indexOf("?")) : "");
  state.root = params.get("root") || "";
  state.around = params.get("around") || "";
  state.hops = Number(params.get("hops")) || state.hops;
  if (!built) build();
  $("#map-view").hidden = false;
  await reload();
}

export function closeMap() {
  $("#map-view").hidden = true;
}

function build() {
  built = true;
  const view = $("#map-view");
  const typeOptions = Object.entries(LINK_STYLES).map(([value, s]) => h("option", { value }, s.label));
  replaceChildren(view,
    h("header", { class: "view-header" }, h("h1", { id: "map-heading" }, "Map of research areas")),
    h("form", { class: "map-controls", id: "map-controls", "aria-label": "Map controls", onsubmit: (e) => e.preventDefault() },
      h("label", {}, "Show ", h("select", { id: "map-root", "aria-label": "Show" })),
      h("label", {}, "Around ", h("select", { id: "map-around", "aria-label": "Around" })),
      h("label", {}, "Hops ", h("input", { id: "map-hops", type: "number", min: "1", max: "9", value: String(state.hops), "aria-label": "Hops" })),
      h("label", {}, "Draw links as ", h("select", { id: "map-link-type", "aria-label": "Draw links as" }, typeOptions)),
      h("label", {}, "Column ", h("select", { id: "map-column", "aria-label": "Column shown on areas" })),
      h("span", { class: "map-buttons" },
        h("button", { type: "button", id: "map-zoom-out", "aria-label": "Zoom out" }, "−"),
        h("button", { type: "button", id: "map-zoom-in", "aria-label": "Zoom in" }, "+"),
        h("button", { type: "button", id: "map-fit" }, "Fit"),
        h("button", { type: "button", id: "map-download-svg" }, "Download SVG"),
        h("button", { type: "button", id: "map-download-png" }, "Download PNG"))),
    h("p", { class: "hint" }, "Drag from one area to another to link them; click an area to open it, a link to remove it."),
    h("p", { id: "map-status", class: "map-status", role: "status", "aria-live": "polite" }),
    h("div", { class: "map-frame" }),
    h("ul", { class: "map-legend", "aria-label": "Statuses" }, Object.entries(STATUS_COLOURS).map(([status, [fill, stroke]]) =>
      h("li", {}, swatch(fill, stroke), status))));
  $("#map-root").addEventListener("change", (e) => { state.root = e.target.value; reload(); });
  $("#map-around").addEventListener("change", (e) => { state.around = e.target.value; draw(); });
  $("#map-hops").addEventListener("change", (e) => { state.hops = Math.max(1, Number(e.target.value) || 1); draw(); });
  $("#map-link-type").addEventListener("change", (e) => { state.linkType = e.target.value; });
  $("#map-column").addEventListener("change", (e) => { state.column = e.target.value; draw(); });
  $("#map-zoom-in").addEventListener("click", () => state.drawn && state.drawn.zoom.zoomBy(1.25));
  $("#map-zoom-out").addEventListener("click", () => state.drawn && state.drawn.zoom.zoomBy(0.8));
  $("#map-fit").addEventListener("click", () => state.drawn && state.drawn.zoom.fit(state.drawn.width, state.drawn.height));
  $("#map-download-svg").addEventListener("click", () => {
    if (!state.drawn) return;
    const text = standaloneSvg(state.drawn.root, state.drawn.viewport, state.drawn.width, state.drawn.height);
    download(new Blob([text], { type: "image/svg+xml" }), "research-map.svg");
  });
  $("#map-download-png").addEventListener("click", async () => {
    if (!state.drawn) return;
    try {
      const text = standaloneSvg(state.drawn.root, state.drawn.viewport, state.drawn.width, state.drawn.height);
      download(await pngOf(text, state.drawn.width, state.drawn.height), "research-map.png");
    } catch (err) {
      showError(err);
    }
  });
  events.addEventListener("areas", () => {
    if (!$("#map-view").hidden) reload();
  });
}

function swatch(fill, stroke) {
  const box = h("span", { class: "swatch" });
  box.style.background = fill; // set through the DOM: a style attribute would need 'unsafe-inline'
  box.style.borderColor = stroke;
  return box;
}

async function reload() {
  try {
    const [all, chosen, columns] = await Promise.all([
      api("/api/map"),
      state.root ? api(`/api/map?root=${enc(state.root)}`) : null,
      api("/api/columns?target=area").catch(() => ({ items: [] })),
    ]);
    state.data = chosen || all;
    fillSelect($("#map-root"), [["", "All areas"], ...all.nodes.map((n) => [String(n.id), `${n.path} (subtree)`])], state.root);
    fillSelect($("#map-around"), [["", "Everything shown"], ...state.data.nodes.map((n) => [String(n.id), n.path])], state.around);
    fillSelect($("#map-column"), [["", "None"], ...(columns.items || []).map((c) => [c.name, c.name])], state.column);
    draw();
  } catch (err) {
    showError(err);
  }
}

function fillSelect(select, options, value) {
  replaceChildren(select, options.map(([v, label]) => h("option", { value: v }, label)));
  select.value = options.some(([v]) => v === value) ? value : "";
}

/** The node ids within `hops` steps (tree edges and links, either way) of `start`. */
function within(data, start, hops) {
  const next = new Map(data.nodes.map((n) => [n.id, []]));
  const join = (a, b) => {
    if (next.has(a) && next.has(b)) {
      next.get(a).push(b);
      next.get(b).push(a);
    }
  };
  for (const n of data.nodes) if (n.parent_id !== null) join(n.parent_id, n.id);
  for (const link of data.links) join(link.source_id, link.target_id);
  const seen = new Set([start]);
  let frontier = [start];
  for (let step = 0; step < hops; step += 1) {
    frontier = frontier.flatMap((id) => next.get(id) || []).filter((id) => !seen.has(id) && seen.add(id));
  }
  return seen;
}

function formatValue(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") {
    if ("median" in value) return `${fmt(value.median)} (${fmt(value.low)}–${fmt(value.high)})`;
    return Object.values(value).map(fmt).join(" ");
  }
  return fmt(value);
}

function fmt(value) {
  return typeof value === "number" ? Number(value.toPrecision(3)).toString() : String(value);
}

function draw() {
  const data = state.data;
  const frame = document.querySelector("#map-view .map-frame");
  if (!data || !frame) return;
  const aroundId = Number(state.around);
  const keep = aroundId && data.nodes.some((n) => n.id === aroundId) ? within(data, aroundId, state.hops) : null;
  const nodes = data.nodes.filter((n) => !keep || keep.has(n.id));
  const ids = new Set(nodes.map((n) => n.id));
  if (!nodes.length) {
    replaceChildren(frame, h("p", { class: "empty" }, "No areas yet: create them under Areas, then link them here."));
    state.drawn = null;
    return;
  }
  const boxes = nodes.map((n) => {
    const lines = wrapWords(n.name, 24, 3);
    const column = state.column && n.fields && state.column in n.fields ? `${state.column}: ${formatValue(n.fields[state.column])}` : "";
    return { node: n, lines, column, id: n.id, width: NODE_WIDTH, height: 18 + (lines.length + 1 + (column ? 1 : 0)) * LINE };
  });
  const edges = [];
  for (const n of nodes) {
    if (n.parent_id !== null && ids.has(n.parent_id)) edges.push({ id: `t${n.id}`, source: n.parent_id, target: n.id, tree: true, weight: 2 });
  }
  const shown = data.links.filter((link) => ids.has(link.source_id) && ids.has(link.target_id));
  const ordering = shown.filter((link) => LINK_STYLES[link.relation].layout).length <= LAYOUT_LINK_LIMIT;
  for (const link of shown) {
    const layout = ordering && LINK_STYLES[link.relation].layout;
    edges.push({ id: `l${link.id}`, source: link.source_id, target: link.target_id, link, layout });
  }
  const small = boxes.length <= DAGRE_NODE_LIMIT && ordering;
  // The frame's size, read before the drawing is in the page: no layout of the new drawing is
  // forced before its first frame.
  const size = { width: frame.clientWidth, height: frame.clientHeight };
  const layout = packParts(small ? layoutGraph(boxes, edges) : layoutForest(boxes, edges), edges,
    size.width && size.height ? size.width / size.height : undefined);
  const viewport = svg("g", { id: "map-viewport" });
  const root = svg("svg", { id: "map-svg", class: "map-svg", role: "group", "aria-label": "Map of research areas", "font-family": "system-ui, sans-serif" }, viewport);
  const edgeLayer = svg("g", { class: "map-edges" });
  const nodeLayer = svg("g", { class: "map-nodes" });
  viewport.append(edgeLayer, nodeLayer);
  const names = new Map(data.nodes.map((n) => [n.id, n.path]));
  const labelled = shown.length <= LABEL_LINK_LIMIT;
  const links = new Map();
  for (const edge of edges) {
    if (edge.link) links.set(String(edge.link.id), { link: edge.link, title: linkTitle(edge.link, names) });
    edgeLayer.append(drawEdge(root, edge, layout.edges.get(edge.id), links, labelled));
  }
  for (const box of boxes) nodeLayer.append(drawNode(box, layout.nodes.get(box.id)));
  const zoom = panZoom(root, viewport, (event) => !event.target.closest(".map-node, .map-edge.link"), size);
  zoom.fit(layout.width, layout.height);
  replaceChildren(frame, root);
  state.drawn = { root, viewport, zoom, width: layout.width, height: layout.height };
  wireLinkDrawing(root, viewport);
  wireLinkRemoval(root, links);
}

function linkTitle(link, names) {
  const name = (id) => names.get(id) || String(id);
  const label = LINK_STYLES[link.relation].label;
  return `${name(link.source_id)} ${label} ${name(link.target_id)}${link.note ? ` — ${link.note}` : ""}`;
}

function drawEdge(root, edge, points, links, labelled) {
  if (edge.tree) {
    return svg("path", { class: "map-edge tree", d: pathThrough(points), fill: "none", stroke: "#b5b5b5", "stroke-width": 1.5 });
  }
  const style = LINK_STYLES[edge.link.relation];
  const { title } = links.get(String(edge.link.id));
  const d = pathThrough(points);
  const line = svg("path", {
    d, fill: "none", stroke: style.colour, "stroke-width": style.width,
    "stroke-dasharray": style.dash, "marker-end": arrowMarker(root, style.colour),
  });
  const group = svg("g", {
    class: `map-edge link link-${edge.link.relation}`, "data-link-id": edge.link.id, tabindex: 0, role: "button",
    "aria-label": `Link: ${title}`,
  }, svg("title", {}, title));
  if (!labelled) {
    group.append(line);
    return group;
  }
  const mid = points[Math.floor(points.length / 2)];
  group.append(
    svg("path", { d, fill: "none", stroke: "transparent", "stroke-width": 10 }),
    line,
    svg("text", { x: mid.x, y: mid.y - 4, "text-anchor": "middle", "font-size": 10, fill: style.colour, stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke" }, style.label),
  );
  return group;
}

/** Click a link, or press Enter or Delete on it: offer to remove it (one listener for all). */
function wireLinkRemoval(root, links) {
  const remove = (event) => {
    const edge = event.target.closest(".map-edge.link");
    const found = edge && links.get(edge.dataset.linkId);
    if (found) removeLink(found.link, found.title);
  };
  root.addEventListener("click", remove);
  root.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === "Delete") remove(event);
    if (event.key === "Enter" && event.target.closest(".map-node")) openArea(Number(event.target.closest(".map-node").dataset.areaId));
  });
}

function drawNode(box, at) {
  const n = box.node;
  const [fill, stroke] = STATUS_COLOURS[n.status] || STATUS_COLOURS.open;
  const papers = `${n.paper_count} paper${n.paper_count === 1 ? "" : "s"} · ${n.status}`;
  const x = at.x - box.width / 2;
  const y = at.y - box.height / 2;
  const texts = box.lines.map((line, i) => svg("text", { x: box.width / 2, y: 22 + i * LINE, "text-anchor": "middle", "font-size": 13, "font-weight": 600, fill: "#212121" }, line));
  texts.push(svg("text", { x: box.width / 2, y: 22 + box.lines.length * LINE, "text-anchor": "middle", "font-size": 11, fill: "#555555" }, papers));
  if (box.column) {
    texts.push(svg("text", { x: box.width / 2, y: 22 + (box.lines.length + 1) * LINE, "text-anchor": "middle", "font-size": 11, fill: "#37474f" }, box.column));
  }
  return svg("g", {
    class: "map-node", "data-area-id": n.id, "data-status": n.status, transform: `translate(${x},${y})`,
    tabindex: 0, role: "button", "aria-label": `${n.path}: ${papers}`,
  },
  svg("title", {}, n.path),
  svg("rect", { width: box.width, height: box.height, rx: 8, fill, stroke, "stroke-width": 1.6 }),
  texts);
}

function openArea(areaId) {
  navigate(`#/?area=${enc(String(areaId))}`);
}

/** Press on an area and release on another: a link of the chosen type; release in place: open it. */
function wireLinkDrawing(root, viewport) {
  let drag = null;
  root.addEventListener("pointerdown", (event) => {
    const node = event.target.closest(".map-node");
    if (!node || event.button !== 0) return;
    event.preventDefault();
    drag = { from: node, x: event.clientX, y: event.clientY, moved: false, line: null };
    root.setPointerCapture(event.pointerId);
  });
  root.addEventListener("pointermove", (event) => {
    if (!drag) return;
    if (!drag.moved && Math.hypot(event.clientX - drag.x, event.clientY - drag.y) < 5) return;
    drag.moved = true;
    const start = toGraph(root, viewport, drag.x, drag.y);
    const end = toGraph(root, viewport, event.clientX, event.clientY);
    if (!drag.line) {
      drag.line = svg("line", { class: "map-drawing", stroke: LINK_STYLES[state.linkType].colour, "stroke-width": 2, "stroke-dasharray": "4 3" });
      viewport.append(drag.line);
    }
    for (const [k, v] of Object.entries({ x1: start.x, y1: start.y, x2: end.x, y2: end.y })) drag.line.setAttribute(k, String(v));
  });
  const finish = (event) => {
    if (!drag) return;
    const { from, moved, line } = drag;
    drag = null;
    if (line) line.remove();
    const fromId = Number(from.dataset.areaId);
    if (!moved) {
      openArea(fromId);
      return;
    }
    const under = document.elementFromPoint(event.clientX, event.clientY);
    const to = under && under.closest ? under.closest(".map-node") : null;
    if (to && to !== from) createLink(fromId, Number(to.dataset.areaId));
  };
  root.addEventListener("pointerup", finish);
  root.addEventListener("pointercancel", () => {
    if (drag && drag.line) drag.line.remove();
    drag = null;
  });
}

function toGraph(root, viewport, clientX, clientY) {
  const point = root.createSVGPoint();
  point.x = clientX;
  point.y = clientY;
  return point.matrixTransform(viewport.getScreenCTM().inverse());
}

function say(text) {
  $("#map-status").textContent = text;
}

async function createLink(sourceId, targetId) {
  const relation = state.linkType;
  const name = (id) => (state.data.nodes.find((n) => n.id === id) || {}).path || String(id);
  try {
    await api("/api/area-links", { method: "POST", json: { source_id: sourceId, target_id: targetId, relation } });
    const text = `Linked: ${name(sourceId)} ${LINK_STYLES[relation].label} ${name(targetId)}.`;
    say(text);
    showInfo(text);
    await reload();
  } catch (err) {
    say(`Refused: ${err.message}`);
    showError(err);
    const cycle = err.details && err.details.cycle_ids;
    if (cycle) {
      for (const id of cycle) {
        const node = document.querySelector(`#map-svg .map-node[data-area-id="${id}"]`);
        if (node) {
          node.classList.add("in-cycle");
          node.querySelector("rect").setAttribute("stroke", "#c62828");
          node.querySelector("rect").setAttribute("stroke-width", "3");
        }
      }
    }
  }
}

async function removeLink(link, title) {
  if (!window.confirm(`Remove the link “${title}”?`)) return;
  try {
    await api(`/api/area-links/${enc(link.id)}`, { method: "DELETE" });
    say(`Removed: ${title}.`);
    await reload();
  } catch (err) {
    showError(err);
  }
}
