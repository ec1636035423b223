// Graphs drawn as SVG: a layered layout by dagre (vendored), SVG element helpers, pan and zoom,
// and downloads as SVG and PNG. Used by the map of areas (map.js) and a paper's relation graph.
// Colours are SVG attributes, not CSS, so that a downloaded SVG looks the same as on screen.

import dagre from "../vendor/dagre-3.1.3/dagre.esm.js";

const NS = "http://www.w3.org/2000/svg";

/** Make an SVG element: svg("rect", {x: 1, class: "a"}, child, "text"...). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Lay out `nodes` ({id, width, height}) and `edges` ({id, source, target, layout}) top to bottom.
 * Edges with `layout: false` do not shape the layers (they are drawn straight afterwards).
 * Returns {nodes: Map id -> {x, y, width, height}, edges: Map id -> [{x, y}...], width, height}.
 */
export function layoutGraph(nodes, edges, { ranksep = 60, nodesep = 30 } = {}) {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", ranksep, nodesep, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(String(node.id), { width: node.width, height: node.height });
  for (const edge of edges) {
    if (edge.layout === false) continue;
    g.setEdge(String(edge.source), String(edge.target), { weight: edge.weight || 1, minlen: 1 }, String(edge.id));
  }
  dagre.layout(g);
  const placed = new Map(nodes.map((n) => [n.id, g.node(String(n.id))]));
  const routes = new Map();
  for (const edge of edges) {
    const a = placed.get(edge.source);
    const b = placed.get(edge.target);
    const laid = edge.layout === false ? null : g.edge(String(edge.source), String(edge.target), String(edge.id));
    routes.set(edge.id, laid && laid.points ? laid.points : [clip(a, b), clip(b, a)]);
  }
  const graph = g.graph();
  return { nodes: placed, edges: routes, width: graph.width || 0, height: graph.height || 0 };
}

/**
 * A layered layout for large maps, in linear time: each node one layer below its parent
 * (`parent` edges: {source, target} of `tree` edges), leaves left to right, a parent centred over
 * its children. dagre's crossing reduction takes seconds beyond a few hundred nodes; a forest
 * needs none. Same result shape as layoutGraph; every edge is drawn straight.
 */
export function layoutForest(nodes, edges, { ranksep = 60, nodesep = 30 } = {}) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map(nodes.map((n) => [n.id, []]));
  const hasParent = new Set();
  for (const edge of edges) {
    if (edge.tree && children.has(edge.source) && byId.has(edge.target)) {
      children.get(edge.source).push(edge.target);
      hasParent.add(edge.target);
    }
  }
  const layerHeight = [];
  const depthOf = new Map();
  const visit = (id, depth) => {
    depthOf.set(id, depth);
    layerHeight[depth] = Math.max(layerHeight[depth] || 0, byId.get(id).height);
    for (const child of children.get(id)) visit(child, depth + 1);
  };
  const roots = nodes.filter((n) => !hasParent.has(n.id)).map((n) => n.id);
  for (const root of roots) visit(root, 0);
  const layerTop = [];
  let y = 20;
  for (let d = 0; d < layerHeight.length; d += 1) {
    layerTop[d] = y;
    y += layerHeight[d] + ranksep;
  }
  const placed = new Map();
  let nextX = 20;
  const place = (id) => {
    const node = byId.get(id);
    const kids = children.get(id);
    let x;
    if (kids.length) {
      const xs = kids.map(place);
      x = (xs[0] + xs[xs.length - 1]) / 2;
      nextX = Math.max(nextX, x + node.width / 2 + nodesep);
    } else {
      x = nextX + node.width / 2;
      nextX += node.width + nodesep;
    }
    const depth = depthOf.get(id);
    placed.set(id, { x, y: layerTop[depth] + layerHeight[depth] / 2, width: node.width, height: node.height });
    return x;
  };
  for (const root of roots) place(root);
  const routes = new Map();
  for (const edge of edges) {
    const a = placed.get(edge.source);
    const b = placed.get(edge.target);
    routes.set(edge.id, [clip(a, b), clip(b, a)]);
  }
  return { nodes: placed, edges: routes, width: nextX, height: y - ranksep + 20 };
}

