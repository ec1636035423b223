// The table view (web/table.html): papers or areas as a grid (Tabulator, vendored), columns of
// one's own, keyboard editing, paste, bulk actions, saved views; and the matrix view.
// Papers come from the server a page at a time as the grid scrolls (Tabulator's progressive
// load), sorted and filtered by the server (the one paper query: sort, sort_field, q, year,
// status, tag, area, field); areas are few and come at once.

import { TabulatorFull as Tabulator } from "/static/vendor/tabulator-6.3.1/tabulator_esm.min.js";
import { api, enc, query, writeQueue } from "./api.js";
import { $, debounce, h, isTyping, replaceChildren } from "./dom.js";
import { initMatrix, renderMatrix } from "./matrix.js";
import { FILTER_KEYS, queryFromSearch, queryParams } from "./query.js";
import { initSession } from "./session.js";

const PAGE = 100;
const STATUSES = ["unread", "to_read", "skimmed", "read"];
// The selection the grid shows: the library's filters, passed in the address (?q=...&tag=...).
const SELECTION = queryParams(queryFromSearch(location.search), FILTER_KEYS);
const BUILT_IN = {
  paper: [
    // Every column sorts on the server (the paper query's sort: its field is the sort's name;
    // tags and areas by a paper's first one as shown); its header filters are the query's.
    { field: "key", title: "Key", export: "key", width: 150 },
    { field: "title", title: "Title", export: "title", editor: "input", width: 320 },
    { field: "year", title: "Year", export: "year", editor: "number", sorter: "number", width: 80 },
    { field: "status", title: "Status", export: "status", editor: "list", editorParams: { values: STATUSES }, width: 100, headerFilter: "list", headerFilterParams: { values: ["", ...STATUSES] } },
    { field: "rating", title: "Rating", export: "rating", editor: "number", editorParams: { min: 0, max: 5 }, sorter: "number", width: 80, headerFilter: false },
    { field: "tags", title: "Tags", export: "tags", width: 160 },
    { field: "areas", title: "Areas", export: "area", width: 180 },
  ],
  area: [
    { field: "path", title: "Area", width: 260 },
    { field: "paper_count", title: "Papers", sorter: "number", width: 90 },
  ],
};

export const state = {
  target: "paper", columns: [], areas: [], shown: new Set(), table: null, exportNames: new Map(),
  total: 0, selectionTotal: 0,
};

export function showError(err) {
  const text = typeof err === "string" ? err : (err && err.message) || String(err);
  $("#message-text").textContent = text;
  $("#message").dataset.kind = "error";
  $("#message").hidden = false;
}

export function showInfo(text) {
  $("#message-text").textContent = text;
  $("#message").dataset.kind = "info";
  $("#message").hidden = false;
}

/** A value of one's own column as the grid shows (and edits) it. */
export function displayValue(value) {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join("; ");
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "object" && "median" in value) {
    return `${fmt(value.median)} (${fmt(value.low)} to ${fmt(value.high)})`;
  }
  return typeof value === "number" ? fmt(value) : String(value);
}

function fmt(n) {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}

function ownField(column) {
  return `f${column.id}`;
}

export function paperRow(p) {
  const row = {
    id: p.id, version: p.version, key: p.key, title: p.title, year: p.year, status: p.status,
    rating: p.rating, tags: p.tags.join(", "), areas: p.areas.map((a) => a.path).join("; "),
    area_ids: p.areas.map((a) => a.id), tag_list: p.tags, abs_url: p.abs_url || p.url || "",
  };
  for (const column of state.columns) row[ownField(column)] = displayValue(p.fields[column.name]);
  return row;
}

function areaRow(a) {
  const row = { id: a.id, version: a.version, path: a.path, paper_count: a.paper_count };
  for (const column of state.columns) row[ownField(column)] = displayValue(a.fields[column.name]);
  return row;
}

async function loadColumns() {
  const data = await api(`/api/columns${query({ target: state.target })}`);
  state.columns = data.items;
}

async function loadAreas() {
  const data = await api("/api/areas");
  const flat = [];
  const walk = (nodes) => nodes.forEach((n) => { flat.push(n); walk(n.children || []); });
  walk(data.items);
  state.areas = flat;
  replaceChildren($("#bulk-area"), flat.map((a) => h("option", { value: a.id }, a.path)));
}

