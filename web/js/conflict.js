// One way to resolve a stale save (409) everywhere (annotation, notes, paper fields): a dialog
// shows both versions side by side and the user keeps theirs or mine. Nothing is overwritten
// until they choose, and Escape does not dismiss the choice.

import { $ } from "./dom.js";

let queue = Promise.resolve();

/**
 * Ask which version to keep; resolves "mine" or "theirs". `what` names the thing ("annotation",
 * "note", "paper"), `version` the version saved elsewhere, `mine`/`theirs` the two texts.
 * Conflicts that come together are asked one after the other.
 */
export function chooseVersion({ what, version, mine, theirs, note = "" }) {
  const asked = queue.then(() => ask({ what, version, mine, theirs, note }));
  queue = asked.catch(() => undefined);
  return asked;
}

function ask({ what, version, mine, theirs, note }) {
  const dialog = $("#conflict-dialog");
  $("#conflict-heading").textContent = `This ${what} was changed elsewhere`;
  $("#conflict-explain").textContent =
    `Someone saved version ${version} of this ${what} while you were editing. ` +
    `Nothing has been overwritten. Choose which to keep${note ? ` (${note})` : ""}.`;
  $("#conflict-mine").value = mine;
  $("#conflict-theirs").value = theirs;
  return new Promise((resolve) => {
    const finish = (choice) => {
      dialog.oncancel = null;
      if (dialog.open) dialog.close();
      resolve(choice);
    };
    $("#conflict-keep-mine").onclick = () => finish("mine");
    $("#conflict-take-theirs").onclick = () => finish("theirs");
    dialog.oncancel = (event) => event.preventDefault();
    if (!dialog.open) dialog.showModal();
  });
}

/** A few fields as text for the dialog ("status: read"), one a line. */
export function describeFields(values) {
  return Object.entries(values).map(([key, value]) => `${key}: ${value ?? ""}`).join("\n");
}
