// The matrix view: papers counted by a row dimension and a column dimension (a choice column,
// an area's sub-areas, a tag group by prefix, the year); click a cell to list its papers, drag a
// paper into a cell to file it there, copy the matrix as a Markdown table with links.

import { api, enc } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";

let state = null;
let tools = null;
let dragged = null;

/** Every dimension the library offers: [{id, label, categories, of(row), file(id, category)}]. */
function dimensions() {
  const dims = [];
  for (const column of state.columns.filter((c) => c.type === "choice" && !c.formula)) {
    const field = `f${column.id}`;
    dims.push({
      id: `column:${column.name}`,
      label: `Column: ${column.name}`,
      categories: column.options,
      of: (row) => (row[field] ? [row[field]] : []),
      file: (id, row, value) => api(`/api/papers/${id}`, {
        method: "PATCH", json: { version: row.version, fields: { [column.name]: value } },
      }),
    });
  }
  for (const area of state.areas.filter((a) => (a.children || []).length)) {
    const children = area.children;
    dims.push({
      id: `area:${area.id}`,
      label: `Sub-areas of ${area.path}`,
      categories: children.map((c) => c.name),
      of: (row) => children
        .filter((c) => (row.areas || "").split("; ").some((p) => p === c.path || p.startsWith(`${c.path}/`)))
        .map((c) => c.name),
      file: (id, _row, value) => {
        const child = children.find((c) => c.name === value);
        return api(`/api/papers/${id}/areas/${child.id}`, { method: "PUT" });
      },
    });
  }
  const prefixes = new Set();
  for (const row of state.rows) {
    for (const tag of row.tag_list || []) {
      const match = tag.match(/^([^:/]+)[:/]/);
      if (match) prefixes.add(match[1]);
    }
  }
  for (const prefix of [...prefixes].sort()) {
    const values = new Set();
    for (const row of state.rows) {
      for (const tag of row.tag_list || []) if (tag.startsWith(`${prefix}:`) || tag.startsWith(`${prefix}/`)) values.add(tag.slice(prefix.length + 1));
    }
    dims.push({
      id: `tag:${prefix}`,
      label: `Tags ${prefix}:…`,
      categories: [...values].sort(),
      of: (row) => (row.tag_list || []).filter((t) => t.startsWith(`${prefix}:`) || t.startsWith(`${prefix}/`)).map((t) => t.slice(prefix.length + 1)),
      file: (id, _row, value) => api(`/api/papers/${id}/tags/${enc(`${prefix}:${value}`)}`, { method: "PUT" }),
    });
  }
  const years = [...new Set(state.rows.map((r) => r.year).filter((y) => y))].sort();
  dims.push({
    id: "year",
    label: "Year",
    categories: years.map(String),
    of: (row) => (row.year ? [String(row.year)] : []),
    file: (id, row, value) => api(`/api/papers/${id}`, { method: "PATCH", json: { version: row.version, year: Number(value) } }),
  });
  return dims;
}

function chosen(select, dims, fallback) {
  return dims.find((d) => d.id === select.value) || dims[fallback] || dims[0];
}

function fillSelect(select, dims, fallback) {
  const current = select.value;
  replaceChildren(select, dims.map((d) => h("option", { value: d.id }, d.label)));
  select.value = dims.some((d) => d.id === current) ? current : (dims[fallback] || dims[0] || {}).id || "";
}

function cellPapers(rowDim, colDim, r, c) {
  return state.rows.filter((row) => rowDim.of(row).includes(r) && colDim.of(row).includes(c));
}

