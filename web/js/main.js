// Entry point: routing (#/ library, #/paper/ID), keyboard shortcuts, dialogs, export, settings.

import { getToken, query, setToken } from "./api.js";
import { $, isTyping } from "./dom.js";
import { initAreas, openAreasDialog } from "./areas.js";
import { closeDuplicates, initDuplicates, openDuplicates } from "./duplicates.js";
import { publishingParams, renderTagPrivacy } from "./export_options.js";
import { initImporter, openAddDialog } from "./importer.js";
import { filterParams, initLibrary, libraryHash, refresh, setFiltersFromQuery } from "./library.js";
import { focusRow } from "./list_rows.js";
import { closeMap, openMap } from "./map.js";
import { initSuggestions } from "./suggestions.js";
import { navigate, startRouter } from "./navigation.js";
import { FILTER_KEYS, queryParams } from "./query.js";
import { closePaper, currentPaperId, openPaper } from "./paper.js";
import { startLive } from "./live.js";
import { initSession } from "./session.js";
import { knownArea } from "./sidebar.js";
import { ensureTags, events, hideMessage, initTagSuggestions, openDialog, showError } from "./ui.js";

let libraryStale = false;
let libraryScroll = 0;

/** Show the page of `hash`; navigation.js calls it once a move may go ahead. */
async function route(hash) {
  closeDuplicates();
  if (!hash.startsWith("#/map")) closeMap();
  if (hash.startsWith("#/duplicates")) {
    await closePaper();
    $("#library-view").hidden = true;
    document.body.dataset.view = "duplicates";
    document.title = "Possible duplicates · litreview";
    await openDuplicates();
    return;
  }
  const paperMatch = hash.match(/^#\/paper\/(\d+)/);
  if (hash.startsWith("#/map")) {
    if (!$("#library-view").hidden) libraryScroll = window.scrollY;
    await closePaper();
    $("#library-view").hidden = true;
    document.body.dataset.view = "map";
    document.title = "Map · litreview";
    await openMap(hash);
    return;
  }
  if (paperMatch) {
    if (!$("#library-view").hidden) libraryScroll = window.scrollY;
    $("#library-view").hidden = true;
    document.body.dataset.view = "paper";
    await openPaper(Number(paperMatch[1]));
    window.scrollTo(0, 0);
    const title = $("#paper-title");
    document.title = title ? `${title.textContent} · litreview` : "litreview";
    return;
  }
  const left = currentPaperId();
  const wasPaper = left !== null;
  await closePaper();
  document.body.dataset.view = "library";
  document.title = "litreview";
  $("#library-view").hidden = false;
  const search = hash.includes("?") ? hash.slice(hash.indexOf("?")) : "";
  const changed = setFiltersFromQuery(search);
  // Unless the filters changed or the list is stale, only a list never fetched is asked for (the
  // rows list_start.js drew early are that first page: the list takes it, it is not asked twice).
  const force = changed || libraryStale;
  libraryStale = false;
  await refresh({ force });
  if (wasPaper) {
    window.scrollTo(0, libraryScroll);
    focusRow(left); // the next paper is one ↓ away
  }
}

function updateExportLink() {
  const format = document.querySelector('input[name="export-format"]:checked').value;
  const f = filterParams();
  const area = f.area ? knownArea(f.area) : null;
  const params = { format, ...queryParams(f, FILTER_KEYS) }; // the export takes the list's filters
  // What the Markdown bibliography prints besides the annotations; other formats ignore it.
  const markdown = format === "markdown";
  $("#export-markdown-options").disabled = !markdown;
  for (const box of document.querySelectorAll('input[name="export-with"]')) {
    if (markdown && box.checked) params[box.value] = "true";
  }
  if (markdown) Object.assign(params, publishingParams());
  $("#export-link").href = `/api/export${query(params)}`;
  const scope = [];
  if (params.q) scope.push(`matching “${params.q}”`);
  if (params.tag) scope.push(`tagged ${params.tag.join(", ")}`);
  if (area) scope.push(`in ${area.path} (and the areas below it)`);
  if (params.status) scope.push(`with status ${params.status}`);
  if (f.year_min || f.year_max) scope.push(`from ${f.year_min || "any year"} to ${f.year_max || "now"}`);
  if (f.has_annotation) scope.push(f.has_annotation === "true" ? "annotated" : "not annotated");
  $("#export-scope").textContent = scope.length
    ? `Exports the papers ${scope.join(", ")}.`
    : "Exports the whole library.";
}

function openExport() {
  updateExportLink();
  renderTagPrivacy(updateExportLink);
  // The whole tag list loads when the dialog first opens; it lists them once they arrive.
  ensureTags().then(() => renderTagPrivacy(updateExportLink)).catch(showError);
  openDialog($("#export-dialog"));
}

function onKeydown(event) {
  if (event.defaultPrevented) return;
  const dialogOpen = document.querySelector("dialog[open]");
  if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target) && !dialogOpen) {
    event.preventDefault();
    const search = $("#q");
    search.focus();
    search.select();
    return;
  }
  if (event.key === "Escape" && !dialogOpen) {
    if (document.body.classList.contains("sidebar-open")) {
      toggleSidebar(false);
      return;
    }
    if (currentPaperId() !== null) {
      event.preventDefault();
      goToLibrary();
    } else if (!$("#message").hidden) {
      hideMessage();
    }
  }
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s" && currentPaperId() !== null) {
    // Anywhere in the paper view Ctrl/Cmd+S saves the annotation, never the web page.
    event.preventDefault();
    const editor = $("#annotation-input");
    if (editor) editor.dispatchEvent(new Event("blur"));
  }
}

