// The table view (web/table.html): papers or areas as a grid (Tabulator, vendored), columns of
// one's own, keyboard editing, paste, bulk actions, saved views; and the matrix view.

import { TabulatorFull as Tabulator } from "/static/vendor/tabulator-6.3.1/tabulator_esm.min.js";
import { api, enc, query } from "./api.js";
import { $, h, isTyping, replaceChildren } from "./dom.js";
import { initMatrix, renderMatrix } from "./matrix.js";
import { FILTER_KEYS, queryFromSearch, queryParams } from "./query.js";

const PAGE = 500;
// The selection the grid shows: the library's filters, passed in the address (?q=...&tag=...).
const SELECTION = queryParams(queryFromSearch(location.search), FILTER_KEYS);
const BUILT_IN = {
  paper: [
    { field: "key", title: "Key", export: "key", width: 150 },
    { field: "title", title: "Title", export: "title", editor: "input", width: 320 },
    { field: "year", title: "Year", export: "year", editor: "number", sorter: "number", width: 80 },
    { field: "status", title: "Status", export: "status", editor: "list", editorParams: { values: ["unread", "to_read", "skimmed", "read"] }, width: 100 },
    { field: "rating", title: "Rating", export: "rating", editor: "number", editorParams: { min: 0, max: 5 }, sorter: "number", width: 80 },
    { field: "tags", title: "Tags", export: "tags", width: 160 },
    { field: "areas", title: "Areas", export: "area", width: 180 },
  ],
  area: [
    { field: "path", title: "Area", width: 260 },
    { field: "paper_count", title: "Papers", sorter: "number", width: 90 },
  ],
};

export const state = {
  target: "paper", columns: [], rows: [], areas: [], shown: new Set(), table: null, exportNames: new Map(),
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

/** The first page at once (the grid is usable), the rest in the background. */
async function loadRows() {
  if (state.target === "area") {
    state.rows = state.areas.map(areaRow);
    state.table.replaceData(state.rows);
    updateCount();
    return;
  }
  const first = await api(`/api/papers${query({ ...SELECTION, limit: PAGE, sort: "added", order: "asc" })}`);
  state.rows = first.items.map(paperRow);
  await state.table.replaceData(state.rows);
  updateCount(first.total);
  for (let offset = PAGE; offset < first.total; offset += PAGE) {
    const page = await api(`/api/papers${query({ ...SELECTION, limit: PAGE, offset, sort: "added", order: "asc" })}`);
    const rows = page.items.map(paperRow);
    state.rows.push(...rows);
    await state.table.addData(rows);
    updateCount(first.total);
  }
  renderMatrix();
}

function updateCount(total) {
  const shown = state.table.getDataCount("active");
  const all = total === undefined ? state.rows.length : total;
  $("#row-count").textContent = `${shown} of ${all} ${state.target === "paper" ? "papers" : "areas"}`;
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

function exportHref() {
  const names = state.table.getColumns()
    .filter((c) => c.isVisible() && state.exportNames.has(c.getField()))
    .map((c) => state.exportNames.get(c.getField()));
  $("#export-csv").href = `/api/export${query({ format: "csv", ...SELECTION, column: names })}`;
}

async function rebuild() {
  await loadColumns();
  state.table.setColumns(gridColumns());
  renderChooser();
  exportHref();
  await loadRows();
}

/** Save changed cells of one row; the answer (new version, computed columns) updates it. */
async function saveRow(row, changes) {
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
      const saved = await action(id, row);
      if (saved) await row.update(paperRow(saved));
      else await row.update(paperRow(await api(`/api/papers/${id}`)));
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

function makeTable() {
  state.table = new Tabulator("#grid", {
    height: Math.max(320, window.innerHeight - 190),
    index: "id",
    data: [],
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
  });
  state.table.on("cellEdited", (cell) => {
    saveRow(cell.getRow(), { [cell.getField()]: cell.getValue() });
  });
  // A pasted block: each row gets the block's cells (Tabulator hands its internal rows).
  state.table.on("clipboardPasted", (_text, data, rows) => {
    (rows || []).forEach((row, index) => {
      const component = row.getComponent ? row.getComponent() : row;
      const pasted = data[index % data.length];
      const changes = {};
      for (const [field, value] of Object.entries(pasted)) {
        const column = state.table.getColumn(field);
        if (column && column.getDefinition().editor) changes[field] = value;
      }
      if (Object.keys(changes).length) saveRow(component, changes);
    });
  });
  state.table.on("dataFiltered", () => updateCount());
  state.table.on("rangeChanged", () => {
    const count = selectedRows().length;
    $("#selection-count").textContent = count ? `${count} rows selected` : "No rows selected";
  });
  state.table.on("columnVisibilityChanged", exportHref);
}

async function start() {
  $("#message-close").addEventListener("click", () => { $("#message").hidden = true; });
  makeTable();
  await new Promise((resolve) => state.table.on("tableBuilt", resolve));
  $("#grid").addEventListener("keydown", onGridKey, true);
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
  initMatrix(state, { showError, showInfo, selection: SELECTION, reload: () => rebuild() });
  await loadAreas();
  await loadViews();
  await rebuild();
  document.body.dataset.ready = "true";
}

start().catch(showError);
window.litreviewTable = state;
