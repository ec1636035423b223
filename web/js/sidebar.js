// The sidebar: the area tree, loaded a level at a time (the top level first, an area's
// sub-areas when it is opened), and the tags, the most used first or those matching the filter
// box (asked from the server: a library may hold thousands). Both are built when their data
// changes, never on a search: a search only moves the mark on the chosen area.

import { reorderable } from "./area_order.js";
import { api, enc, query } from "./api.js";
import { $, debounce, h, keepingFocus, replaceChildren } from "./dom.js";
import { afterFirstList, events, showError } from "./ui.js";

const TAG_LIMIT = 30;
const known = new Map(); // area id -> the area as last listed (path, counts, description)
const opened = new Set(); // ids of the areas whose sub-areas are shown
let onChoose = () => {};
let onTag = () => {};
let current = "";
let treeLoad = 0;
let tagController = null;

async function level(parentId) {
  const data = await api(`/api/areas${query({ parent: parentId, depth: 1 })}`);
  for (const node of data.items) known.set(node.id, node);
  return data.items;
}

/** The area as the sidebar last listed it, or undefined. */
export function knownArea(areaId) {
  return known.get(Number(areaId));
}

/** The area (listed or asked for), or null when there is none of that id. */
export async function areaInfo(areaId) {
  const id = Number(areaId);
  if (!known.has(id)) {
    try {
      known.set(id, await api(`/api/areas/${enc(id)}`));
    } catch (err) {
      if (err.status === 404) return null;
      throw err;
    }
  }
  return known.get(id);
}

function areaItem(node, siblings, levels) {
  const button = h("button", {
    type: "button",
    class: "area-link",
    "data-area": String(node.id),
    onclick: () => onChoose(String(node.id)),
  }, h("span", { class: "area-name" }, node.name), h("span", { class: "count" }, String(node.paper_count)));
  const li = h("li", {});
  if (node.child_count) {
    const open = opened.has(node.id) && levels.has(node.id);
    li.append(h("button", {
      type: "button",
      class: "area-toggle",
      "aria-expanded": String(open),
      "aria-label": `Sub-areas of ${node.name}`,
      onclick: (event) => toggle(node, li, event.currentTarget),
    }));
    li.append(button);
    if (open) li.append(h("ul", {}, branch(levels.get(node.id), levels)));
  } else {
    li.append(button);
  }
  return reorderable(li, node, siblings);
}

function branch(nodes, levels) {
  return nodes.map((node) => areaItem(node, nodes, levels));
}

async function toggle(node, li, button) {
  const shown = li.querySelector(":scope > ul");
  if (opened.has(node.id)) {
    opened.delete(node.id);
    button.setAttribute("aria-expanded", "false");
    if (shown) shown.remove();
    return;
  }
  opened.add(node.id);
  button.setAttribute("aria-expanded", "true");
  try {
    const children = await level(node.id);
    if (!opened.has(node.id)) return;
    // The tree was built again meanwhile (the areas changed): build it with this level open.
    if (!li.isConnected) return reloadTree();
    li.append(h("ul", {}, branch(children, new Map())));
    markCurrentArea(current);
  } catch (err) {
    opened.delete(node.id);
    button.setAttribute("aria-expanded", "false");
    showError(err);
  }
}

/** Build the tree again (the areas changed): the top level and every opened area's level. */
async function reloadTree() {
  const mine = ++treeLoad;
  const ids = [...opened];
  known.clear();
  const [top, ...below] = await Promise.allSettled([level(null), ...ids.map(level)]);
  if (mine !== treeLoad) return;
  if (top.status === "rejected") {
    showError(top.reason);
    return;
  }
  const levels = new Map();
  below.forEach((result, i) => {
    if (result.status === "fulfilled") levels.set(ids[i], result.value);
    else opened.delete(ids[i]); // deleted since
  });
  // Areas opened while those levels were asked for (a click during the reload) stay open.
  const late = [...opened].filter((id) => !levels.has(id) && !ids.includes(id));
  const more = await Promise.allSettled(late.map(level));
  if (mine !== treeLoad) return;
  more.forEach((result, i) => {
    if (result.status === "fulfilled") levels.set(late[i], result.value);
    else opened.delete(late[i]);
  });
  const tree = $("#area-tree");
  const all = h("li", {}, h("button", {
    type: "button",
    class: "area-link",
    "data-area": "",
    onclick: () => onChoose(""),
  }, h("span", { class: "area-name" }, "All papers")));
  const hint = top.value.length ? null : h("li", { class: "empty" }, "No areas yet: create them under Areas, or give an area when adding papers.");
  // The keyboard stays on its area (on the area's link, from its toggle too).
  keepingFocus(tree, () => replaceChildren(tree, all, branch(top.value, levels), hint), (old) =>
    (old.dataset.area === undefined ? null : tree.querySelector(`.area-link[data-area="${CSS.escape(old.dataset.area)}"]`)));
  markCurrentArea(current);
  events.dispatchEvent(new Event("sidebar-areas"));
}

/** Mark the chosen area ("" for all papers) in the tree that is there: no new tree. */
export function markCurrentArea(areaId) {
  current = areaId || "";
  const tree = $("#area-tree");
  const before = tree.querySelector('.area-link[aria-current="true"]');
  if (before && before.dataset.area === current) return;
  if (before) before.removeAttribute("aria-current");
  const chosen = tree.querySelector(`.area-link[data-area="${CSS.escape(current)}"]`);
  if (chosen) chosen.setAttribute("aria-current", "true");
  else if (current && tree.childElementCount) reveal(current).catch(showError);
}

/** Open the areas above one the tree does not show yet (an address or the map named it). */
async function reveal(areaId) {
  const above = [];
  let node = await areaInfo(areaId);
  while (node && node.parent_id) {
    above.push(node.parent_id);
    node = await areaInfo(node.parent_id);
  }
  if (above.every((id) => opened.has(id))) return; // shown already, or nowhere to be shown
  above.forEach((id) => opened.add(id));
  await reloadTree();
}

async function loadTagCloud() {
  if (tagController) tagController.abort();
  tagController = new AbortController();
  const filter = $("#tag-filter").value.trim();
  try {
    const params = { q: filter, sort: "count", limit: TAG_LIMIT };
    const data = await api(`/api/tags${query(params)}`, { signal: tagController.signal });
    const items = data.items.map((t) =>
      h("li", {}, h("button", { type: "button", class: "tag", onclick: () => onTag(t.name) },
        t.name, h("span", { class: "count" }, String(t.count)))));
    const more = data.total > data.items.length
      ? h("li", { class: "hint" }, `${data.items.length} of ${data.total.toLocaleString()}: filter to find others`)
      : null;
    const none = !data.total && filter ? h("li", { class: "empty" }, "No tag contains that.") : null;
    replaceChildren($("#tag-cloud"), items, more, none);
  } catch (err) {
    showError(err);
  }
}

/** Start the sidebar; `choose(areaId)` filters by an area, `chooseTag(name)` by a tag. */
export function initSidebar({ choose, chooseTag }) {
  onChoose = choose;
  onTag = chooseTag;
  events.addEventListener("areas", () => reloadTree().catch(showError));
  events.addEventListener("tags", loadTagCloud);
  $("#tag-filter").addEventListener("input", debounce(loadTagCloud, 200));
  $("#tag-filter-form").addEventListener("submit", (event) => event.preventDefault());
  // The tree's paper counts and the most used tags are counted over the whole library (100-300
  // ms of the server's time at 100,000 papers): asked for once the first list is in.
  afterFirstList(() => {
    reloadTree().catch(showError);
    loadTagCloud();
  });
}
