// The "Research areas" dialog: create, rename, move (parent picker or drag and drop), describe, delete.

import { api, enc } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";
import { areaOptions, cache, ensureAreas, events, loadAreas, openDialog, showError, showInfo, subtreeIds } from "./ui.js";

let editing = null; // the area being edited, or null for a new one

function renderList() {
  const build = (nodes) => nodes.map((node) => {
    const button = h("button", {
      type: "button",
      class: "area-manage-item",
      draggable: "true",
      "aria-current": editing && editing.id === node.id ? "true" : null,
      onclick: () => edit(node.id),
    }, h("span", {}, node.name), h("span", { class: "count" }, String(node.paper_count)));
    button.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData("text/x-litreview-area", String(node.id));
      event.dataTransfer.effectAllowed = "move";
    });
    button.addEventListener("dragover", (event) => {
      if (event.dataTransfer.types.includes("text/x-litreview-area")) {
        event.preventDefault();
        button.classList.add("drop-target");
      }
    });
    button.addEventListener("dragleave", () => button.classList.remove("drop-target"));
    button.addEventListener("drop", (event) => {
      event.preventDefault();
      button.classList.remove("drop-target");
      const moved = Number(event.dataTransfer.getData("text/x-litreview-area"));
      if (moved && moved !== node.id) move(moved, node.id);
    });
    return h("li", {}, button, node.children && node.children.length ? h("ul", {}, build(node.children)) : null);
  });
  const root = h("li", { class: "drop-root" }, h("span", { class: "hint" }, "Drop here to make a top-level area"));
  root.addEventListener("dragover", (event) => event.preventDefault());
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    const moved = Number(event.dataTransfer.getData("text/x-litreview-area"));
    if (moved) move(moved, null);
  });
  const items = build(cache.areas);
  replaceChildren($("#areas-manage-list"), items.length ? items : h("li", { class: "empty" }, "No areas yet."), items.length ? root : null);
}

async function move(areaId, parentId) {
  if (parentId !== null && subtreeIds(areaId).has(parentId)) {
    showError("An area cannot move inside itself.");
    return;
  }
  try {
    await api(`/api/areas/${enc(areaId)}`, { method: "PATCH", json: { parent_id: parentId } });
    await loadAreas();
    showInfo("Area moved.");
  } catch (err) {
    showError(err);
  }
}

function edit(areaId) {
  editing = areaId === null ? null : cache.areaById.get(areaId) || null;
  const exclude = editing ? subtreeIds(editing.id) : new Set();
  replaceChildren($("#area-parent"), areaOptions({ exclude, emptyLabel: "(top level)" }));
  $("#area-form-heading").textContent = editing ? `Edit “${editing.name}”` : "New area";
  $("#area-name").value = editing ? editing.name : "";
  $("#area-parent").value = editing && editing.parent_id ? String(editing.parent_id) : "";
  $("#area-description-input").value = editing ? editing.description || "" : "";
  $("#area-save").textContent = editing ? "Save area" : "Create area";
  $("#area-delete").hidden = !editing;
  renderList();
  $("#area-name").focus();
}

export function openAreasDialog() {
  openDialog($("#areas-dialog"));
  edit(null);
  // The whole tree loads on first use: then the parent picker lists it (keeping the choice).
  ensureAreas().then(() => {
    const picker = $("#area-parent");
    const chosen = picker.value;
    replaceChildren(picker, areaOptions({ exclude: editing ? subtreeIds(editing.id) : new Set(), emptyLabel: "(top level)" }));
    picker.value = chosen;
  }).catch(showError);
}

export function initAreas() {
  $("#area-new").addEventListener("click", () => edit(null));
  $("#area-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const parent = $("#area-parent").value;
    const body = {
      name: $("#area-name").value.trim(),
      parent_id: parent ? Number(parent) : null,
      description: $("#area-description-input").value,
    };
    try {
      const saved = editing
        ? await api(`/api/areas/${enc(editing.id)}`, { method: "PATCH", json: body })
        : await api("/api/areas", { method: "POST", json: body });
      await loadAreas();
      showInfo(editing ? "Area saved." : `Area “${body.name}” created.`);
      edit(saved && saved.id ? saved.id : null);
    } catch (err) {
      showError(err);
    }
  });
  $("#area-delete").addEventListener("click", async () => {
    if (!editing) return;
    try {
      // The server says what would happen; an area with sub-areas needs a choice.
      const plan = await api(`/api/areas/${enc(editing.id)}/deletion`);
      let query = "";
      if (plan.sub_areas.length) {
        if (window.confirm(`${plan.if_lifted}\n\nOK: lift the sub-areas. Cancel: other choices.`)) {
          query = "?children=lift";
        } else if (window.confirm(`${plan.if_deleted}\n\nOK: delete the whole subtree.`)) {
          query = "?children=delete";
        } else return;
      } else if (!window.confirm(plan.if_lifted)) return;
      await api(`/api/areas/${enc(editing.id)}${query}`, { method: "DELETE" });
      await loadAreas();
      showInfo("Area deleted.");
      events.dispatchEvent(new Event("library-changed"));
      edit(null);
    } catch (err) {
      showError(err);
    }
  });
  events.addEventListener("areas", () => {
    if ($("#areas-dialog").open) renderList();
  });
}