/**
 * Lay the unconnected parts of a `layout` (layoutGraph's or layoutForest's) in rows rather than
 * in one long line: forty areas without links drew as a strip, unreadable once fitted. Each part
 * (nodes joined by `edges`, with their routes) moves whole, in its order; rows are as wide as
 * suits a room of `aspect` (width / height), and never narrower than the widest part.
 */
export function packParts(layout, edges, aspect = 1.6, gap = 40) {
  const part = new Map([...layout.nodes.keys()].map((id) => [id, id]));
  const find = (id) => {
    let root = id;
    while (part.get(root) !== root) root = part.get(root);
    for (let at = id; at !== root;) {
      const next = part.get(at);
      part.set(at, root);
      at = next;
    }
    return root;
  };
  for (const edge of edges) {
    if (part.has(edge.source) && part.has(edge.target)) part.set(find(edge.source), find(edge.target));
  }
  const parts = new Map(); // root -> {ids, edges, box}, in the nodes' order
  const grow = (box, x0, y0, x1, y1) => {
    box.x0 = Math.min(box.x0, x0); box.y0 = Math.min(box.y0, y0);
    box.x1 = Math.max(box.x1, x1); box.y1 = Math.max(box.y1, y1);
  };
  for (const [id, n] of layout.nodes) {
    const root = find(id);
    if (!parts.has(root)) parts.set(root, { ids: [], edges: [], box: { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity } });
    const one = parts.get(root);
    one.ids.push(id);
    grow(one.box, n.x - n.width / 2, n.y - n.height / 2, n.x + n.width / 2, n.y + n.height / 2);
  }
  if (parts.size < 2) return layout;
  for (const edge of edges) {
    const points = layout.edges.get(edge.id);
    if (!points || !part.has(edge.source)) continue;
    const one = parts.get(find(edge.source));
    one.edges.push(points);
    for (const p of points) grow(one.box, p.x, p.y, p.x, p.y);
  }
  const all = [...parts.values()];
  const area = all.reduce((sum, { box }) => sum + (box.x1 - box.x0 + gap) * (box.y1 - box.y0 + gap), 0);
  const rowWidth = Math.max(...all.map(({ box }) => box.x1 - box.x0), Math.sqrt(area * aspect));
  const margin = 20;
  let x = margin;
  let y = margin;
  let rowHeight = 0;
  let width = 0;
  for (const { ids, edges: routes, box } of all) {
    const w = box.x1 - box.x0;
    if (x > margin && x + w > margin + rowWidth) {
      x = margin;
      y += rowHeight + gap;
      rowHeight = 0;
    }
    const dx = x - box.x0;
    const dy = y - box.y0;
    for (const id of ids) {
      const n = layout.nodes.get(id);
      layout.nodes.set(id, { ...n, x: n.x + dx, y: n.y + dy });
    }
    for (const points of routes) {
      for (const p of points) { p.x += dx; p.y += dy; }
    }
    width = Math.max(width, x + w);
    x += w + gap;
    rowHeight = Math.max(rowHeight, box.y1 - box.y0);
  }
  return { ...layout, width: width + margin, height: y + rowHeight + margin };
}

/** Where the line from a's centre to b's centre leaves a's box. */
function clip(a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  if (!dx && !dy) return { x: a.x, y: a.y };
  const scale = Math.min(Math.abs((a.width / 2) / (dx || 1e-9)), Math.abs((a.height / 2) / (dy || 1e-9)));
  return { x: a.x + dx * scale, y: a.y + dy * scale };
}

/** The SVG path of a polyline through `points`, smoothed at the bends. */
export function pathThrough(points) {
  if (!points.length) return "";
  let d = `M${points[0].x.toFixed(1)},${points[0].y.toFixed(1)}`;
  for (let i = 1; i < points.length; i += 1) {
    const p = points[i];
    if (i < points.length - 1) {
      const next = points[i + 1];
      d += ` Q${p.x.toFixed(1)},${p.y.toFixed(1)} ${((p.x + next.x) / 2).toFixed(1)},${((p.y + next.y) / 2).toFixed(1)}`;
    } else {
      d += ` L${p.x.toFixed(1)},${p.y.toFixed(1)}`;
    }
  }
  return d;
}