export function renderMatrix() {
  if (!state || state.target !== "paper" || $("#matrix-view").hidden) return;
  const dims = dimensions();
  fillSelect($("#matrix-rows"), dims, 0);
  fillSelect($("#matrix-cols"), dims, 1);
  const rowDim = chosen($("#matrix-rows"), dims, 0);
  const colDim = chosen($("#matrix-cols"), dims, 1);
  if (!rowDim || !colDim) return;
  const head = h("tr", {}, h("th", { scope: "col" }, `${rowDim.label} \\ ${colDim.label}`),
    ...colDim.categories.map((c) => h("th", { scope: "col" }, c)));
  const body = rowDim.categories.map((r) => h("tr", {}, h("th", { scope: "row" }, r),
    ...colDim.categories.map((c) => {
      const count = cellPapers(rowDim, colDim, r, c).length;
      const td = h("td", { class: "cell", tabindex: "0", "data-row": r, "data-col": c, "aria-label": `${r} × ${c}: ${count} papers` }, String(count));
      td.addEventListener("click", () => listCell(rowDim, colDim, r, c));
      td.addEventListener("keydown", (e) => { if (e.key === "Enter") listCell(rowDim, colDim, r, c); });
      td.addEventListener("dragover", (e) => { e.preventDefault(); td.classList.add("drop"); });
      td.addEventListener("dragleave", () => td.classList.remove("drop"));
      td.addEventListener("drop", (e) => { e.preventDefault(); td.classList.remove("drop"); fileInto(rowDim, colDim, r, c); });
      return td;
    })));
  replaceChildren($("#matrix"), h("thead", {}, head), h("tbody", {}, ...body));
  const unfiled = state.rows.filter((row) => !rowDim.of(row).length || !colDim.of(row).length);
  replaceChildren($("#matrix-cell"), h("h3", {}, `Not in a cell (${unfiled.length})`), paperList(unfiled.slice(0, 200)));
}

function paperList(rows) {
  return h("ul", {}, ...rows.map((row) => {
    const li = h("li", { draggable: "true", "data-id": row.id }, h("a", { href: `/#/paper/${row.id}` }, row.title));
    li.addEventListener("dragstart", (e) => {
      dragged = row.id;
      e.dataTransfer.setData("text/plain", String(row.id));
    });
    return li;
  }));
}

function listCell(rowDim, colDim, r, c) {
  const papers = cellPapers(rowDim, colDim, r, c);
  replaceChildren($("#matrix-cell"), h("h3", {}, `${r} × ${c}: ${papers.length} papers`), paperList(papers));
}

async function fileInto(rowDim, colDim, r, c) {
  const row = state.rows.find((x) => x.id === dragged);
  if (!row) return;
  try {
    if (!rowDim.of(row).includes(r)) await rowDim.file(row.id, row, r);
    const fresh = await api(`/api/papers/${row.id}`);
    if (!colDim.of(row).includes(c)) await colDim.file(row.id, { ...row, version: fresh.version }, c);
    await tools.reload();
    tools.showInfo(`Filed “${row.title}” under ${r} × ${c}`);
  } catch (err) {
    tools.showError(err);
  }
}

function markdown() {
  const dims = dimensions();
  const rowDim = chosen($("#matrix-rows"), dims, 0);
  const colDim = chosen($("#matrix-cols"), dims, 1);
  const esc = (t) => String(t).replace(/\|/g, "\\|").replace(/([[\]])/g, "\\$1");
  const link = (row) => `[${esc(row.title)}](${row.abs_url || `${location.origin}/#/paper/${row.id}`})`;
  const lines = [
    `| ${esc(rowDim.label)} | ${colDim.categories.map(esc).join(" | ")} |`,
    `| --- | ${colDim.categories.map(() => "---").join(" | ")} |`,
    ...rowDim.categories.map((r) => `| ${esc(r)} | ${colDim.categories
      .map((c) => cellPapers(rowDim, colDim, r, c).map(link).join("<br>")).join(" | ")} |`),
  ];
  return `${lines.join("\n")}\n`;
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
  $("#matrix-markdown").addEventListener("click", () => {
    const area = $("#matrix-md");
    area.value = markdown();
    area.hidden = false;
    area.select();
  });
}
