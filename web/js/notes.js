// The notes of a paper (beside its one annotation): quotes with where they are in the paper,
// questions, critique and plain notes, in the order the user arranges them.
// Note HTML comes only from the server's sanitised `html` field, never from `markdown`.
// An edit carries the version it started from; a stale save (409) never drops what the user
// typed: their text stays in the editor next to the saved one until they choose.

import { api, enc, query, writeQueue } from "./api.js";
import { chooseVersion } from "./conflict.js";
import { byLine, h, keepingFocus, replaceChildren, setSanitisedHtml } from "./dom.js";
import { addLeaveGuard } from "./navigation.js";
import { memberName } from "./session.js";
import { events, showError, showInfo } from "./ui.js";

export const NOTE_KIND_LABELS = {
  note: "Note",
  quote: "Quote",
  question: "Question",
  critique: "Critique",
};

const LOCATION_MAX = 200;
const NAME_CHARS = 48;

let shown = null; // the NotesCard on screen
/** The notes' writes, one after another per paper (a card drawn again keeps the same turn). */
const inTurn = writeQueue();

/** The "Notes" card of the paper view: the list, editing in place, and the add form. */
export function notesSection(paper) {
  // paper.js redraws the whole view after some conflicts: the same paper keeps its card,
  // so open edits and a half-written note survive the redraw.
  if (shown && shown.paperId === paper.id && shown.element.isConnected) {
    if (Array.isArray(paper.notes)) shown.draw(paper.notes);
    return shown.element;
  }
  shown = new NotesCard(paper);
  return shown.element;
}

/** A new note with text, or an edit that changed its note, on the page shown. */
function hasUnsavedNote() {
  // A paper being left is hidden first, while its annotation saves: its notes were given up.
  const onScreen = shown !== null && shown.element.isConnected && !shown.element.closest("[hidden]");
  return onScreen && shown.hasUnsavedText();
}

// Leaving drops such text: closing or reloading the tab asks through the browser,
// moving inside the app asks through the router.
window.addEventListener("beforeunload", (event) => {
  if (hasUnsavedNote()) {
    event.preventDefault();
    event.returnValue = "";
  }
});
addLeaveGuard(() => (hasUnsavedNote() ? "You have an unsaved note on this paper. Leave and discard it?" : null));

class NotesCard {
  constructor(paper) {
    this.paperId = paper.id;
    this.notes = [];
    this.editors = new Map(); // note id -> NoteEditor, kept across redraws of the list
    this.list = h("ol", { class: "notes", "aria-label": "Notes of this paper" });
    this.element = h("section", { class: "card notes-card", "aria-labelledby": "notes-heading" },
      h("h2", { id: "notes-heading", class: "section-title" }, "Notes"),
      this.list,
      this.buildAddForm());
    if (Array.isArray(paper.notes)) this.draw(paper.notes);
    else this.reload();
  }

  /** Run writes one after another, so each one sees the versions the one before left. */
  queue(task) {
    return inTurn(this.paperId, task).catch(showError);
  }

  hasUnsavedText() {
    return this.textInput.value.trim() !== "" || [...this.editors.values()].some((e) => e.isDirty());
  }

  async reload(focus = null) {
    try {
      const data = await api(`/api/papers/${enc(this.paperId)}/notes`);
      this.draw(data.items || [], focus);
    } catch (err) {
      showError(err);
    }
  }

  /** The note as stored now, or null when it is gone or cannot be read. */
  async fetchNote(id) {
    try {
      const data = await api(`/api/papers/${enc(this.paperId)}/notes`);
      return (data.items || []).find((n) => n.id === id) || null;
    } catch (err) {
      console.warn("could not re-read the notes after a conflict", err);
      return null;
    }
  }