/** A header filter as the paper query's parameters (added to `params`). */
function addFilter(params, field, raw) {
  const value = String(raw ?? "").trim();
  if (!value) return;
  const list = (key) => { params[key] = [...(params[key] || []), value]; };
  if (field === "title" || field === "key") {
    params.q = [params.q, value].filter(Boolean).join(" ");
  } else if (field === "year") {
    const [low, high] = bounds(value);
    if (low !== "") params.year_min = Math.max(Number(low), Number(params.year_min ?? low));
    if (high !== "") params.year_max = Math.min(Number(high), Number(params.year_max ?? high));
  } else if (field === "status") {
    params.status = value;
  } else if (field === "tags") {
    list("tag");
  } else if (field === "areas") {
    list("area");
  } else {
    const column = state.columns.find((c) => ownField(c) === field);
    if (column) params.field = [...(params.field || []), condition(column, value)];
  }
}

const COMPARE = { ">=": "gte", "<=": "lte", ">": "gt", "<": "lt", "=": "eq", "!=": "ne" };

/** "2020", ">2019", "<=2021", "2018..2020" as [low, high] ("" for open). */
function bounds(text) {
  const range = text.split("..");
  if (range.length === 2) return range.map((t) => t.trim());
  const match = text.match(/^(>=|<=|>|<|=)\s*(.+)$/);
  if (!match) return [text, text];
  const n = match[2];
  if (match[1] === ">=" || match[1] === "=") return [n, match[1] === "=" ? n : ""];
  if (match[1] === "<=") return ["", n];
  return match[1] === ">" ? [String(Number(n) + 1), ""] : ["", String(Number(n) - 1)];
}

/** A header filter on a column of one's own: "> 7", "1..5", a value (numbers, choices, dates:
 * equal), or text the values contain. */
function condition(column, value) {
  const match = value.match(/^(>=|<=|!=|>|<|=)\s*(.+)$/);
  if (match) return `${column.name}:${COMPARE[match[1]]}:${match[2]}`;
  if (value.includes("..")) return `${column.name}:between:${value}`;
  const exact = ["number", "integer", "rating", "yes_no", "date"].includes(column.type) || column.formula;
  return `${column.name}:${exact ? "eq" : "contains"}:${value}`;
}

/** The paper query of one page: the selection, the grid's sort and header filters. */
function pageParams(params) {
  const sent = { ...SELECTION, limit: params.size || PAGE, offset: ((params.page || 1) - 1) * (params.size || PAGE) };
  for (const f of params.filter || []) addFilter(sent, f.field, f.value);
  const sorter = (params.sort || [])[0];
  const column = sorter && state.columns.find((c) => ownField(c) === sorter.field);
  if (column) Object.assign(sent, { sort_field: column.name, order: sorter.dir });
  else if (sorter) Object.assign(sent, { sort: sorter.field, order: sorter.dir });
  else Object.assign(sent, { sort: "added", order: "asc" });
  return sent;
}

/** One page of papers for the grid (Tabulator's ajaxRequestFunc). */
async function fetchPage(_url, _config, params) {
  const sent = pageParams(params);
  const prefetched = state.prefetched;
  state.prefetched = null;
  try {
    const page = await (prefetched && prefetched.key === JSON.stringify(sent)
      ? prefetched.page
      : api(`/api/papers${query(sent)}`));
    state.total = page.total;
    if (!(params.filter || []).length) state.selectionTotal = page.total;
    updateCount();
    if (state.table && state.table.initialized) exportHref(); // the header filters go with it
    const size = params.size || PAGE;
    return { last_page: Math.max(1, Math.ceil(page.total / size)), data: page.items.map(paperRow) };
  } catch (err) {
    showError(err);
    state.total = 0;
    updateCount();
    return { last_page: 1, data: [] };
  }
}

function updateCount() {
  const areas = state.target === "area";
  const shown = areas ? state.table.getDataCount("active") : state.total;
  const all = areas ? state.areas.length : Math.max(state.selectionTotal, state.total);
  $("#row-count").textContent = `${shown} of ${all} ${areas ? "areas" : "papers"}`;
}

