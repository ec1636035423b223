// The matrix view: papers counted by a row dimension and a column dimension (a choice column,
// an area's sub-areas, a tag group by prefix, the year), counted by the server (GET /api/matrix,
// one GROUP BY over the table's selection); click a cell to list its papers (the paper query
// with the cell's filters), drag a paper into a cell to file it there, copy the matrix as a
// Markdown table with links (GET /api/matrix/markdown, the bibliography's matrix section).

import { api, enc, query } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";

const CELL_PAPERS = 200;
let state = null;
let tools = null;
let dragged = null;
let current = null;
let asked = 0; // only the newest render draws

/** The selection plus each category's filters: repeated filters all hold. */
function withFilters(...filters) {
  const merged = {};
  for (const one of filters) {
    for (const [key, value] of Object.entries(one)) {
      if (Array.isArray(value) || Array.isArray(merged[key])) {
        const before = merged[key] === undefined || merged[key] === "" ? [] : [merged[key]].flat();
        merged[key] = [...before, ...[value].flat()];
      } else {
        merged[key] = value;
      }
    }
  }
  return merged;
}

function fillSelect(select, dims, fallback) {
  const previous = select.value;
  replaceChildren(select, dims.map((d) => h("option", { value: d.id }, d.label)));
  const chosen = dims.some((d) => d.id === previous) ? previous : (dims[fallback] || dims[0] || {}).id;
  select.value = chosen || "";
}

function chosenDims() {
  return { rows: $("#matrix-rows").value, cols: $("#matrix-cols").value };
}

export async function renderMatrix() {
  if (!state || state.target !== "paper" || $("#matrix-view").hidden) return;
  // Counted from the call, not from the matrix request: a render still reading the dimensions
  // when a newer one starts must not draw over it later (a redraw mid-drag loses the drop).
  const mine = ++asked;
  try {
    const dims = (await api("/api/matrix/dimensions")).items;
    if (mine !== asked) return;
    fillSelect($("#matrix-rows"), dims, 0);
    fillSelect($("#matrix-cols"), dims, 1);
    const { rows, cols } = chosenDims();
    if (!rows || !cols) return;
    const matrix = await api(`/api/matrix${query({ ...tools.selection, rows, cols })}`);
    if (mine !== asked) return;
    current = matrix;
    draw(current);
  } catch (err) {
    tools.showError(err);
  }
}

function draw(matrix) {
  const rowCats = matrix.rows.categories;
  const colCats = matrix.cols.categories;
  const head = h("tr", {}, h("th", { scope: "col" }, `${matrix.rows.label} \\ ${matrix.cols.label}`),
    ...colCats.map((c) => h("th", { scope: "col" }, c.label)));
  // Shaded by count, empty cells left blank: the gaps in a classification are what it shows.
  const most = Math.max(1, ...matrix.counts.flat());
  const body = rowCats.map((r, i) => h("tr", {}, h("th", { scope: "row" }, r.label),
    ...colCats.map((c, j) => {
      const count = matrix.counts[i][j];
      const td = h("td", {
        class: "cell", tabindex: "0", "data-row": r.label, "data-col": c.label,
        "aria-label": `${r.label} × ${c.label}: ${count} ${count === 1 ? "paper" : "papers"}`,
      }, count ? String(count) : "");
      td.style.setProperty("--shade", `${Math.round((100 * count) / most)}%`); // (CSP: no style attributes)
      td.addEventListener("click", () => listCell(r, c));
      td.addEventListener("keydown", (e) => { if (e.key === "Enter") listCell(r, c); });
      td.addEventListener("dragover", (e) => { e.preventDefault(); td.classList.add("drop"); });
      td.addEventListener("dragleave", () => td.classList.remove("drop"));
      td.addEventListener("drop", (e) => { e.preventDefault(); td.classList.remove("drop"); fileInto(r, c); });
      return td;
    })));
  replaceChildren($("#matrix"), h("thead", {}, head), h("tbody", {}, ...body));
  const unfiled = matrix.total - matrix.placed;
  replaceChildren($("#matrix-cell"), h("h3", {}, `Not in a cell (${unfiled})`), paperList(matrix.unfiled));
}

function paperList(papers) {
  return h("ul", {}, ...papers.map((paper) => {
    const li = h("li", { draggable: "true", "data-id": paper.id }, h("a", { href: `/#/paper/${paper.id}` }, paper.title));
    li.addEventListener("dragstart", (e) => {
      dragged = paper;
      e.dataTransfer.setData("text/plain", String(paper.id));
    });
    return li;
  }));
}

async function listCell(r, c) {
  try {
    const params = withFilters(tools.selection, r.filter, c.filter, { limit: CELL_PAPERS, sort: "title" });
    const page = await api(`/api/papers${query(params)}`);
    replaceChildren($("#matrix-cell"), h("h3", {}, `${r.label} × ${c.label}: ${page.total} papers`), paperList(page.items));
  } catch (err) {
    tools.showError(err);
  }
}

/** File a paper under one category of a dimension (a value, an area, a tag, a year). */
async function fileUnder(dim, id, category) {
  const value = category.value;
  if (dim.kind === "area") return api(`/api/papers/${id}/areas/${value}`, { method: "PUT" });
  if (dim.kind === "tag") return api(`/api/papers/${id}/tags/${enc(value)}`, { method: "PUT" });
  const { version } = await api(`/api/papers/${id}`);
  const change = dim.kind === "year" ? { year: Number(value) } : { fields: { [dim.name]: value } };
  return api(`/api/papers/${id}`, { method: "PATCH", json: { version, ...change } });
}

async function fileInto(r, c) {
  const paper = dragged;
  if (!paper || !current) return;
  try {
    await fileUnder(current.rows, paper.id, r);
    await fileUnder(current.cols, paper.id, c);
    await renderMatrix();
    tools.reload().catch(tools.showError);
    tools.showInfo(`Filed “${paper.title}” under ${r.label} × ${c.label}`);
  } catch (err) {
    tools.showError(err);
  }
}

async function showMarkdown() {
  const { rows, cols } = chosenDims();
  try {
    const text = await api(`/api/matrix/markdown${query({ ...tools.selection, rows, cols })}`, { text: true });
    const area = $("#matrix-md");
    area.value = text;
    area.hidden = false;
    area.select();
  } catch (err) {
    tools.showError(err);
  }
}

export function initMatrix(tableState, helpers) {
  state = tableState;
  tools = helpers;
  const show = (matrix) => {
    $("#table-view").hidden = matrix;
    $("#matrix-view").hidden = !matrix;
    $("#show-table").setAttribute("aria-pressed", String(!matrix));
    $("#show-matrix").setAttribute("aria-pressed", String(matrix));
    if (matrix) renderMatrix();
  };
  $("#show-table").addEventListener("click", () => show(false));
  $("#show-matrix").addEventListener("click", () => show(true));
  $("#matrix-rows").addEventListener("change", renderMatrix);
  $("#matrix-cols").addEventListener("change", renderMatrix);
  $("#matrix-markdown").addEventListener("click", showMarkdown);
}
