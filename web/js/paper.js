// The paper view (#/paper/ID): metadata and links, abstract, status and rating, tags, areas,
// relations, the annotation editor and the notes (notes.js).

import { relationGraphSection } from "./relgraph.js";
import { api, enc, query, writeQueue, writesAnswered } from "./api.js";
import { chooseVersion, describeFields } from "./conflict.js";
import {
  $, debounce, formatAuthors, h, INCOMING_RELATION_LABELS, isTyping, keepingFocus, RELATION_LABELS, replaceChildren, STATUS_LABELS,
  timeAgo,
} from "./dom.js";
import { AnnotationEditor } from "./editor.js";
import { navigate } from "./navigation.js";
import { notesSection } from "./notes.js";
import { areaOptions, cache, ensureAreas, events, refreshLookups, showError, showInfo } from "./ui.js";

let current = null; // { id, paper, editor }

export function currentPaperId() {
  return current ? current.id : null;
}

/** Show paper `id` in the paper view (leaving the one shown, saving its annotation). */
export async function openPaper(id) {
  if (current && current.id === id) return;
  await closePaper();
  const view = $("#paper-view");
  const editor = new AnnotationEditor(id);
  current = { id, paper: null, editor };
  replaceChildren(view, h("p", { class: "loading" }, "Loading paper…"));
  view.hidden = false;
  try {
    const paper = await api(`/api/papers/${enc(id)}`);
    if (!current || current.editor !== editor) return;
    current.paper = paper;
    render(view, paper, editor);
    editor.load(paper.annotation || null);
  } catch (err) {
    if (!current || current.editor !== editor) return;
    replaceChildren(view,
      h("p", { class: "back" }, h("a", { href: "#/" }, "← Library")),
      h("h1", { id: "paper-title" }, err.status === 404 ? "Paper not found" : "Could not load the paper"),
      h("p", {}, err.message));
    showError(err);
  }
}

/** Leave the paper view; resolves once its annotation is saved. */
export async function closePaper() {
  const view = $("#paper-view");
  if (!current) {
    view.hidden = true;
    return;
  }
  const { editor } = current;
  current = null;
  view.hidden = true;
  await editor.leave();
  replaceChildren(view);
}

function render(view, paper, editor) {
  // The notes card, redrawn in place, gives the focus to its new button before the view is
  // replaced: keepingFocus follows it.
  keepingFocus(view, () => replaceChildren(view,
    h("p", { class: "back" }, h("a", { href: "#/", class: "back-link", "data-back": "true" }, "← Library")),
    h("header", { class: "paper-head" },
      h("h1", { id: "paper-title" }, paper.title || "[no title]"),
      h("p", { class: "paper-authors" }, (paper.authors || []).map((a) => a.name).join(", ")),
      h("p", { class: "paper-meta" }, metaLine(paper)),
      linkList(paper)),
    h("div", { class: "paper-body" },
      h("div", { class: "paper-main" },
        editor.element,
        notesSection(paper),
        abstractSection(paper),
        relationsSection(paper),
        relationGraphSection(paper)),
      h("aside", { class: "paper-side", "aria-label": "Paper details" },
        readingSection(paper),
        tagsSection(paper),
        areasSection(paper),
        provenanceSection(paper),
        dangerSection(paper)))));
}

function metaLine(paper) {
  const parts = [];
  if (paper.year) parts.push(String(paper.year));
  if (paper.venue || paper.site) parts.push(paper.venue || paper.site);
  const kind = kindLabel(paper);
  if (kind) parts.push(kind);
  return [
    parts.join(" · "),
    h("code", { class: "key", title: "Citation key" }, paper.key || ""),
  ];
}

/** A web source's kind as the add dialog names it ("forum post"); any other entry's type. */
function kindLabel(paper) {
  if (!paper.kind) return paper.entry_type;
  const option = document.querySelector(`#web-kind option[value="${CSS.escape(paper.kind)}"]`);
  return option ? option.textContent.toLowerCase() : paper.kind;
}

