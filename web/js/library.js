// The library view: search as you type, filters, the area tree, sorting and "Load more" paging.
// The list is fetched a page (PAGE_SIZE papers, list_start.js) at a time, so it stays fast at
// 100,000 papers; read again, it asks for the rows it showed.

import { api, query } from "./api.js";
import { $, byLine, debounce, h, replaceChildren, setSanitisedHtml } from "./dom.js";
import { rowTitles, setTagChooser, showCount, showRows } from "./list_rows.js";
import { MAX_PAGE_SIZE, PAGE_SIZE, pageUrl, takeFirstPage } from "./list_start.js";
import { navigate } from "./navigation.js";
import { emptyQuery, FILTER_KEYS, queryFromSearch, queryParams } from "./query.js";
import { areaInfo, initSidebar, knownArea, markCurrentArea } from "./sidebar.js";
import { events, showError } from "./ui.js";

export const filters = emptyQuery();
let loaded = 0;
let total = 0;
let controller = null;
let lastQueryKey = null;
let firstPageDone = () => {};
// Settled once the list has shown its first page (the next page counts from it).
const firstPageShown = new Promise((resolve) => {
  firstPageDone = resolve;
});

/** The API parameters of the current filters and order, or of `chosen`. */
export function filterParams(chosen = filters) {
  return queryParams(chosen);
}

/** Filters as the hash of the library route ("#/?q=...&tag=..."). */
export function libraryHash(chosen = filters) {
  return `#/${query(filterParams(chosen))}`;
}

/** Set the filters from a route's query string; true when they changed. */
export function setFiltersFromQuery(search) {
  const next = queryFromSearch(search);
  const changed = JSON.stringify(next) !== JSON.stringify(filters);
  Object.assign(filters, next);
  syncControls();
  return changed;
}

function syncControls() {
  const q = $("#q");
  if (q.value.trim() !== filters.q.trim()) q.value = filters.q;
  $("#filter-status").value = filters.status;
  $("#filter-year-min").value = filters.year_min;
  $("#filter-year-max").value = filters.year_max;
  $("#filter-annotated").value = filters.has_annotation;
  $("#sort").value = filters.sort;
  $("#order").value = filters.order;
  renderActiveFilters();
  markCurrentArea(filters.area);
  renderAreaDescription();
  // The table view opens on the papers the list shows.
  $("#open-table").href = `/static/table.html${query(queryParams(filters, FILTER_KEYS))}`;
}

/**
 * Apply a change to the filters: update the address (no history entry), redraw, fetch page one.
 * On a paper page the change opens the library with it (a new entry), unless the user stays.
 */
export function updateFilters(change) {
  if (onPaperPage()) {
    // The library route sets the filters from the address; staying, the controls show the old ones.
    if (!navigate(libraryHash({ ...filters, ...change }))) syncControls();
    return Promise.resolve();
  }
  Object.assign(filters, change);
  history.replaceState(history.state, "", libraryHash()); // the state holds the entry's position
  syncControls();
  return refresh();
}

/** Fetch the list for the current filters (unless it is already shown, when force is false). */
export async function refresh({ force = true } = {}) {
  const key = JSON.stringify(filterParams());
  if (!force && key === lastQueryKey) return;
  // The same list read again (after an edit, or a change from elsewhere) keeps the pages the
  // user loaded with "Load more", and so their place in it; other filters start at page one.
  // (`loaded` counts the rows drawn: two changes in quick succession both keep the pages.)
  const rows = key === lastQueryKey ? Math.max(1, Math.ceil(loaded / PAGE_SIZE)) * PAGE_SIZE : PAGE_SIZE;
  lastQueryKey = key;
  await fetchPage(true, rows);
}

/** The list's next page, or (`replace`) its first `rows` rows in place of those shown. */
async function fetchPage(replace, rows = PAGE_SIZE) {
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  const list = $("#results");
  list.setAttribute("aria-busy", "true");
  try {
    const url = pageUrl(filters, replace ? 0 : loaded);
    const started = replace && rows === PAGE_SIZE ? takeFirstPage(url) : null; // asked for as the page started
    const early = started && (await started);
    const data = early ? early.data : await readRows(replace ? 0 : loaded, rows, signal);
    if (signal.aborted) return;
    loaded = (replace ? 0 : loaded) + data.items.length;
    total = data.total;
    if (!(early && early.drawn)) {
      showRows(data.items, replace);
      showCount(filters, loaded, total);
    }
  } catch (err) {
    if (err.name === "AbortError") return;
    if (err.status === 422 && err.details && "time_limit_ms" in err.details) {
      // A search too broad to answer quickly (one or two letters): not an error, a hint.
      $("#result-count").textContent = "Keep typing: this search is too broad to answer quickly.";
    } else {
      showError(err);
    }
    if (replace) lastQueryKey = null;
  } finally {
    if (!signal.aborted) {
      if (replace) firstPageDone();
      list.removeAttribute("aria-busy");
      events.dispatchEvent(new Event("list-shown"));
    }
  }
}

const ROW_STEPS = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 };

function onRowKey(event) {
  const step = ROW_STEPS[event.key];
  const row = event.target.closest(".paper-row");
  if (!step || !row || event.ctrlKey || event.metaKey || event.altKey) return;
  event.preventDefault();
  const titles = rowTitles();
  const next = titles.indexOf(row.querySelector(".paper-title")) + step;
  if (next < 0) $("#q").focus();
  else if (next < titles.length) titles[next].focus();
  else if (!$("#load-more").hidden) {
    events.addEventListener("list-shown", () => rowTitles()[next]?.focus(), { once: true });
    $("#load-more").click();
  }
}

