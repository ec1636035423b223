// Shared UI state and helpers: the message line, dialogs, areas and tags caches.

import { api } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";

export const events = new EventTarget();
export const cache = { areas: [], flatAreas: [], areaById: new Map(), tags: [] };

let messageTimer = null;
// With no list to wait for (a paper page opened first), what waits for it starts after this long.
const LIST_WAIT_MS = 1000;

/**
 * Run `start` once the library's first list is in (or after LIST_WAIT_MS): the first page of
 * papers goes first, then what counts over the whole library (the sidebar, the header's counts).
 */
export function afterFirstList(start) {
  let started = false;
  const once = () => {
    if (started) return;
    started = true;
    start();
  };
  events.addEventListener("list-shown", once, { once: true });
  setTimeout(once, LIST_WAIT_MS);
}

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

// The whole area tree and the whole tag list are loaded only for the views that list them all
// (the areas dialog, a paper's area picker, the add dialog's area paths, the export dialog's
// tags), not for the first page: the sidebar loads its own level at a time (sidebar.js).
let areasWanted = false;
let tagsWanted = false;

/** Reload the whole area tree (with counts) and let every view redraw. */
export async function loadAreas() {
  areasWanted = true;
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

/** The whole tree in `cache`, loaded on first use (and kept current by later changes). */
export function ensureAreas() {
  return areasWanted ? Promise.resolve() : loadAreas();
}

/** Reload the whole tag list (names, counts, privacy). */
export async function loadTags() {
  tagsWanted = true;
  const data = await api("/api/tags");
  cache.tags = data.items || [];
  events.dispatchEvent(new Event("tags"));
}

/** The whole tag list in `cache`, loaded on first use. */
export function ensureTags() {
  return tagsWanted ? Promise.resolve() : loadTags();
}

/** After a change to areas or tags: views redraw; the whole lists reload if a view uses them. */
export async function refreshLookups() {
  const reload = (wanted, load, name) => (wanted ? load() : events.dispatchEvent(new Event(name)));
  const results = await Promise.allSettled([
    reload(areasWanted, loadAreas, "areas"),
    reload(tagsWanted, loadTags, "tags"),
  ]);
  for (const result of results) if (result.status === "rejected") showError(result.reason);
}

/**
 * Tag suggestions for every input with list="tag-options", asked from the server as the user
 * types (a library may hold thousands of tags): the most used tags containing the last
 * comma-separated part, offered as the whole value with that part completed.
 */
export function initTagSuggestions() {
  let timer = null;
  let controller = null;
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.getAttribute("list") !== "tag-options") return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (controller) controller.abort();
      controller = new AbortController();
      const cut = input.value.lastIndexOf(",");
      const before = cut < 0 ? "" : `${input.value.slice(0, cut + 1)} `;
      const part = input.value.slice(cut + 1).trim();
      try {
        const params = new URLSearchParams({ q: part, sort: "count", limit: "20" });
        const data = await api(`/api/tags?${params}`, { signal: controller.signal });
        replaceChildren($("#tag-options"), data.items.map((t) => h("option", { value: `${before}${t.name}` })));
      } catch (err) {
        showError(err);
      }
    }, 150);
  });
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
