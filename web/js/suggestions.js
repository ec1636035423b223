// Suggested relations: a count on the header button and a dialog listing the pending ones, each
// accepted (it becomes a relation) or dismissed (never suggested again) with one click.

import { api, enc } from "./api.js";
import { $, h, replaceChildren, RELATION_LABELS } from "./dom.js";
import { afterFirstList, events, openDialog, showError, showInfo } from "./ui.js";

async function refreshCount(pending) {
  try {
    const count = pending ?? (await api("/api/suggestions")).pending;
    $("#open-suggestions .suggestion-count").textContent = String(count);
  } catch (err) {
    showError(err);
  }
}

function paperLink(paper) {
  return h("a", { href: `#/paper/${paper.id}`, onclick: () => $("#suggestions-dialog").close() }, paper.title || paper.key);
}

async function renderList() {
  const list = $("#suggestion-list");
  const data = await api("/api/suggestions");
  refreshCount(data.pending);
  replaceChildren(list, data.items.length ? data.items.map((s) => h("li", { class: "suggestion" },
    h("p", {}, paperLink(s.source), " ", h("strong", {}, RELATION_LABELS[s.relation] || s.relation), " ", paperLink(s.target)),
    h("p", { class: "evidence" }, `Found in the ${s.found_in}: “${s.evidence}”`),
    h("p", { class: "form-actions" },
      h("button", { type: "button", class: "primary", onclick: () => decide(s, "accept"), "aria-label": "Accept" }, "Accept"),
      h("button", { type: "button", onclick: () => decide(s, "dismiss"), "aria-label": "Dismiss" }, "Dismiss"))))
    : h("li", { class: "empty" }, "No suggestions waiting."));
}

async function decide(suggestion, action) {
  try {
    await api(`/api/suggestions/${enc(suggestion.id)}/${action}`, { method: "POST" });
    showInfo(action === "accept" ? "Relation added." : "Suggestion dismissed.");
    await renderList();
    if (action === "accept") events.dispatchEvent(new Event("library-changed"));
  } catch (err) {
    showError(err);
  }
}

export function initSuggestions() {
  $("#open-suggestions").addEventListener("click", async () => {
    try {
      await renderList();
      openDialog($("#suggestions-dialog"));
    } catch (err) {
      showError(err);
    }
  });
  $("#suggestions-refresh").addEventListener("click", async () => {
    try {
      const report = await api("/api/suggestions/refresh", { method: "POST" });
      showInfo(`${report.added} new suggestion${report.added === 1 ? "" : "s"}.`);
      await renderList();
    } catch (err) {
      showError(err);
    }
  });
  events.addEventListener("library-changed", () => refreshCount());
  afterFirstList(() => refreshCount());
}