function gridColumns() {
  const own = state.columns.map((c) => ({
    field: ownField(c),
    title: c.unit ? `${c.name} (${c.unit})` : c.name,
    editor: c.formula ? false : c.type === "choice" ? "list" : "input",
    editorParams: c.type === "choice" ? { values: ["", ...c.options] } : undefined,
    sorter: ["number", "integer", "rating"].includes(c.type) || c.formula ? "number" : "string",
    width: 140,
  }));
  state.exportNames = new Map(state.columns.map((c) => [ownField(c), c.name]));
  return [...BUILT_IN[state.target], ...own].map(({ export: name, ...c }) => {
    if (name) state.exportNames.set(c.field, name);
    return {
      headerFilter: "input",
      ...c,
      visible: state.shown.size === 0 || state.shown.has(c.field),
    };
  });
}

function renderChooser() {
  const boxes = gridColumns().map((c) => h("label", {},
    h("input", { type: "checkbox", value: c.field, checked: c.visible }), ` ${c.title}`));
  replaceChildren($("#column-choices"), h("legend", {}, "Show columns"), ...boxes);
  const own = state.columns.filter((c) => !c.formula);
  replaceChildren($("#bulk-column"), own.map((c) => h("option", { value: c.name }, c.name)));
}

/** The CSV export of what the grid shows: its visible columns, the selection and the header
 * filters (the export takes the paper query's filters). */
function exportHref() {
  const names = state.table.getColumns()
    .filter((c) => c.isVisible() && state.exportNames.has(c.getField()))
    .map((c) => state.exportNames.get(c.getField()));
  const shown = { ...SELECTION };
  if (state.target === "paper") {
    for (const f of state.table.getHeaderFilters()) addFilter(shown, f.field, f.value);
  }
  $("#export-csv").href = `/api/export${query({ format: "csv", ...shown, column: names })}`;
}

/** The grid for the current target, made again (papers and areas load differently). */
async function rebuild() {
  await loadColumns();
  await makeTable();
  renderChooser();
  exportHref();
}

/** Writes to a row, one after another per row (each sends the version the one before it left). */
const inTurn = writeQueue();

/** Save changed cells of one row; the answer (new version, computed columns) updates it. */
function saveRow(row, changes) {
  return inTurn(row.getData().id, () => sendRow(row, changes));
}

async function sendRow(row, changes) {
  const data = row.getData();
  const fields = {};
  const body = { version: data.version };
  for (const [field, value] of Object.entries(changes)) {
    const column = state.columns.find((c) => ownField(c) === field);
    if (column) fields[column.name] = value === "" ? null : value;
    else if (field === "year" || field === "rating") body[field] = value === "" || value === null ? null : Number(value);
    else body[field] = value;
  }
  if (Object.keys(fields).length) body.fields = fields;
  const path = state.target === "paper" ? `/api/papers/${data.id}` : `/api/areas/${data.id}`;
  try {
    const saved = await api(path, { method: "PATCH", json: body });
    await row.update(state.target === "paper" ? paperRow(saved) : areaRow(saved));
  } catch (err) {
    showError(err);
    const fresh = await api(state.target === "paper" ? `/api/papers/${data.id}` : "/api/areas");
    if (state.target === "paper") await row.update(paperRow(fresh));
  }
}

function selectedRows() {
  const rows = new Map();
  for (const range of state.table.getRanges()) {
    for (const row of range.getRows()) rows.set(row.getData().id, row);
  }
  return [...rows.values()];
}

async function bulk(action) {
  const rows = selectedRows();
  if (!rows.length || state.target !== "paper") return showError("Select paper rows first");
  try {
    for (const row of rows) {
      const id = row.getData().id;
      await inTurn(id, async () => {
        const saved = await action(id, row);
        if (saved) await row.update(paperRow(saved));
        else await row.update(paperRow(await api(`/api/papers/${id}`)));
      });
    }
    showInfo(`Changed ${rows.length} papers`);
    renderMatrix();
  } catch (err) {
    showError(err);
  }
}