function safeHref(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function linkList(paper) {
  const links = [];
  const add = (label, url) => {
    const href = url && safeHref(url);
    if (href) links.push(h("li", {}, h("a", { href, target: "_blank", rel: "noopener noreferrer" }, label)));
  };
  add(paper.arxiv_id ? `arXiv:${paper.arxiv_id}${paper.arxiv_version ? `v${paper.arxiv_version}` : ""}` : "arXiv", paper.abs_url);
  add("PDF", paper.pdf_url);
  add(paper.doi ? `DOI ${paper.doi}` : "DOI", paper.doi_url);
  if (paper.url && paper.url !== paper.abs_url && paper.url !== paper.doi_url) add("Web page", paper.url);
  return links.length ? h("ul", { class: "paper-links", "aria-label": "Links" }, links) : null;
}

function abstractSection(paper) {
  if (!paper.abstract) return null;
  return h("section", { class: "abstract card", "aria-labelledby": "abstract-heading" },
    h("h2", { id: "abstract-heading", class: "section-title" }, "Abstract"),
    paper.abstract.split(/\n\s*\n/).map((para) => h("p", {}, para.trim())));
}

/** This page's writes to a paper (a field, a tag, an area), sent one after another. */
const inTurn = writeQueue();

/** PATCH the paper with its version (each change needs the version before it). */
function patchPaper(change) {
  const id = current && current.paper ? current.paper.id : null;
  return inTurn(id, () => sendPatch(id, change));
}

async function sendPatch(id, change, retried = false) {
  // A change waits its turn; by then the user may have opened another paper.
  if (!current || !current.paper || current.paper.id !== id) return;
  const { paper } = current;
  try {
    const updated = await api(`/api/papers/${enc(paper.id)}`, {
      method: "PATCH",
      json: { ...change, version: paper.version },
    });
    Object.assign(paper, updated);
    events.dispatchEvent(new Event("library-changed"));
  } catch (err) {
    if (err.status !== 409 || retried) {
      showError(err);
      if (err.status === 409) reloadPaper();
      return;
    }
    await onStaleEdit(paper, change, err);
  }
}

/**
 * A 409 also comes from changes to other fields (a tag added here bumps the version too): when
 * the fields this change sets are still as last seen, take the new version and send it again.
 * When someone else changed the same field, the one conflict dialog lets the user choose.
 */
async function onStaleEdit(paper, change, err) {
  let fresh;
  try {
    fresh = await api(`/api/papers/${enc(paper.id)}`);
  } catch (readErr) {
    console.warn("could not re-read the paper after a conflict", readErr);
    showError(err);
    reloadPaper();
    return;
  }
  const keys = Object.keys(change);
  const theirs = Object.fromEntries(keys.map((key) => [key, fresh[key]]));
  const same = keys.every((key) => JSON.stringify(fresh[key]) === JSON.stringify(paper[key]));
  const choice = same ? "mine" : await chooseVersion({
    what: "paper", version: fresh.version, mine: describeFields(change), theirs: describeFields(theirs),
  });
  if (choice === "mine") {
    paper.version = fresh.version;
    await sendPatch(paper.id, change, true);
  } else {
    reloadPaper();
  }
}

let reads = 0; // only the newest read of the open paper draws

/**
 * Read the open paper again and redraw it, if `mayRedraw()` still says so once it is read;
 * resolves to the paper (null when it failed or was not drawn).
 */
async function reloadPaper(mayRedraw = () => true) {
  if (!current) return null;
  const { id, editor } = current;
  const mine = ++reads;
  try {
    const paper = await api(`/api/papers/${enc(id)}`);
    // Two changes from elsewhere in quick succession read the paper twice: the older answer,
    // arriving last, must not draw over the newer.
    if (!current || current.editor !== editor || mine !== reads || !mayRedraw()) return null;
    current.paper = paper;
    // Keep the editor (and anything typed in it); redraw everything else.
    render($("#paper-view"), paper, editor);
    return paper;
  } catch (err) {
    showError(err);
    return null;
  }
}

// A change made elsewhere (live.js): the open paper shows it. The annotation editor takes the
// new text unless it holds unsaved text (whose save then meets the conflict dialog); the rest
// of the view is redrawn unless something is being typed there (then the next change does it).
events.addEventListener("library-changed", (event) => {
  if (current && current.paper && event.detail && event.detail.remote) showRemoteChange(current.editor);
});

async function showRemoteChange(editor, tries = 3) {
  const view = $("#paper-view");
  // Asked again once the paper is read: the user may have started meanwhile, and a write of
  // this page answered meanwhile makes the paper read older than what the page shows (a
  // relation removed here came back). Then it is read again.
  const writes = writesAnswered();
  const idle = () => !busyInView(view, editor);
  const fresh = () => writesAnswered() === writes;
  const paper = idle() ? await reloadPaper(() => idle() && fresh()) : null;
  if (paper) {
    if (paper.annotation) await editor.refresh(paper.annotation);
  } else if (current && current.editor === editor && idle() && !fresh() && tries > 1) {
    await showRemoteChange(editor, tries - 1);
  } else {
    await editor.refresh();
  }
}

/**
 * Something outside the annotation editor is being typed or chosen, which a redraw would lose:
 * focus in a field or in a list of suggestions, a note being edited, text in a form's field, or
 * a form's pick waiting for its button (a select moved off its empty "Choose…" option).
 */
function busyInView(view, editor) {
  const focused = document.activeElement;
  if (focused !== editor.textarea && view.contains(focused) && (isTyping(focused) || focused.closest(".suggestions"))) {
    return true;
  }
  const pending = (field) => (field.tagName === "SELECT"
    ? field.options.length > 0 && field.options[0].value === "" && field.value !== ""
    : field.value !== "");
  return Boolean(view.querySelector(".note-edit")) ||
    [...view.querySelectorAll("form textarea, form input:not([type]), form input[type=text], form input[type=search], form select")]
      .some(pending);
}

function readingSection(paper) {
  const status = h("select", { id: "paper-status" },
    Object.entries(STATUS_LABELS).map(([value, label]) => h("option", { value, selected: paper.status === value }, label)));
  status.addEventListener("change", () => patchPaper({ status: status.value }));
  const rating = h("select", { id: "paper-rating" },
    h("option", { value: "", selected: paper.rating === null || paper.rating === undefined }, "No rating"),
    [0, 1, 2, 3, 4, 5].map((n) => h("option", { value: String(n), selected: paper.rating === n }, `${n} – ${"★".repeat(n) || "none"}`)));
  rating.addEventListener("change", () => patchPaper({ rating: rating.value === "" ? null : Number(rating.value) }));
  return h("section", { class: "card side-card", "aria-labelledby": "reading-heading" },
    h("h2", { id: "reading-heading", class: "section-title" }, "Reading"),
    h("div", { class: "field" }, h("label", { for: "paper-status" }, "Status"), status),
    h("div", { class: "field" }, h("label", { for: "paper-rating" }, "Rating"), rating));
}

function tagsSection(paper) {
  const list = h("ul", { class: "chips", "aria-label": "Tags of this paper" });
  const draw = (tags) => {
    paper.tags = tags;
    replaceChildren(list, tags.length ? tags.map((tag) =>
      h("li", { class: "chip" }, h("span", {}, tag),
        h("button", { type: "button", class: "chip-remove", "aria-label": `Remove tag ${tag}`, onclick: () => change("DELETE", tag) }, "×")))
      : h("li", { class: "empty" }, "No tags yet."));
  };
  const change = (method, tag) => inTurn(paper.id, async () => {
    try {
      const data = await api(`/api/papers/${enc(paper.id)}/tags/${enc(tag)}`, { method });
      if (typeof data.version === "number") paper.version = Math.max(paper.version, data.version);
      draw(data.tags);
      events.dispatchEvent(new Event("library-changed"));
      refreshLookups();
    } catch (err) {
      showError(err);
    }
  });
  const input = h("input", { id: "paper-tag-input", list: "tag-options", autocomplete: "off", placeholder: "Add a tag" });
  const form = h("form", { class: "inline-form" },
    h("label", { for: "paper-tag-input", class: "visually-hidden" }, "Add a tag"),
    input,
    h("button", { type: "submit", class: "small" }, "Add"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) return;
    input.value = "";
    change("PUT", name);
  });
  draw(paper.tags || []);
  return h("section", { class: "card side-card", "aria-labelledby": "tags-side-heading" },
    h("h2", { id: "tags-side-heading", class: "section-title" }, "Tags"), list, form);
}