/**
 * `rows` rows of the list from `offset`, as one answer: in one request up to the API's largest
 * page, else in requests of that size one after another. (Pages of 50 asked for together cost
 * the server a count and a ranking each: a search for "learning" at 100,000 papers took 515 ms
 * for ten, 96 ms as one, and together they could pass the search's time limit.)
 */
async function readRows(offset, rows, signal) {
  let answer = null;
  const items = [];
  for (let at = offset; at < offset + rows; at += MAX_PAGE_SIZE) {
    answer = await api(pageUrl(filters, at, Math.min(MAX_PAGE_SIZE, offset + rows - at)), { signal });
    items.push(...answer.items);
    if (at + answer.items.length >= answer.total) break;
  }
  return { ...answer, items };
}

function onPaperPage() {
  return location.hash.startsWith("#/paper/");
}

export function addTagFilter(tag) {
  const name = tag.trim();
  if (!name || filters.tag.includes(name)) return;
  updateFilters({ tag: [...filters.tag, name] });
}

function renderActiveFilters() {
  const chips = [];
  const chip = (label, remove) =>
    h("li", { class: "chip" }, h("span", {}, label),
      h("button", { type: "button", class: "chip-remove", "aria-label": `Remove filter ${label}`, onclick: remove }, "×"));
  for (const tag of filters.tag) {
    chips.push(chip(`tag: ${tag}`, () => updateFilters({ tag: filters.tag.filter((t) => t !== tag) })));
  }
  if (filters.area) {
    const area = knownArea(filters.area);
    chips.push(chip(`area: ${area ? area.path : filters.area}`, () => updateFilters({ area: "" })));
  }
  replaceChildren($("#active-filters"), chips);
}

/** The chosen area's name and description; an area the sidebar has not listed is asked for. */
function renderAreaDescription() {
  const box = $("#area-description");
  const heading = $("#library-heading");
  const area = filters.area ? knownArea(filters.area) : null;
  if (filters.area && !area) {
    const wanted = filters.area;
    areaInfo(wanted).then((found) => {
      if (found && filters.area === wanted) {
        renderActiveFilters();
        renderAreaDescription();
      }
    }).catch(showError);
  }
  heading.textContent = area ? area.name : "Library";
  if (area && area.description_html) {
    setSanitisedHtml(box, area.description_html);
    box.hidden = false;
  } else {
    box.replaceChildren();
    box.hidden = true;
  }
  const edited = $("#area-edited");
  edited.textContent = area ? byLine("edited", area.edited_by, area.updated_at) : "";
  edited.hidden = !edited.textContent;
}

export function initLibrary() {
  setTagChooser(addTagFilter);
  const search = $("#q");
  const runSearch = debounce(() => {
    // A paper opened before the pause ended: the search stays with the list it was typed over.
    if (!onPaperPage()) updateFilters({ q: search.value });
  }, 250);
  search.addEventListener("input", () => {
    // Typing on a paper page opens the library at once; there the search waits for a pause.
    if (onPaperPage()) updateFilters({ q: search.value });
    else runSearch();
  });
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch.cancel();
    updateFilters({ q: search.value });
  });
  const tagInput = $("#filter-tag");
  const takeTag = () => {
    const name = tagInput.value.trim();
    if (!name) return;
    tagInput.value = "";
    addTagFilter(name);
  };
  tagInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      takeTag();
    }
  });
  // Picking a suggestion from the datalist fires "input" with the full name.
  tagInput.addEventListener("change", takeTag);
  const bind = (selector, key) =>
    $(selector).addEventListener("change", (event) => updateFilters({ [key]: event.target.value }));
  bind("#filter-status", "status");
  bind("#filter-annotated", "has_annotation");
  bind("#sort", "sort");
  bind("#order", "order");
  const years = debounce(() => updateFilters({ year_min: $("#filter-year-min").value, year_max: $("#filter-year-max").value }), 400);
  $("#filter-year-min").addEventListener("input", years);
  $("#filter-year-max").addEventListener("input", years);
  $("#filters").addEventListener("submit", (event) => event.preventDefault());
  $("#clear-filters").addEventListener("click", () => {
    search.value = "";
    updateFilters(emptyQuery());
  });
  // The keyboard walks the list (a triage: open, annotate, Escape, next): ↓ from the search
  // to the first row, ↓/↑ or j/k from row to row (past the last, the next page), Enter opens.
  search.addEventListener("keydown", (event) => {
    const first = rowTitles()[0];
    if (event.key !== "ArrowDown" || event.altKey || !first) return;
    event.preventDefault();
    first.focus();
  });
  $("#results").addEventListener("keydown", onRowKey);
  // The early first page (list_start.js) may show its button before the app has taken that
  // page: the next page waits for it, or it would ask for the first page again.
  $("#load-more").addEventListener("click", () => firstPageShown.then(() => fetchPage(false)));
  initSidebar({
    choose: (areaId) => {
      updateFilters({ area: areaId });
      document.body.classList.remove("sidebar-open");
      $("#toggle-sidebar").setAttribute("aria-expanded", "false");
    },
    chooseTag: addTagFilter,
  });
  // Renamed or described areas: the chip and heading follow the tree that was loaded again.
  events.addEventListener("sidebar-areas", () => {
    renderActiveFilters();
    renderAreaDescription();
  });
}