  /**
   * Show `notes`; notes being edited keep their editor. `focus`: {noteId, action} to focus after;
   * without it, a note's button that has the focus keeps it (a redraw from elsewhere).
   */
  draw(notes, focus = null) {
    this.notes = notes;
    const items = notes.map((note, index) =>
      this.editors.has(note.id) ? this.editors.get(note.id).element : this.renderNote(note, index));
    for (const [id, editor] of this.editors) {
      if (!notes.some((n) => n.id === id)) {
        editor.showGone();
        items.push(editor.element);
      }
    }
    const show = () => replaceChildren(this.list, items.length ? items : h("li", { class: "empty" }, "No notes yet."));
    if (focus) {
      show();
      (this.button(focus) || this.textInput).focus();
    } else {
      keepingFocus(this.list, show, (old) => {
        const item = old.dataset.action && old.closest("[data-note-id]");
        return item ? this.button({ noteId: Number(item.dataset.noteId), action: old.dataset.action }) : null;
      });
    }
  }

  /** The note's `action` button, or the next of its buttons that is enabled (up, down, edit). */
  button({ noteId, action }) {
    const item = noteId === undefined ? null : this.list.querySelector(`[data-note-id="${noteId}"]`);
    const buttons = item ? [action, "up", "down", "edit"].map((a) => item.querySelector(`[data-action="${a}"]`)) : [];
    return buttons.find((b) => b && !b.disabled) || null;
  }

  renderNote(note, index) {
    const kind = NOTE_KIND_LABELS[note.kind] || note.kind;
    const mine = memberName() !== null && note.created_by === memberName();
    const body = h(note.kind === "quote" ? "blockquote" : "div", { class: "note-body rendered" });
    setSanitisedHtml(body, note.html);
    const name = `${kind.toLowerCase()} “${shorten(body.textContent)}”`;
    const button = (label, action, onclick, disabled = false) =>
      h("button", { type: "button", class: "small quiet", "data-action": action, "aria-label": `${label} ${name}`, disabled, onclick }, label);
    return h("li", { class: `note note-${note.kind}`, "data-note-id": String(note.id) },
      h("div", { class: "note-head" },
        h("span", { class: `note-kind kind-${note.kind}` }, kind),
        note.location ? h("span", { class: "note-location" }, h("span", { class: "visually-hidden" }, "Location: "), note.location) : null,
        note.private ? h("span", { class: "note-private chip" }, "Private") : null,
        h("span", { class: "note-actions" },
          button("Edit", "edit", () => this.startEdit(note)),
          mine ? button(note.private ? "Share" : "Make private", "privacy", () => this.setPrivate(note, !note.private)) : null,
          button("Move up", "up", () => this.move(note, -1), index === 0),
          button("Move down", "down", () => this.move(note, 1), index === this.notes.length - 1),
          button("Delete", "delete", () => this.remove(note, kind, body.textContent)))),
      body,
      noteByLine(note));
  }

