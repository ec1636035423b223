// The library list's rows and its count line: drawn by library.js, and by list_start.js for
// the first page when it arrives before the rest of the app.

import { $, formatAuthors, h, keepingFocus, replaceChildren, STATUS_LABELS } from "./dom.js";
import { isFiltered } from "./query.js";

let onTag = () => {};

/** What a click on a row's tag does (library.js: filter by it); rows drawn before keep working. */
export function setTagChooser(choose) {
  onTag = choose;
}

/** Show `items` as the list's rows: in place of those shown (`replace`) or after them. */
export function showRows(items, replace) {
  const list = $("#results");
  const rows = items.map(renderRow);
  if (!replace) {
    list.append(...rows);
    return;
  }
  // The list read again keeps the keyboard on the row it was on: its title, or the same tag.
  keepingFocus(list, () => replaceChildren(list, rows), (old) => {
    const row = old.closest(".paper-row");
    const again = row && list.querySelector(`.paper-row[data-id="${CSS.escape(row.dataset.id)}"]`);
    if (!again) return null;
    const tag = old.classList.contains("tag")
      ? [...again.querySelectorAll("button.tag")].find((button) => button.textContent === old.textContent)
      : null;
    return tag || again.querySelector(".paper-title");
  });
}

/** The rows' title links, in order: where the keyboard goes in the list. */
export function rowTitles() {
  return [...$("#results").querySelectorAll(".paper-row .paper-title")];
}

/** Put the keyboard on the row of paper `id` (back from its page), if the list shows it. */
export function focusRow(id) {
  const title = $(`#results .paper-row[data-id="${CSS.escape(String(id))}"] .paper-title`);
  if (title) title.focus({ preventScroll: true });
}

/** The count line and "Load more" for `loaded` of `total` papers matching `chosen`. */
export function showCount(chosen, loaded, total) {
  const filtered = isFiltered(chosen);
  const noun = total === 1 ? "paper" : "papers";
  let text = `${total.toLocaleString()} ${noun}${filtered ? " found" : ""}`;
  if (total > loaded) text += ` · showing ${loaded.toLocaleString()}`;
  $("#result-count").textContent = text;
  $("#load-more").hidden = loaded >= total;
  if (total === 0) {
    const hint = filtered ? "No papers match these filters." : "Your library is empty. Add papers by arXiv ID or import a BibTeX file.";
    $("#results").append(h("li", { class: "empty" }, hint));
  }
}

function renderRow(paper) {
  const meta = [];
  const authors = formatAuthors(paper.authors);
  if (authors) meta.push(h("span", { class: "authors" }, authors));
  if (paper.year) meta.push(h("span", { class: "year" }, String(paper.year)));
  if (paper.venue) meta.push(h("span", { class: "venue" }, paper.venue));
  const badges = [
    h("span", { class: `status status-${paper.status}` }, STATUS_LABELS[paper.status] || paper.status),
  ];
  if (paper.has_annotation) {
    badges.push(h("span", { class: "annotated", title: "Has an annotation" }, "✎ Annotated"));
  }
  if (paper.rating !== null && paper.rating !== undefined) {
    badges.push(h("span", { class: "rating", title: `Rating ${paper.rating} of 5` }, `${"★".repeat(paper.rating)}${"☆".repeat(5 - paper.rating)}`));
  }
  const tags = (paper.tags || []).map((tag) =>
    h("li", {}, h("button", {
      type: "button",
      class: "tag",
      title: `Show papers tagged ${tag}`,
      onclick: () => onTag(tag),
    }, tag)),
  );
  return h("li", { class: "paper-row", dataset: { id: paper.id } },
    h("div", { class: "row-main" },
      h("a", { class: "paper-title", href: `#/paper/${paper.id}` }, paper.title || "[no title]"),
      h("p", { class: "meta" }, meta),
      tags.length ? h("ul", { class: "tags", "aria-label": "Tags" }, tags) : null,
    ),
    h("div", { class: "row-badges" }, badges),
  );
}
