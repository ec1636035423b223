// The annotation editor: Markdown with the server's sanitised preview, autosave, revisions,
// and conflict handling. A stale save (409) never overwrites or drops text: the user chooses.
// A save the server cannot take yet (503: a long import holds the write lock) is retried until
// it lands, and the editor says so; the text stays on screen and in memory meanwhile.

import { api, enc } from "./api.js";
import { chooseVersion } from "./conflict.js";
import { $, byLine, debounce, h, replaceChildren, setSanitisedHtml } from "./dom.js";
import { events, showError, showInfo } from "./ui.js";

const AUTOSAVE_MS = 1000;
const PREVIEW_MS = 300;
const KEEPALIVE_LIMIT = 60000; // browsers cap keepalive bodies at 64 KiB
const BUSY_RETRY_MS = [500, 1000, 2000, 3000]; // then every 3 s until the save lands

const STATE_TEXT = {
  saved: "Saved",
  saving: "Saving…",
  waiting: "Saving after the import finishes…",
  dirty: "Unsaved changes",
  error: "Error",
  conflict: "Conflict — choose a version",
  loading: "Loading…",
};

export class AnnotationEditor {
  constructor(paperId) {
    this.paperId = paperId;
    this.version = 0;
    this.savedText = "";
    this.inflight = null;
    this.conflict = false;
    this.closed = false;
    this.previewSeq = 0;
    // Resolves when a save first has to wait for the server (see put): leaving then need not.
    this.waitStarted = new Promise((resolve) => { this.markWaiting = resolve; });
    this.element = this.build();
    this.autosave = debounce(() => this.save(), AUTOSAVE_MS);
    this.preview = debounce(() => this.renderPreview(), PREVIEW_MS);
    this.onVisibility = () => {
      if (document.visibilityState === "hidden") this.save({ keepalive: true });
    };
    this.onPageHide = () => this.save({ keepalive: true });
    this.onBeforeUnload = (event) => {
      if (this.isDirty() || this.inflight || this.conflict) {
        this.save({ keepalive: true });
        event.preventDefault();
        event.returnValue = "";
      }
    };
    document.addEventListener("visibilitychange", this.onVisibility);
    window.addEventListener("pagehide", this.onPageHide);
    window.addEventListener("beforeunload", this.onBeforeUnload);
  }