function goToLibrary() {
  // Back to where the user came from when that was the library; else to the library route.
  // Either way the router asks first when leaving would drop unsaved text.
  if (history.state && history.state.fromLibrary) history.back();
  else navigate(libraryHash());
}

function toggleSidebar(open) {
  const show = open ?? !document.body.classList.contains("sidebar-open");
  document.body.classList.toggle("sidebar-open", show);
  $("#toggle-sidebar").setAttribute("aria-expanded", String(show));
}

function init() {
  // On a phone the filters start folded away under their summary.
  if (window.matchMedia("(max-width: 760px)").matches) {
    $("#filters-details").open = false;
    $("#q").placeholder = "Search papers…";
  }
  initLibrary();
  initTagSuggestions();
  initImporter();
  initAreas();
  initDuplicates();
  initSuggestions();
  $("#open-add").addEventListener("click", openAddDialog);
  $("#open-areas").addEventListener("click", openAreasDialog);
  $("#open-export").addEventListener("click", openExport);
  $("#export-form").addEventListener("change", updateExportLink);
  $("#export-form").addEventListener("input", updateExportLink);
  $("#export-form").addEventListener("submit", (event) => event.preventDefault());
  $("#open-settings").addEventListener("click", () => {
    $("#api-token").value = getToken();
    openDialog($("#settings-dialog"));
  });
  $("#settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("#api-token").value.trim());
    $("#settings-dialog").close();
  });
  for (const button of document.querySelectorAll(".close-dialog")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  // A click on the dim backdrop closes a dialog (not the conflict one: it needs a choice).
  for (const dialog of document.querySelectorAll("dialog:not(#conflict-dialog)")) {
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
  }
  $("#message-close").addEventListener("click", hideMessage);
  $("#toggle-sidebar").addEventListener("click", () => toggleSidebar());
  // On a phone the sidebar is a drawer: a tap outside it closes it.
  document.addEventListener("click", (event) => {
    if (!document.body.classList.contains("sidebar-open")) return;
    if (event.target.closest("#sidebar, #toggle-sidebar")) return;
    toggleSidebar(false);
  });
  $(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    $("#main").focus();
  });
  // Opening a paper from the list remembers that "back" returns to the list.
  $("#results").addEventListener("click", (event) => {
    const link = event.target.closest("a.paper-title");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(link.getAttribute("href"), { state: { fromLibrary: true } });
  });
  $("#paper-view").addEventListener("click", (event) => {
    if (event.target.closest("a[data-back]")) {
      event.preventDefault();
      goToLibrary();
    }
  });
  document.addEventListener("keydown", onKeydown);
  events.addEventListener("library-changed", () => {
    // Redraw now when the list is on screen (an import behind its dialog), else on return.
    if (!$("#library-view").hidden) refresh();
    else libraryStale = true;
  });
  // The first page of papers does not wait for the areas and tags: the sidebar loads its
  // top level and most used tags beside it, and the views that list every area or tag load
  // them when they open. A library with members shows nothing of itself before sign-in.
  initSession()
    .then(() => {
      startLive();
      return startRouter(route);
    })
    .catch(showError);
}

init();