  buildAddForm() {
    const kind = h("select", { id: "note-kind" }, kindOptions("note"));
    this.textInput = h("textarea", {
      id: "note-text", rows: "3", spellcheck: "true", "aria-describedby": "note-text-message",
      placeholder: "A quote, a question, a critique… Markdown works. Ctrl+Enter adds it.",
    });
    const location = h("input", { id: "note-location", maxlength: String(LOCATION_MAX), autocomplete: "off", placeholder: "p. 4, §3.2, Fig. 2" });
    const message = h("p", { id: "note-text-message", class: "field-message", role: "alert" });
    const addButton = h("button", { type: "submit", class: "small primary" }, "Add note");
    // In a shared library a note can be one's own: nobody else sees it, nor finds it.
    const privateBox = h("input", { type: "checkbox", id: "note-private" });
    const privateField = memberName()
      ? h("div", { class: "field end" }, h("label", { for: "note-private" }, privateBox, " Private (only you see it)"))
      : null;
    const form = h("form", { class: "note-form", "aria-label": "Add a note" },
      h("div", { class: "field" }, h("label", { for: "note-kind" }, "Kind"), kind),
      h("div", { class: "field note-text-field" }, h("label", { for: "note-text" }, "Note"), this.textInput, message),
      h("div", { class: "field" }, h("label", { for: "note-location" }, "Location"), location),
      privateField,
      h("div", { class: "field end" }, addButton));
    const text = this.textInput;
    text.addEventListener("input", () => setMessage(text, message, ""));
    submitOnCtrlEnter(text, form);
    keepDraftOnEscape(text, () => text.value.trim() !== "");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const markdown = text.value.trimEnd();
      if (!markdown.trim()) {
        setMessage(text, message, "Write the note first: an empty note is not added.");
        text.focus();
        return;
      }
      if (addButton.disabled) return;
      addButton.disabled = true;
      this.queue(async () => {
        try {
          await api(`/api/papers/${enc(this.paperId)}/notes`, {
            method: "POST",
            json: { kind: kind.value, markdown, location: location.value.trim(), private: privateBox.checked },
          });
          // The kind stays: notes often come in runs (several quotes from one section).
          if (text.value.trimEnd() === markdown) text.value = "";
          location.value = "";
          libraryChanged();
          await this.reload();
        } catch (err) {
          showError(err);
        } finally {
          addButton.disabled = false;
        }
      });
    });
    return form;
  }

  startEdit(note) {
    if (!this.editors.has(note.id)) this.editors.set(note.id, new NoteEditor(this, note));
    this.draw(this.notes);
    this.editors.get(note.id).focus();
  }

  /** Close the editor of note `id`; `saved` is the note as the server answered, if any. */
  finishEdit(id, saved = null) {
    this.editors.delete(id);
    const notes = saved ? this.notes.map((n) => (n.id === id ? saved : n)) : this.notes;
    this.draw(notes, { noteId: id, action: "edit" });
  }

  /** Close the editor of note `id` and show the notes as stored now. */
  closeEditAndReload(id) {
    this.editors.delete(id);
    return this.reload({ noteId: id, action: "edit" });
  }

  move(note, delta) {
    return this.queue(async () => {
      const index = this.notes.findIndex((n) => n.id === note.id);
      const position = index + delta;
      if (index < 0 || position < 0 || position >= this.notes.length) return;
      try {
        // The neighbour's own place: another member's private notes may sit in between.
        await moveTo(this.notes[index], this.notes[position].position);
      } catch (err) {
        showError(err);
      }
      await this.reload({ noteId: note.id, action: delta < 0 ? "up" : "down" });
    });
  }

  /** Make one's own note private (nobody else sees or finds it) or share it with the group. */
  setPrivate(note, value) {
    return this.queue(async () => {
      try {
        await api(`/api/notes/${enc(note.id)}`, { method: "PATCH", json: { version: note.version, private: value } });
        libraryChanged();
      } catch (err) {
        showError(err);
      }
      await this.reload({ noteId: note.id, action: "edit" });
    });
  }

  remove(note, kind, text) {
    if (!window.confirm(`Delete this ${kind.toLowerCase()}? “${shorten(text, 120)}”`)) return;
    this.queue(async () => {
      const index = this.notes.findIndex((n) => n.id === note.id);
      try {
        // With the version shown: a note changed elsewhere since is not deleted unseen.
        await api(`/api/notes/${enc(note.id)}${query({ version: note.version })}`, { method: "DELETE" });
      } catch (err) {
        if (err.status === 409) {
          showError("This note was changed elsewhere since it was shown, so it was not deleted. Here it is as it is now.");
          await this.reload({ noteId: note.id, action: "delete" });
          return;
        }
        if (err.status !== 404) { // 404: deleted elsewhere already, which is what was asked
          showError(err);
          return;
        }
      }
      libraryChanged();
      const next = this.notes[index + 1] || this.notes[index - 1];
      await this.reload({ noteId: next ? next.id : undefined, action: "edit" });
      showInfo("Note deleted.");
    });
  }

  async add(values) {
    await api(`/api/papers/${enc(this.paperId)}/notes`, { method: "POST", json: values });
  }
}

/** Notes are searched with the annotation: the library's results may change. */
function libraryChanged() {
  events.dispatchEvent(new Event("library-changed"));
}

/** PATCH the note's position; a 409 means its text changed elsewhere, which a move leaves alone. */
async function moveTo(note, position) {
  const path = `/api/notes/${enc(note.id)}`;
  try {
    await api(path, { method: "PATCH", json: { version: note.version, position } });
  } catch (err) {
    const current = err.details && err.details.current_version;
    if (err.status !== 409 || typeof current !== "number") throw err;
    await api(path, { method: "PATCH", json: { version: current, position } });
  }
}