  build() {
    this.textarea = h("textarea", {
      id: "annotation-input",
      class: "annotation-input",
      rows: "14",
      spellcheck: "true",
      placeholder: "What does the paper claim, how, and what do you make of it? Markdown works: *emphasis*, [links](https://…), lists.",
      disabled: true,
    });
    this.stateEl = h("span", { class: "save-state", role: "status", "aria-live": "polite", "data-state": "loading" }, STATE_TEXT.loading);
    this.previewEl = h("div", { class: "annotation-preview rendered", id: "annotation-preview", "aria-label": "Preview" });
    this.saveButton = h("button", { type: "button", class: "small", onclick: () => this.save(), title: "Save now (Ctrl+S / ⌘S)" }, "Save");
    this.editedEl = h("p", { class: "hint edited-by", id: "annotation-edited", hidden: true });
    this.historyList = h("ol", { class: "revisions" });
    this.history = h("details", { class: "history" },
      h("summary", {}, "Revision history"),
      this.historyList);
    this.history.addEventListener("toggle", () => {
      if (this.history.open) this.loadRevisions();
    });
    this.textarea.addEventListener("input", () => {
      if (this.conflict) return;
      this.setState(this.isDirty() ? "dirty" : "saved");
      this.autosave();
      this.preview();
    });
    this.textarea.addEventListener("blur", () => this.save());
    this.textarea.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        this.save();
      }
    });
    return h("section", { class: "annotation card", "aria-label": "Annotation editor" },
      h("div", { class: "annotation-head" },
        h("label", { for: "annotation-input", id: "annotation-label", class: "section-title" }, "Annotation"),
        h("div", { class: "annotation-tools" }, this.stateEl, this.saveButton)),
      h("div", { class: "editor-grid" },
        this.textarea,
        h("div", { class: "preview-wrap" },
          h("p", { class: "preview-label", "aria-hidden": "true" }, "Preview"),
          this.previewEl)),
      this.editedEl,
      this.history);
  }

  /** Show the saved annotation (`initial` when the paper's detail already carries it). */
  async load(initial = null) {
    try {
      const data = initial || (await api(`/api/papers/${enc(this.paperId)}/annotation`));
      if (this.closed) return;
      this.version = data.version;
      this.savedText = data.markdown || "";
      this.textarea.value = this.savedText;
      setSanitisedHtml(this.previewEl, data.html);
      this.showEdited(data);
      this.textarea.disabled = false;
      this.setState("saved");
    } catch (err) {
      this.setState("error", err.message);
      showError(err);
    }
  }

  /** Show a newer saved version (another member's edit) unless this one has unsaved text. */
  async refresh(given = null) {
    const busy = () => this.closed || this.conflict || this.inflight || this.textarea.disabled || this.isDirty();
    if (busy()) return;
    try {
      const data = given || (await api(`/api/papers/${enc(this.paperId)}/annotation`));
      if (busy() || data.version <= this.version) return;
      await this.load(data);
      if (this.history.open) this.loadRevisions();
    } catch (err) {
      showError(err);
    }
  }

  /** "edited by Ana, 3 minutes ago" in a shared library (the API names the member). */
  showEdited(data) {
    clearInterval(this.editedTimer);
    this.editedEl.hidden = !data.edited_by;
    if (!data.edited_by) return;
    const draw = () => {
      this.editedEl.textContent = byLine("edited", data.edited_by, data.updated_at);
    };
    draw();
    this.editedTimer = setInterval(draw, 60000);
  }

  isDirty() {
    return !this.textarea.disabled && this.textarea.value !== this.savedText;
  }

  setState(state, detail = "") {
    this.stateEl.dataset.state = state;
    this.stateEl.textContent = detail ? `${STATE_TEXT[state]}: ${detail}` : STATE_TEXT[state];
  }

  async renderPreview() {
    const seq = ++this.previewSeq;
    const markdown = this.textarea.value;
    try {
      const data = await api("/api/render", { method: "POST", json: { markdown } });
      if (seq === this.previewSeq && !this.closed) setSanitisedHtml(this.previewEl, data.html);
    } catch (err) {
      if (seq === this.previewSeq) showError(err);
    }
  }

  /** Save now if the text changed. Resolves when the text on screen is saved (or failed). */
  async save({ keepalive = false } = {}) {
    this.autosave.cancel();
    if (this.conflict || this.textarea.disabled) return;
    if (this.inflight) {
      await this.inflight;
      if (this.isDirty() && !this.conflict) return this.save({ keepalive });
      return;
    }
    const text = this.textarea.value;
    if (text === this.savedText) {
      if (this.stateEl.dataset.state !== "error") this.setState("saved");
      return;
    }
    this.setState("saving");
    this.inflight = this.put(text, keepalive && text.length < KEEPALIVE_LIMIT);
    try {
      await this.inflight;
    } finally {
      this.inflight = null;
    }
    if (!this.conflict && this.stateEl.dataset.state !== "error" && this.isDirty()) {
      this.setState("dirty");
      this.autosave();
    }
  }

  async put(text, keepalive) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.putOnce(text, keepalive);
        return;
      } catch (err) {
        if (err.status !== 503) throw err;
        // The library is busy with a long write (an import): wait, then send the newest text.
        if (!this.closed) this.setState("waiting");
        else if (attempt === 0) showInfo("Your annotation will be saved after the import finishes.");
        this.markWaiting();
        await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS[Math.min(attempt, BUSY_RETRY_MS.length - 1)]));
        if (!this.closed) text = this.textarea.value;
      }
    }
  }

  async putOnce(text, keepalive) {
    try {
      const data = await api(`/api/papers/${enc(this.paperId)}/annotation`, {
        method: "PUT",
        json: { markdown: text, version: this.version },
        keepalive,
      });
      this.version = data.version;
      this.savedText = text;
      this.showEdited(data);
      if (!this.closed && this.textarea.value === text) setSanitisedHtml(this.previewEl, data.html);
      this.setState(this.textarea.value === text ? "saved" : "dirty");
      events.dispatchEvent(new CustomEvent("library-changed", { detail: { paperId: this.paperId } }));
      if (this.history.open) this.loadRevisions();
    } catch (err) {
      if (err.status === 409 && err.details && "current_version" in err.details) {
        this.onConflict(err.details);
      } else if (err.status === 503) {
        throw err;
      } else {
        this.setState("error", err.message);
        showError(err);
      }
    }
  }

  /** Another save got in first: show both texts; the user keeps theirs or mine. */
  onConflict(details) {
    const theirs = details.current_markdown || "";
    const mine = this.textarea.value;
    if (theirs === mine) {
      // The same text was saved elsewhere: nothing to choose.
      this.version = details.current_version;
      this.savedText = theirs;
      this.setState("saved");
      return;
    }
    this.conflict = true;
    this.setState("conflict");
    const note = "the other stays in the revision history if it was saved";
    chooseVersion({ what: "annotation", version: details.current_version, mine, theirs, note }).then((choice) => {
      this.conflict = false;
      this.version = details.current_version;
      if (choice === "mine") {
        // What I keep is my text as shown in the dialog (what was on screen when the conflict came).
        this.textarea.value = mine;
        this.save();
        return;
      }
      this.savedText = theirs;
      this.textarea.value = theirs;
      if (details.current_html !== undefined) setSanitisedHtml(this.previewEl, details.current_html);
      else this.renderPreview();
      this.setState("saved");
      showInfo("Took the saved version; your text was not saved.");
      // Who wrote the version taken (the conflict's answer does not say).
      api(`/api/papers/${enc(this.paperId)}/annotation`)
        .then((data) => data.version === this.version && this.showEdited(data))
        .catch(showError);
    });
  }

  async loadRevisions() {
    try {
      const data = await api(`/api/papers/${enc(this.paperId)}/annotation/revisions`);
      const items = data.items || [];
      if (items.length === 0) {
        replaceChildren(this.historyList, h("li", { class: "empty" }, "No earlier versions yet."));
        return;
      }
      replaceChildren(this.historyList, items.map((rev) => this.renderRevision(rev)));
    } catch (err) {
      showError(err);
    }
  }

  renderRevision(rev) {
    const when = rev.saved_at ? new Date(rev.saved_at).toLocaleString() : "";
    const excerpt = (rev.markdown || "").replace(/\s+/g, " ").trim();
    const body = h("div", { class: "revision-body rendered", hidden: true });
    setSanitisedHtml(body, rev.html);
    const toggle = h("button", { type: "button", class: "small quiet", "aria-expanded": "false" }, "Show");
    toggle.addEventListener("click", () => {
      body.hidden = !body.hidden;
      toggle.textContent = body.hidden ? "Show" : "Hide";
      toggle.setAttribute("aria-expanded", String(!body.hidden));
    });
    return h("li", { class: "revision" },
      h("div", { class: "revision-head" },
        h("span", { class: "revision-version" }, `Version ${rev.version}`, rev.edited_by ? ` · by ${rev.edited_by}` : ""),
        h("time", { datetime: rev.saved_at || "" }, when),
        h("span", { class: "revision-actions" }, toggle,
          h("button", { type: "button", class: "small", onclick: () => this.restore(rev) }, `Restore version ${rev.version}`))),
      h("p", { class: "revision-excerpt" }, excerpt.length > 160 ? `${excerpt.slice(0, 160)}…` : excerpt || "(empty)"),
      body);
  }

  async restore(rev) {
    await this.save();
    if (this.conflict || this.isDirty()) {
      showError("Save or resolve your changes before restoring an earlier version.");
      return;
    }
    try {
      const data = await api(
        `/api/papers/${enc(this.paperId)}/annotation/revisions/${enc(rev.id)}/restore`,
        { method: "POST", json: { version: this.version } },
      );
      this.version = data.version;
      this.savedText = data.markdown;
      this.textarea.value = data.markdown;
      setSanitisedHtml(this.previewEl, data.html);
      this.setState("saved");
      showInfo(`Restored version ${rev.version}.`);
      events.dispatchEvent(new CustomEvent("library-changed", { detail: { paperId: this.paperId } }));
      this.loadRevisions();
    } catch (err) {
      showError(err);
    }
  }

  /** Leaving the paper: save what is unsaved, then stop listening. */
  async leave() {
    this.preview.cancel();
    const saving = this.save({ keepalive: true });
    this.closed = true;
    clearInterval(this.editedTimer);
    document.removeEventListener("visibilitychange", this.onVisibility);
    window.removeEventListener("pagehide", this.onPageHide);
    window.removeEventListener("beforeunload", this.onBeforeUnload);
    // A save waiting for an import goes on in the background; leaving does not wait for it.
    await Promise.race([saving, this.waitStarted]);
  }
}
