// The "Add papers" dialog: many arXiv ids or links at once, and BibTeX upload or paste,
// each with its report (per-id results; added / merged / failed with line numbers).

import { api, query } from "./api.js";
import { $, h, replaceChildren, splitList } from "./dom.js";
import { ensureAreas, events, openDialog, refreshLookups, showError } from "./ui.js";

const STATUS_ORDER = ["added", "updated", "merged", "unchanged", "failed"];

/** The ids in pasted text: whitespace, commas and semicolons separate them. */
export function splitIds(text) {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

function countsLine(counts) {
  const parts = STATUS_ORDER.filter((k) => counts && counts[k]).map((k) => `${counts[k]} ${k}`);
  for (const [k, v] of Object.entries(counts || {})) if (!STATUS_ORDER.includes(k) && v) parts.push(`${v} ${k}`);
  return parts.length ? parts.join(" · ") : "nothing imported";
}

function paperLink(item, label) {
  return item.paper_id ? h("a", { href: `#/paper/${item.paper_id}` }, label) : label;
}

function renderArxivReport(data) {
  const rows = (data.items || []).map((item) =>
    h("tr", { class: `result result-${item.status}` },
      h("td", {}, h("code", {}, item.input)),
      h("td", {}, h("span", { class: `badge badge-${item.status}` }, item.status)),
      h("td", {}, paperLink(item, item.message || item.key || ""))));
  replaceChildren($("#arxiv-results"),
    h("p", { class: "report-summary" }, countsLine(data.counts)),
    h("table", { class: "report-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Input"), h("th", { scope: "col" }, "Result"), h("th", { scope: "col" }, "Details"))),
      h("tbody", {}, rows)));
}

function renderBibtexReport(data) {
  const box = $("#bibtex-results");
  const parts = [h("p", { class: "report-summary" }, `${data.source || "BibTeX"}: ${countsLine(data.counts)}${data.dry_run ? " (dry run)" : ""}`)];
  const failures = data.failures || [];
  if (failures.length) {
    parts.push(h("h3", {}, `Failed (${failures.length})`),
      h("ul", { class: "report-failures" }, failures.map((f) =>
        h("li", { class: "failure" },
          h("span", { class: "line" }, f.line ? `line ${f.line}` : "—"),
          f.key ? h("code", {}, f.key) : null,
          h("span", {}, f.message)))));
  }
  const warnings = data.warnings || [];
  if (warnings.length) {
    parts.push(h("details", { class: "report-warnings" },
      h("summary", {}, `Warnings (${warnings.length})`),
      h("ul", {}, warnings.map((w) =>
        h("li", {}, h("span", { class: "line" }, w.line ? `line ${w.line}` : "—"), w.key ? h("code", {}, w.key) : null, h("span", {}, w.message))))));
  }
  const items = (data.items || []).filter((i) => i.status !== "failed");
  if (items.length) {
    parts.push(h("details", { class: "report-items", open: items.length <= 20 },
      h("summary", {}, `Entries (${items.length})`),
      h("table", { class: "report-table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Line"), h("th", { scope: "col" }, "Result"), h("th", { scope: "col" }, "Title"))),
        h("tbody", {}, items.map((i) =>
          h("tr", { class: `result result-${i.status}` },
            h("td", {}, i.line ? String(i.line) : ""),
            h("td", {}, h("span", { class: `badge badge-${i.status}` }, i.status)),
            h("td", {}, paperLink(i, i.title || i.key || ""))))))));
  }
  replaceChildren(box, parts);
}

async function busy(button, progress, label, work) {
  button.disabled = true;
  progress.textContent = label;
  try {
    await work();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
    progress.textContent = "";
  }
}

function afterImport() {
  events.dispatchEvent(new Event("library-changed"));
  refreshLookups();
}

const TABS = ["arxiv", "bibtex", "web"];

function selectTab(which) {
  for (const name of TABS) {
    const tab = $(`#tab-${name}`);
    const on = name === which;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`#panel-${name}`).hidden = !on;
  }
}

export function openAddDialog() {
  openDialog($("#add-dialog"));
  ensureAreas().catch(showError); // the area fields suggest every area's path
  const first = { arxiv: "#arxiv-ids", bibtex: "#bibtex-file", web: "#web-title" };
  const shown = TABS.find((name) => !$(`#panel-${name}`).hidden) || "arxiv";
  $(first[shown]).focus();
}

function initWebSourceForm() {
  $("#web-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {
      title: $("#web-title").value.trim(),
      url: $("#web-url").value.trim(),
      kind: $("#web-kind").value,
      authors: $("#web-authors").value.split(/\s*[;\n]\s*/).filter(Boolean),
      tags: splitList($("#web-tags").value),
    };
    for (const name of ["date", "site", "area"]) {
      const value = $(`#web-${name}`).value.trim();
      if (value) body[name] = value;
    }
    busy($("#web-submit"), $("#web-progress"), "Adding…", async () => {
      const paper = await api("/api/web-sources", { method: "POST", json: body });
      replaceChildren($("#web-results"),
        h("p", { class: "report-summary" }, "Added ", paperLink({ paper_id: paper.id }, paper.title)));
      $("#web-form").reset();
      afterImport();
    });
  });
}

export function initImporter() {
  for (const name of TABS) $(`#tab-${name}`).addEventListener("click", () => selectTab(name));
  $(".tabs").addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      const now = TABS.findIndex((name) => $(`#tab-${name}`).getAttribute("aria-selected") === "true");
      const step = event.key === "ArrowRight" ? 1 : TABS.length - 1;
      const next = TABS[(now + step) % TABS.length];
      selectTab(next);
      $(`#tab-${next}`).focus();
    }
  });
  initWebSourceForm();

  $("#arxiv-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const ids = splitIds($("#arxiv-ids").value);
    if (!ids.length) {
      showError("Paste at least one arXiv ID or link.");
      return;
    }
    const body = { ids, tags: splitList($("#arxiv-tags").value) };
    const area = $("#arxiv-area").value.trim();
    if (area) body.area = area;
    const noun = ids.length === 1 ? "paper" : "papers";
    busy($("#arxiv-submit"), $("#arxiv-progress"), `Fetching ${ids.length} ${noun} from arXiv…`, async () => {
      const data = await api("/api/import/arxiv", { method: "POST", json: body });
      renderArxivReport(data);
      afterImport();
    });
  });

  $("#bibtex-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = $("#bibtex-file").files[0];
    const text = $("#bibtex-text").value;
    if (!file && !text.trim()) {
      showError("Choose a BibTeX file or paste BibTeX.");
      return;
    }
    const params = { tag: splitList($("#bibtex-tags").value), area: $("#bibtex-area").value.trim() };
    let body;
    let headers = {};
    if (file) {
      body = new FormData();
      body.append("file", file, file.name);
    } else {
      body = text;
      headers = { "Content-Type": "application/x-bibtex; charset=utf-8" };
      params.source = "pasted BibTeX";
    }
    busy($("#bibtex-submit"), $("#bibtex-progress"), "Importing…", async () => {
      const data = await api(`/api/import/bibtex${query(params)}`, { method: "POST", body, headers });
      renderBibtexReport(data);
      afterImport();
    });
  });
}