/** How the paper bears on an area it is in: supports, undercuts, background (or not said). */
function stanceSelect(area, onChange) {
  const options = [["", "stance…"], ["supports", "supports"], ["undercuts", "undercuts"], ["background", "background"]];
  const select = h("select", { class: "stance-select", "aria-label": `Stance in ${area.path}`, onchange: () => onChange(select.value || null) },
    options.map(([value, label]) => h("option", { value, selected: (area.stance || "") === value }, label)));
  return select;
}

function areasSection(paper) {
  const list = h("ul", { class: "area-list", "aria-label": "Areas of this paper" });
  const select = h("select", { id: "paper-area-select" });
  const draw = (areas) => {
    paper.areas = areas;
    replaceChildren(list, areas.length ? areas.map((area) =>
      h("li", { class: "chip area-chip" }, h("span", {}, area.path),
        stanceSelect(area, (stance) => change("PUT", area.id, { stance })),
        h("button", { type: "button", class: "chip-remove", "aria-label": `Remove from area ${area.path}`, onclick: () => change("DELETE", area.id) }, "×")))
      : h("li", { class: "empty" }, "In no area yet."));
    const inAreas = new Set(areas.map((a) => a.id));
    const chosen = select.value; // a redraw (areas reloaded) keeps what the user picked
    replaceChildren(select, areaOptions({ exclude: inAreas, emptyLabel: cache.flatAreas.length ? "Choose an area…" : "No areas yet" }));
    if (chosen && !inAreas.has(Number(chosen))) select.value = chosen;
  };
  const change = (method, areaId, json) => inTurn(paper.id, async () => {
    try {
      const data = await api(`/api/papers/${enc(paper.id)}/areas/${enc(areaId)}`, { method, json });
      if (typeof data.version === "number") paper.version = Math.max(paper.version, data.version);
      draw(data.areas);
      events.dispatchEvent(new Event("library-changed"));
      refreshLookups();
    } catch (err) {
      showError(err);
    }
  });
  const form = h("form", { class: "inline-form" },
    h("label", { for: "paper-area-select", class: "visually-hidden" }, "Assign to area"),
    select,
    h("button", { type: "submit", class: "small" }, "Assign"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (select.value) change("PUT", Number(select.value));
  });
  draw(paper.areas || []);
  const redraw = () => {
    if (!list.isConnected) {
      events.removeEventListener("areas", redraw);
      return;
    }
    draw(paper.areas || []);
  };
  events.addEventListener("areas", redraw);
  ensureAreas().catch(showError); // the picker lists every area; loaded on first use
  return h("section", { class: "card side-card", "aria-labelledby": "areas-side-heading" },
    h("h2", { id: "areas-side-heading", class: "section-title" }, "Areas"), list, form);
}

