// Shared UI state and helpers: the message line, dialogs, areas and tags caches.

import { api } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";

export const events = new EventTarget();
export const cache = { areas: [], flatAreas: [], areaById: new Map(), tags: [] };

let messageTimer = null;

/** Show an error (ApiError or any Error or text) in the visible aria-live message line. */
export function showError(err) {
  if (err && err.name === "AbortError") return;
  const text = typeof err === "string" ? err : (err && err.message) || String(err);
  if (err && typeof err !== "string") console.error(err);
  showMessage(text, "error");
}

/** Show a short confirmation; it fades after a few seconds. */
export function showInfo(text) {
  showMessage(text, "info");
}

function showMessage(text, kind) {
  const box = $("#message");
  $("#message-text").textContent = text;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(messageTimer);
  if (kind === "info") messageTimer = setTimeout(hideMessage, 4000);
}

export function hideMessage() {
  $("#message").hidden = true;
}

export function openDialog(dialog) {
  if (!dialog.open) dialog.showModal();
}

/** Reload the area tree (with counts) and let every view redraw. */
export async function loadAreas() {
  const data = await api("/api/areas");
  cache.areas = data.items || [];
  cache.flatAreas = [];
  cache.areaById = new Map();
  const walk = (nodes, depth) => {
    for (const node of nodes) {
      cache.flatAreas.push({ ...node, depth });
      cache.areaById.set(node.id, node);
      walk(node.children || [], depth + 1);
    }
  };
  walk(cache.areas, 0);
  replaceChildren($("#area-path-options"), cache.flatAreas.map((a) => h("option", { value: a.path })));
  events.dispatchEvent(new Event("areas"));
}

/** Reload the tag list (names and counts) used for suggestions. */
export async function loadTags() {
  const data = await api("/api/tags");
  cache.tags = data.items || [];
  replaceChildren($("#tag-options"), cache.tags.map((t) => h("option", { value: t.name })));
  events.dispatchEvent(new Event("tags"));
}

/** Reload areas and tags, reporting a failure instead of throwing. */
export async function refreshLookups() {
  const results = await Promise.allSettled([loadAreas(), loadTags()]);
  for (const result of results) if (result.status === "rejected") showError(result.reason);
}

/** <option>s of every area, indented by depth, for an area <select>. */
export function areaOptions({ exclude = new Set(), emptyLabel = null } = {}) {
  const options = [];
  if (emptyLabel !== null) options.push(h("option", { value: "" }, emptyLabel));
  for (const area of cache.flatAreas) {
    if (exclude.has(area.id)) continue;
    options.push(h("option", { value: String(area.id) }, `${"\u2003".repeat(area.depth)}${area.name}`));
  }
  return options;
}

/** The ids of an area and all areas below it. */
export function subtreeIds(areaId) {
  const ids = new Set();
  const node = cache.areaById.get(areaId);
  const walk = (n) => {
    ids.add(n.id);
    (n.children || []).forEach(walk);
  };
  if (node) walk(node);
  return ids;
}
