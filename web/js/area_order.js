// Siblings in the sidebar's area tree put in order by hand: drag an area onto a sibling to take
// its place, or focus it and press Alt+↑ / Alt+↓. The order is the server's (PATCH position).

import { api, enc } from "./api.js";
import { refreshLookups, showError } from "./ui.js";

const TYPE = "text/x-litreview-sibling";
let dragged = null; // {id, parent} of the area being dragged (dragover cannot read the data)

async function moveTo(areaId, position) {
  try {
    await api(`/api/areas/${enc(areaId)}`, { method: "PATCH", json: { position } });
    await refreshLookups();
    const again = document.querySelector(`#area-tree .area-link[data-area-id="${areaId}"]`);
    if (again) again.focus();
  } catch (err) {
    showError(err);
  }
}

/** Make the area button of `node` (in list item `li`) reorderable among `siblings`. */
export function reorderable(li, node, siblings) {
  const button = li.querySelector(".area-link");
  if (!button) return li;
  const index = siblings.indexOf(node);
  const parent = node.parent_id ?? null;
  button.draggable = true;
  button.dataset.areaId = String(node.id);
  button.setAttribute("aria-keyshortcuts", "Alt+ArrowUp Alt+ArrowDown");
  button.title = "Drag onto a sibling to put it there (or Alt+↑ / Alt+↓)";
  button.addEventListener("dragstart", (event) => {
    dragged = { id: node.id, parent };
    event.dataTransfer.setData(TYPE, String(node.id));
    event.dataTransfer.effectAllowed = "move";
  });
  button.addEventListener("dragend", () => { dragged = null; });
  const accepts = () => dragged && dragged.parent === parent && dragged.id !== node.id;
  button.addEventListener("dragover", (event) => {
    if (!accepts()) return;
    event.preventDefault();
    button.classList.add("drop-target");
  });
  button.addEventListener("dragleave", () => button.classList.remove("drop-target"));
  button.addEventListener("drop", (event) => {
    button.classList.remove("drop-target");
    if (!accepts()) return;
    event.preventDefault();
    const id = dragged.id;
    dragged = null;
    moveTo(id, index);
  });
  button.addEventListener("keydown", (event) => {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    event.preventDefault();
    const next = index + (event.key === "ArrowUp" ? -1 : 1);
    if (next >= 0 && next < siblings.length) moveTo(node.id, next);
  });
  return li;
}