/** One note edited in place: kind, text and location, then Save (PATCH with the starting version). */
class NoteEditor {
  constructor(card, note) {
    this.card = card;
    this.noteId = note.id;
    this.version = note.version;
    this.start = { kind: note.kind, markdown: note.markdown || "", location: note.location || "" };
    this.gone = false;
    this.busy = false;
    this.conflictVersion = null;
    this.element = this.build(note);
  }

  build(note) {
    const id = `note-${note.id}`;
    this.kindInput = h("select", { id: `${id}-kind` }, kindOptions(note.kind));
    this.textInput = h("textarea", { id: `${id}-text`, rows: "5", spellcheck: "true", value: this.start.markdown, "aria-describedby": `${id}-message` });
    this.locationInput = h("input", { id: `${id}-location`, maxlength: String(LOCATION_MAX), autocomplete: "off", value: this.start.location });
    this.message = h("p", { id: `${id}-message`, class: "field-message", role: "alert" });
    this.saveButton = h("button", { type: "submit", class: "small primary" }, "Save");
    this.cancelButton = h("button", { type: "button", class: "small", onclick: () => this.cancel() }, "Cancel");
    const form = h("form", { class: "note-edit", "aria-label": `Edit note: “${shorten(this.start.markdown)}”` },
      h("div", { class: "note-edit-row" },
        h("div", { class: "field" }, h("label", { for: `${id}-kind` }, "Kind"), this.kindInput),
        h("div", { class: "field grow" }, h("label", { for: `${id}-location` }, "Location"), this.locationInput)),
      h("div", { class: "field" }, h("label", { for: `${id}-text` }, "Note"), this.textInput, this.message),
      h("div", { class: "note-edit-actions" }, this.saveButton, this.cancelButton));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save(this.version);
    });
    submitOnCtrlEnter(this.textInput, form);
    form.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault(); // not back to the library: Escape here means "stop editing"
      this.cancel();
    });
    this.textInput.addEventListener("input", () => {
      if (!this.conflictVersion && !this.gone) setMessage(this.textInput, this.message, "");
    });
    return h("li", { class: "note note-editing", "data-note-id": String(note.id) }, form);
  }

  values() {
    return {
      kind: this.kindInput.value,
      markdown: this.textInput.value.trimEnd(),
      location: this.locationInput.value.trim(),
    };
  }

  isDirty() {
    const now = this.values();
    return Object.keys(this.start).some((key) => now[key] !== this.start[key]);
  }

  focus() {
    this.textInput.focus();
  }

  cancel() {
    if (this.isDirty() && !window.confirm("Discard your changes to this note?")) return;
    this.card.finishEdit(this.noteId);
  }

  /** Send the edit as a change of `version`; `force` sends it even when nothing differs from the start. */
  save(version, force = false) {
    const values = this.values();
    if (!values.markdown.trim()) {
      setMessage(this.textInput, this.message, "The note is empty: write something, or cancel and delete the note.");
      this.textInput.focus();
      return;
    }
    if (!force && !this.gone && !this.isDirty()) {
      this.card.finishEdit(this.noteId);
      return;
    }
    if (this.busy) return;
    this.setBusy(true);
    this.card.queue(() => this.send(values, version).finally(() => this.setBusy(false)));
  }

  async send(values, version, retried = false) {
    try {
      if (this.gone) {
        await this.card.add(values);
        libraryChanged();
        this.card.editors.delete(this.noteId);
        await this.card.reload();
        showInfo("Added as a new note.");
        return;
      }
      const saved = await api(`/api/notes/${enc(this.noteId)}`, { method: "PATCH", json: { version, ...values } });
      libraryChanged();
      this.card.finishEdit(this.noteId, saved);
    } catch (err) {
      if (err.status === 409 && err.details && typeof err.details.current_version === "number") {
        await this.onConflict(err.details, values, retried);
      } else if (err.status === 404) {
        this.showGone();
      } else {
        showError(err);
      }
    }
  }

  /** The note changed since the edit began: resend when only its place changed, else let the user choose. */
  async onConflict(details, values, retried) {
    const theirs = { version: details.current_version, markdown: details.current_markdown || "" };
    if (typeof details.current_kind === "string") {
      theirs.kind = details.current_kind;
      theirs.location = details.current_location || "";
    } else { // the 409 may carry only the text: read kind and location
      const fresh = await this.card.fetchNote(this.noteId);
      if (fresh && fresh.version === theirs.version) {
        theirs.kind = fresh.kind;
        theirs.location = fresh.location || "";
      }
    }
    const known = theirs.kind !== undefined;
    const same = (a, b) => a.markdown === b.markdown && a.kind === b.kind && a.location === b.location;
    if (known && same(theirs, values)) { // the same was saved elsewhere: nothing to choose
      await this.card.closeEditAndReload(this.noteId);
      return;
    }
    if (known && !retried && same(theirs, this.start)) { // only moved elsewhere: nothing of theirs to lose
      this.version = theirs.version;
      await this.send(values, theirs.version, true);
      return;
    }
    this.showConflict(theirs);
  }

  /** Their version and mine side by side (the one conflict dialog); the user keeps one. */
  async showConflict(theirs) {
    this.conflictVersion = theirs.version;
    this.theirs = theirs;
    setMessage(this.textInput, this.message,
      `Conflict: this note was changed elsewhere while you were editing (it is now version ${theirs.version}). ` +
      "Nothing was overwritten and your text is still here.",
      { invalid: false });
    const mine = this.values();
    const shown = (note) => {
      const meta = [`Kind: ${NOTE_KIND_LABELS[note.kind] || note.kind || "?"}`, `Location: ${note.location || "none"}`];
      return `${note.markdown}\n\n(${meta.join(" · ")})`;
    };
    const choice = await chooseVersion({ what: "note", version: theirs.version, mine: shown(mine), theirs: shown(theirs) });
    if (choice === "mine") this.saveMineOverIt();
    else this.takeTheirs();
  }

  saveMineOverIt() {
    const { version, markdown, kind, location } = this.theirs;
    this.version = version;
    this.start = { kind: kind ?? this.start.kind, markdown, location: location ?? this.start.location };
    this.clearConflict();
    this.save(version, true);
  }

  takeTheirs() {
    this.clearConflict();
    this.card.closeEditAndReload(this.noteId);
    showInfo("Took the saved version; your text was not saved.");
  }

  clearConflict() {
    this.conflictVersion = null;
    setMessage(this.textInput, this.message, "");
  }

  /** The note was deleted elsewhere: keep the text and offer to add it again. */
  showGone() {
    if (this.gone) return;
    this.gone = true;
    this.clearConflict();
    setMessage(this.textInput, this.message,
      "This note was deleted elsewhere. Your text is still here: add it as a new note, or cancel.",
      { invalid: false });
    this.saveButton.textContent = "Add as a new note";
  }

  setBusy(busy) {
    this.busy = busy;
    this.saveButton.disabled = busy;
  }
}

/** "added by Ana, 3 minutes ago" / "edited by Ben, yesterday" under a note of a shared library. */
function noteByLine(note) {
  const edited = note.version > 1 || note.edited_by !== note.created_by;
  const text = byLine(edited ? "edited" : "added", note.edited_by, note.updated_at);
  return text ? h("p", { class: "hint note-by" }, text) : null;
}

function kindOptions(selected) {
  return Object.entries(NOTE_KIND_LABELS).map(([value, label]) => h("option", { value, selected: value === selected }, label));
}

/** Text on one line, cut to `max` characters: for accessible names and confirmations. */
function shorten(text, max = NAME_CHARS) {
  const line = (text || "").replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Show `text` under a field (an empty text clears it); `invalid` marks the field meanwhile. */
function setMessage(field, message, text, { invalid = true } = {}) {
  message.textContent = text;
  if (text && invalid) field.setAttribute("aria-invalid", "true");
  else field.removeAttribute("aria-invalid");
}

function submitOnCtrlEnter(textarea, form) {
  textarea.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

/** Escape in the paper view goes back to the library; not while a half-written note would be lost. */
function keepDraftOnEscape(field, hasDraft) {
  field.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && hasDraft()) event.preventDefault();
  });
}