/** An arrowhead marker per colour, in the svg's <defs>. Returns the marker's url(). */
export function arrowMarker(root, colour) {
  let defs = root.querySelector("defs");
  if (!defs) {
    defs = svg("defs");
    root.prepend(defs);
  }
  const id = `arrow-${colour.replace(/[^a-z0-9]/gi, "")}`;
  if (!defs.querySelector(`#${id}`)) {
    defs.append(svg("marker", {
      id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
    }, svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour })));
  }
  return `url(#${id})`;
}

/** Words wrapped into lines of at most `width` characters (at most `max` lines). */
export function wrapWords(text, width = 24, max = 3) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && (line + " " + word).length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  if (lines.length > max) {
    lines.length = max;
    lines[max - 1] = `${lines[max - 1].slice(0, width - 1)}…`;
  }
  return lines;
}

/**
 * Pan (drag on the background) and zoom (wheel, or the returned zoomBy) of `viewport`, a <g>
 * inside `root`. `isBackground(event)` says whether a pointerdown may start a pan. `size`
 * ({width, height}): the room the drawing will have, for a fit before `root` is in the page.
 */
export function panZoom(root, viewport, isBackground, size = null) {
  const view = { x: 0, y: 0, k: 1 };
  const apply = () => viewport.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`);
  let pan = null;
  root.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || !isBackground(event)) return;
    pan = { x: event.clientX - view.x, y: event.clientY - view.y };
    root.setPointerCapture(event.pointerId);
    root.classList.add("panning");
  });
  root.addEventListener("pointermove", (event) => {
    if (!pan) return;
    view.x = event.clientX - pan.x;
    view.y = event.clientY - pan.y;
    apply();
  });
  const stop = () => {
    pan = null;
    root.classList.remove("panning");
  };
  root.addEventListener("pointerup", stop);
  root.addEventListener("pointercancel", stop);
  const zoomBy = (factor, cx = root.clientWidth / 2, cy = root.clientHeight / 2) => {
    const k = Math.min(4, Math.max(0.1, view.k * factor));
    view.x = cx - ((cx - view.x) * k) / view.k;
    view.y = cy - ((cy - view.y) * k) / view.k;
    view.k = k;
    apply();
  };
  root.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = root.getBoundingClientRect();
    zoomBy(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });
  const fit = (width, height) => {
    const room = size && !root.isConnected ? size : { width: root.clientWidth, height: root.clientHeight };
    const k = Math.min(1, room.width / (width || 1), room.height / (height || 1));
    view.k = Math.max(0.1, k);
    view.x = (room.width - width * view.k) / 2;
    view.y = Math.max(0, (room.height - height * view.k) / 2);
    apply();
  };
  apply();
  return { zoomBy, fit, view };
}

/** The drawing as a standalone SVG document (the whole graph, not just what is in view). */
export function standaloneSvg(root, viewport, width, height) {
  const copy = root.cloneNode(true);
  copy.setAttribute("xmlns", NS);
  copy.setAttribute("width", String(Math.ceil(width)));
  copy.setAttribute("height", String(Math.ceil(height)));
  copy.setAttribute("viewBox", `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`);
  copy.removeAttribute("class");
  copy.removeAttribute("style");
  const inner = copy.querySelector(`#${viewport.id}`);
  if (inner) inner.removeAttribute("transform");
  copy.prepend(svg("rect", { width: "100%", height: "100%", fill: "#ffffff" }));
  return new XMLSerializer().serializeToString(copy);
}

/** Offer `blob` as a download called `name`. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The SVG text rendered to a PNG blob at `scale`. */
export function pngOf(text, width, height, scale = 2) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = Math.ceil(width * scale);
      canvas.height = Math.ceil(height * scale);
      const context = canvas.getContext("2d");
      context.scale(scale, scale);
      context.drawImage(image, 0, 0);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("could not draw the PNG"))), "image/png");
    };
    image.onerror = () => reject(new Error("could not draw the PNG"));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  });
}