/** Enter or F2 edits the active cell; a printable key replaces its value (as spreadsheets do). */
function onGridKey(event) {
  if (isTyping(event.target) || document.querySelector(".tabulator-editing")) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const ranges = state.table.getRanges();
  if (!ranges.length) return;
  const cells = ranges[0].getCells().flat();
  const cell = cells[0];
  if (!cell || !cell.getColumn().getDefinition().editor) return;
  if (event.key === "Enter" || event.key === "F2") {
    event.preventDefault();
    event.stopPropagation();
    cell.edit(true);
  } else if (event.key.length === 1) {
    event.preventDefault();
    event.stopPropagation();
    cell.edit(true);
    const input = cell.getElement().querySelector("input");
    if (input) {
      input.value = event.key;
      input.dispatchEvent(new Event("input"));
    }
  }
}

async function loadViews() {
  const data = await api("/api/views");
  state.views = data.items;
  replaceChildren($("#view-select"), h("option", { value: "" }, "(current)"),
    ...data.items.map((v) => h("option", { value: v.id }, v.name)));
}

async function applyView(id) {
  const view = state.views.find((v) => String(v.id) === String(id));
  if (!view) return;
  if (view.target !== state.target) {
    state.target = view.target;
    $("#table-target").value = view.target;
    await rebuild();
  }
  const spec = view.spec || {};
  state.shown = new Set(spec.columns || []);
  for (const column of state.table.getColumns()) {
    if (state.shown.size === 0 || state.shown.has(column.getField())) column.show();
    else column.hide();
  }
  renderChooser();
  state.table.clearHeaderFilter();
  for (const f of spec.filters || []) state.table.setHeaderFilterValue(f.field, f.value);
  state.table.setSort((spec.sort || []).map((s) => ({ column: s.column, dir: s.dir })));
  exportHref();
}

async function saveView() {
  const name = window.prompt("Name of this view");
  if (!name) return;
  const spec = {
    columns: state.table.getColumns().filter((c) => c.isVisible()).map((c) => c.getField()),
    sort: state.table.getSorters().map((s) => ({ column: s.field, dir: s.dir })),
    filters: state.table.getHeaderFilters().map((f) => ({ field: f.field, value: f.value })),
  };
  try {
    const view = await api("/api/views", { method: "POST", json: { name, target: state.target, spec } });
    await loadViews();
    $("#view-select").value = String(view.id);
    showInfo(`Saved view “${view.name}”`);
  } catch (err) {
    showError(err);
  }
}

async function createColumn(event) {
  event.preventDefault();
  const form = event.target;
  const data = Object.fromEntries(new FormData(form));
  const body = { name: data.name, type: data.type, target: state.target };
  if (data.options) body.options = data.options.split(",").map((s) => s.trim()).filter(Boolean);
  if (data.formula) body.formula = data.formula;
  try {
    await api("/api/columns", { method: "POST", json: body });
    form.reset();
    $("#new-column").open = false;
    await rebuild();
    showInfo(`Created column “${body.name}”`);
  } catch (err) {
    showError(err);
  }
}

/** The window's height below the grid's top, so the grid (focused when drawn) needs no scroll. */
function gridHeight() {
  const top = $("#grid").getBoundingClientRect().top + window.scrollY;
  return Math.max(320, Math.floor(window.innerHeight - top - 16));
}

function fitGrid() {
  if (state.table) state.table.setHeight(gridHeight());
}

/** The grid for the current target: papers a page at a time from the server, areas at once.
 * Resolves once its first rows are in. */