function relationsSection(paper) {
  const list = h("ul", { class: "relations" });
  const draw = (items) => {
    replaceChildren(list, items.length ? items.map((rel) => {
      const verb = rel.direction === "incoming" ? INCOMING_RELATION_LABELS[rel.relation] : RELATION_LABELS[rel.relation];
      return h("li", { class: "relation" },
        h("span", { class: `relation-type rel-${rel.relation}` }, verb || rel.relation),
        h("a", { href: `#/paper/${rel.other.id}` }, rel.other.title || rel.other.key),
        rel.note ? h("span", { class: "relation-note" }, rel.note) : null,
        h("button", { type: "button", class: "small quiet", "aria-label": `Remove relation ${verb} ${rel.other.title || rel.other.key}`, onclick: () => remove(rel) }, "Remove"));
    }) : h("li", { class: "empty" }, "No relations yet."));
  };
  const reload = async () => {
    try {
      const data = await api(`/api/papers/${enc(paper.id)}/relations`);
      draw(data.items || []);
    } catch (err) {
      showError(err);
    }
  };
  const remove = async (rel) => {
    try {
      await api(`/api/relations/${enc(rel.id)}`, { method: "DELETE" });
      reload();
    } catch (err) {
      showError(err);
    }
  };
  draw(paper.relations || []);

  // Adding: choose the type, search for the other paper, pick it, optionally add a note.
  let target = null;
  const relation = h("select", { id: "relation-type" },
    Object.entries(RELATION_LABELS).map(([value, label]) => h("option", { value }, `This paper ${label} …`)));
  const search = h("input", { id: "relation-search", type: "search", autocomplete: "off", placeholder: "Search by title, author…", "aria-controls": "relation-suggestions" });
  const suggestions = h("ul", { id: "relation-suggestions", class: "suggestions", "aria-label": "Matching papers" });
  const chosen = h("p", { class: "chosen", "aria-live": "polite" });
  const note = h("input", { id: "relation-note", autocomplete: "off", placeholder: "Optional" });
  const addButton = h("button", { type: "submit", class: "small", disabled: true }, "Add relation");
  const pick = (other) => {
    target = other;
    chosen.textContent = `Selected: ${other.title}`;
    replaceChildren(suggestions);
    addButton.disabled = false;
    note.focus();
  };
  // Keyboard: ArrowDown from the search enters the list, arrows move in it, Enter picks (the
  // first match when typed in the search), Escape closes the list and returns to the search.
  const options = () => [...suggestions.querySelectorAll("button.suggestion")];
  const find = debounce(async () => {
    const text = search.value.trim();
    if (!text) {
      replaceChildren(suggestions);
      return;
    }
    try {
      const data = await api(`/api/papers${query({ q: text, limit: 8 })}`);
      const items = data.items.filter((p) => p.id !== paper.id);
      replaceChildren(suggestions, items.length ? items.map((p) =>
        h("li", {}, h("button", { type: "button", class: "suggestion", onclick: () => pick(p) },
          h("span", { class: "suggestion-title" }, p.title),
          h("span", { class: "suggestion-meta" }, [formatAuthors(p.authors, 2), p.year].filter(Boolean).join(" · ")))))
        : h("li", { class: "empty" }, "No matching papers."));
    } catch (err) {
      showError(err);
    }
  }, 250);
  search.addEventListener("input", find);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && suggestions.childElementCount) {
      event.stopPropagation();
      replaceChildren(suggestions);
    } else if (event.key === "ArrowDown" && options().length) {
      event.preventDefault();
      options()[0].focus();
    } else if (event.key === "Enter" && options().length) {
      event.preventDefault();
      options()[0].click();
    }
  });
  suggestions.addEventListener("keydown", (event) => {
    const all = options();
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) search.focus();
      else all[Math.min(next, all.length - 1)].focus();
    } else if (event.key === "Escape") {
      event.stopPropagation();
      replaceChildren(suggestions);
      search.focus();
    }
  });
  const form = h("form", { class: "relation-form", "aria-label": "Add a relation" },
    h("div", { class: "field" }, h("label", { for: "relation-type" }, "Relation"), relation),
    h("div", { class: "field grow" }, h("label", { for: "relation-search" }, "Other paper"), search, suggestions, chosen),
    h("div", { class: "field" }, h("label", { for: "relation-note" }, "Note"), note),
    h("div", { class: "field end" }, addButton));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!target) return;
    try {
      await api(`/api/papers/${enc(paper.id)}/relations`, {
        method: "POST",
        json: { target_id: target.id, relation: relation.value, note: note.value.trim() },
      });
      target = null;
      search.value = "";
      note.value = "";
      chosen.textContent = "";
      addButton.disabled = true;
      reload();
    } catch (err) {
      showError(err);
    }
  });
  return h("section", { class: "card", "aria-labelledby": "relations-heading" },
    h("h2", { id: "relations-heading", class: "section-title" }, "Relations"), list, form);
}

