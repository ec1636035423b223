// Moving between the app's pages (#/ library, #/paper/ID) with the history, and the leave guards
// that can stop a move: a view holding unsaved text registers one, and every in-app move that
// leaves the page shown asks the user first (window.confirm) while a guard reports something.
//
// Two kinds of move reach the router. Moves the app makes (navigate(), in-app links) ask before
// the address changes. Moves the browser makes (back / forward, an edited address) are seen only
// after the address changed: a refused one is undone with history.go(). For that every history
// entry of the app carries its `position` in the tab's history, so the router knows how far the
// browser went and in which direction. Whoever replaces an entry's state must keep the position.

import { showError } from "./ui.js";

const guards = new Set();
let render = null; // the app's route: (hash) => Promise, shows the page of a hash
let shown = { hash: "#/", position: 0 }; // the entry whose page is on screen

/** Register `guard`: () => a question to ask before leaving the page, or null. Returns its removal. */
export function addLeaveGuard(guard) {
  guards.add(guard);
  return () => guards.delete(guard);
}

/** Start routing: `route(hash)` shows a page; called now for the page of the address. */
export function startRouter(route) {
  render = route;
  const state = history.state || {};
  shown = { hash: currentHash(), position: Number.isInteger(state.position) ? state.position : 0 };
  if (state.position !== shown.position) history.replaceState({ ...state, position: shown.position }, "");
  window.addEventListener("hashchange", onHashChange);
  document.addEventListener("click", onLinkClick);
  return show();
}

/**
 * Go to `hash` as a new history entry with `state`; false when the user chose to stay.
 * `ask: false` leaves without asking (the page's data is gone anyway, e.g. its paper was deleted).
 */
export function navigate(hash, { state = {}, ask = true } = {}) {
  if (hash === currentHash()) return true;
  if (ask && !mayLeaveFor(hash)) return false;
  shown = { hash, position: shown.position + 1 };
  history.pushState({ ...state, position: shown.position }, "", hash);
  show();
  return true;
}

function show() {
  // Before the router starts there is nothing to redraw: startRouter shows the address then.
  return render ? render(shown.hash).catch(showError) : Promise.resolve();
}

function currentHash() {
  return location.hash || "#/";
}

/** The page of a hash: the hash without its query ("#/?q=x" and "#/" are the library). */
function pageOf(hash) {
  const query = hash.indexOf("?");
  return query < 0 ? hash : hash.slice(0, query);
}

/** Whether moving to `hash` may go ahead: the same page, nothing unsaved, or the user agrees. */
function mayLeaveFor(hash) {
  if (pageOf(hash) === pageOf(shown.hash)) return true;
  const questions = [...guards].map((guard) => guard()).filter(Boolean);
  return questions.length === 0 || window.confirm(questions.join("\n\n"));
}

/** The browser moved (back / forward, a plain link, an edited address): follow it, or undo it. */
function onHashChange() {
  const state = history.state || {};
  // An entry without a position is new: the browser just added it after the one shown.
  const position = Number.isInteger(state.position) ? state.position : shown.position + 1;
  if (position === shown.position) return; // back on the entry shown: a refused move undone
  const hash = currentHash();
  if (!mayLeaveFor(hash)) {
    history.go(shown.position - position);
    return;
  }
  shown = { hash, position };
  if (state.position !== position) history.replaceState({ ...state, position }, "");
  show();
}

/** In-app links go through navigate(), so a refused move never touches the address. */
function onLinkClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href^="#/"]');
  if (!link || link.target) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
}