async function makeTable() {
  if (state.table) state.table.destroy();
  const papers = state.target === "paper";
  const options = {
    height: gridHeight(),
    // A fixed row height: Tabulator then measures no cell (each measure a forced layout).
    rowHeight: 31,
    index: "id",
    columns: gridColumns(),
    headerSortClickElement: "icon",
    selectableRange: 1,
    selectableRangeColumns: true,
    selectableRangeRows: true,
    editTriggerEvent: "dblclick",
    clipboard: true,
    clipboardCopyStyled: false,
    clipboardCopyConfig: { rowHeaders: false, columnHeaders: false },
    clipboardCopyRowRange: "range",
    clipboardPasteParser: "range",
    clipboardPasteAction: "range",
    rowHeader: { resizable: false, frozen: true, width: 44, hozAlign: "center", formatter: "rownum", headerSort: false },
  };
  if (papers) {
    Object.assign(options, {
      ajaxURL: "/api/papers",
      ajaxRequestFunc: fetchPage,
      progressiveLoad: "scroll",
      paginationSize: PAGE,
      sortMode: "remote",
      filterMode: "remote",
      dataLoader: false,
    });
  } else {
    options.data = state.areas.map(areaRow);
  }
  const table = new Tabulator("#grid", options);
  state.table = table;
  const loaded = new Promise((resolve) => table.on("dataProcessed", resolve));
  table.on("cellEdited", (cell) => {
    saveRow(cell.getRow(), { [cell.getField()]: cell.getValue() });
  });
  // A pasted block: each row gets the block's cells (Tabulator hands its internal rows).
  table.on("clipboardPasted", (_text, data, rows) => {
    (rows || []).forEach((row, index) => {
      const component = row.getComponent ? row.getComponent() : row;
      const pasted = data[index % data.length];
      const changes = {};
      for (const [field, value] of Object.entries(pasted)) {
        const column = table.getColumn(field);
        if (column && column.getDefinition().editor) changes[field] = value;
      }
      if (Object.keys(changes).length) saveRow(component, changes);
    });
  });
  if (!papers) table.on("dataFiltered", () => updateCount());
  table.on("rangeChanged", () => {
    const count = selectedRows().length;
    $("#selection-count").textContent = count ? `${count} rows selected` : "No rows selected";
  });
  table.on("columnVisibilityChanged", exportHref);
  await loaded;
  updateCount();
}

async function start() {
  $("#message-close").addEventListener("click", () => { $("#message").hidden = true; });
  // A library with members shows nothing of itself before sign-in (as the library page).
  await initSession();
  // The first page is asked for with the columns, not after them.
  const first = pageParams({ page: 1, size: PAGE });
  state.prefetched = { key: JSON.stringify(first), page: api(`/api/papers${query(first)}`) };
  state.prefetched.page.catch(() => {});
  await loadColumns();
  await makeTable();
  renderChooser();
  exportHref();
  $("#grid").addEventListener("keydown", onGridKey, true);
  window.addEventListener("resize", debounce(fitGrid, 150));
  $("#column-form").addEventListener("submit", createColumn);
  $("#column-choices").addEventListener("change", (event) => {
    const column = state.table.getColumn(event.target.value);
    if (event.target.checked) column.show(); else column.hide();
    state.shown = new Set(state.table.getColumns().filter((c) => c.isVisible()).map((c) => c.getField()));
  });
  $("#table-target").addEventListener("change", async (event) => {
    state.target = event.target.value;
    state.shown = new Set();
    await rebuild();
  });
  $("#save-view").addEventListener("click", saveView);
  $("#view-select").addEventListener("change", (event) => applyView(event.target.value));
  $("#bulk-tag-apply").addEventListener("click", () => {
    const tag = $("#bulk-tag").value.trim();
    if (tag) bulk((id) => api(`/api/papers/${id}/tags/${enc(tag)}`, { method: "PUT" }).then(() => null));
  });
  $("#bulk-area-apply").addEventListener("click", () => {
    const area = $("#bulk-area").value;
    if (area) bulk((id) => api(`/api/papers/${id}/areas/${area}`, { method: "PUT" }).then(() => null));
  });
  $("#bulk-value-apply").addEventListener("click", () => {
    const name = $("#bulk-column").value;
    const value = $("#bulk-value").value;
    bulk((id, row) => api(`/api/papers/${id}`, {
      method: "PATCH", json: { version: row.getData().version, fields: { [name]: value || null } },
    }));
  });
  const reload = () => (state.target === "paper" ? state.table.setData() : rebuild());
  initMatrix(state, { showError, showInfo, selection: SELECTION, reload });
  // What the toolbar lists (areas, saved views) comes after the first rows.
  await Promise.all([loadAreas(), loadViews()]);
  fitGrid(); // the toolbar, filled, may wrap onto another line
  document.body.dataset.ready = "true";
}

start().catch(showError);
window.litreviewTable = state;