/** Where the paper's records came from: each import and merge, by whom (shared library), when. */
function provenanceSection(paper) {
  const rows = paper.provenance || [];
  if (!rows.length) return null;
  const item = (row) => {
    const what = row.detail || row.source;
    const when = [row.by ? `by ${row.by}` : "", timeAgo(row.at)].filter(Boolean).join(", ");
    return h("li", {}, what, h("span", { class: "hint" }, ` ${when}`));
  };
  return h("section", { class: "card side-card", "aria-labelledby": "provenance-heading" },
    h("h2", { id: "provenance-heading", class: "section-title" }, "Provenance"),
    h("ul", { class: "provenance", "aria-label": "Where this paper came from" }, rows.map(item)));
}

function dangerSection(paper) {
  const button = h("button", { type: "button", class: "danger small" }, "Delete paper");
  button.addEventListener("click", async () => {
    if (!window.confirm(`Delete “${paper.title}” and its annotation from the library?`)) return;
    try {
      await api(`/api/papers/${enc(paper.id)}`, { method: "DELETE" });
      if (current && current.id === paper.id) current.editor.textarea.disabled = true;
      showInfo("Paper deleted.");
      events.dispatchEvent(new Event("library-changed"));
      refreshLookups();
      navigate("#/", { ask: false }); // what was unsaved on the page went with the paper
    } catch (err) {
      showError(err);
    }
  });
  return h("section", { class: "side-card danger-zone", "aria-label": "Delete" }, button);
}
