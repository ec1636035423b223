// Possible duplicates: a count in the sidebar and a page (#/duplicates) showing each pair side by
// side; the user picks each field, then merges the pair or says "not a duplicate".

import { api } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";
import { afterFirstList, events, showError } from "./ui.js";

const LABELS = {
  entry_type: "Entry type", title: "Title", authors: "Authors", year: "Year", date: "Date",
  venue: "Venue", doi: "DOI", arxiv_id: "arXiv id", url: "URL", pdf_url: "PDF",
  abstract: "Abstract", journal_ref: "Journal reference", arxiv_comment: "arXiv comment",
};

function shown(paper, name) {
  if (name === "authors") return (paper.authors || []).map((a) => a.name).join("; ");
  const value = paper[name];
  return value === null || value === undefined ? "" : String(value);
}

/** Refresh the sidebar's count (the link hides when there is nothing to decide). */
export async function updateDuplicateCount() {
  const data = await api("/api/duplicates");
  const link = $("#duplicates-link");
  $("#duplicates-count").textContent = String(data.total);
  link.hidden = data.total === 0 && !location.hash.startsWith("#/duplicates");
  return data;
}

function pairCard(pair, fields) {
  const { a, b } = pair;
  const rows = fields.filter((name) => shown(a, name) || shown(b, name)).map((name) => {
    const same = shown(a, name) === shown(b, name);
    // The first paper's value unless it is empty: what a merge without choices keeps.
    const pickB = !shown(a, name) && shown(b, name);
    const cell = (paper, checked) => h("td", {},
      h("label", { class: "duplicate-choice" },
        h("input", { type: "radio", name: `pair-${pair.id}-${name}`, value: String(paper.id), checked, disabled: same }),
        h("span", {}, shown(paper, name) || "—")));
    return h("tr", { "data-field": name },
      h("th", { scope: "row" }, LABELS[name] || name), cell(a, !pickB), cell(b, pickB));
  });
  const card = h("article", { class: "duplicate-pair", "aria-label": `Pair ${pair.id}` },
    h("p", { class: "duplicate-reason" }, pair.reason),
    h("table", { class: "duplicate-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"),
        h("th", { scope: "col" }, h("a", { href: `#/paper/${a.id}` }, a.key)),
        h("th", { scope: "col" }, h("a", { href: `#/paper/${b.id}` }, b.key)))),
      h("tbody", {}, rows)),
    h("div", { class: "duplicate-actions" },
      h("button", { type: "button", class: "primary", onclick: () => merge(pair, card, fields) }, "Merge"),
      h("button", { type: "button", onclick: () => dismiss(pair) }, "Not a duplicate")));
  return card;
}

async function merge(pair, card, fields) {
  const chosen = {};
  for (const name of fields) {
    const input = card.querySelector(`input[name="pair-${pair.id}-${name}"]:checked`);
    if (input && !input.disabled && Number(input.value) === pair.b.id) chosen[name] = pair.b.id;
  }
  try {
    const paper = await api(`/api/duplicates/${pair.id}/merge`, {
      method: "POST", json: { keep: pair.a.id, fields: chosen },
    });
    events.dispatchEvent(new Event("library-changed"));
    await openDuplicates(`Merged into ${paper.key}; also cited as ${paper.aliases.join(", ")}.`, paper.id);
  } catch (err) {
    showError(err);
  }
}

async function dismiss(pair) {
  try {
    await api(`/api/duplicates/${pair.id}/dismiss`, { method: "POST" });
    await openDuplicates(`${pair.a.key} and ${pair.b.key} are kept apart.`);
  } catch (err) {
    showError(err);
  }
}

/** Show the duplicates page (with a line about what was just done). */
export async function openDuplicates(done = "", paperId = null) {
  const view = $("#duplicates-view");
  view.hidden = false;
  const data = await updateDuplicateCount();
  const fields = data.fields || Object.keys(LABELS);
  const status = done
    ? h("p", { class: "duplicates-done", role: "status" }, done, " ",
      paperId ? h("a", { href: `#/paper/${paperId}` }, "Open the paper") : null)
    : null;
  replaceChildren(view,
    h("header", { class: "view-header" }, h("h1", { id: "duplicates-heading" }, "Possible duplicates")),
    status,
    data.items.length
      ? h("p", {}, "Same title, years at most one apart, a family name in common. Choose each field, then merge, or keep them apart.")
      : h("p", { class: "empty" }, "No possible duplicates."),
    ...data.items.map((pair) => pairCard(pair, fields)));
}

export function closeDuplicates() {
  $("#duplicates-view").hidden = true;
}

export function initDuplicates() {
  afterFirstList(() => updateDuplicateCount().catch(showError));
  events.addEventListener("library-changed", () => updateDuplicateCount().catch(showError));
}
