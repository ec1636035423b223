// The export dialog's publishing options: a title and an introduction for the Markdown
// bibliography, which tags it prints (all, those not marked private, none), and marking tags
// private (PATCH /api/tags/NAME), so working tags like "to-check" stay out of what is published.

import { api, enc } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";
import { loadTags, cache, showError } from "./ui.js";

/** The API parameters of the publishing options (Markdown only). */
export function publishingParams() {
  return {
    title: $("#export-title").value.trim(),
    intro: $("#export-intro").value.trim(),
    print_tags: document.querySelector('input[name="export-tags"]:checked').value,
  };
}

async function setPrivate(tag, isPrivate, onChange) {
  try {
    await api(`/api/tags/${enc(tag.name)}`, { method: "PATCH", json: { private: isPrivate } });
    await loadTags();
    onChange();
  } catch (err) {
    showError(err);
    renderTagPrivacy(onChange);
  }
}

/** The list of tags, each with a "private" box; `onChange` runs after a tag changed. */
export function renderTagPrivacy(onChange) {
  const items = cache.tags.map((tag) => {
    const id = `private-tag-${tag.id}`;
    return h("li", {},
      h("input", { type: "checkbox", id, checked: tag.private,
        onchange: (event) => setPrivate(tag, event.target.checked, onChange) }),
      h("label", { for: id }, tag.name));
  });
  replaceChildren($("#private-tag-list"),
    items.length ? items : h("li", { class: "empty" }, "No tags yet."));
}
