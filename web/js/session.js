// Members of a shared library in the browser: the sign-in dialog, who is signed in (header),
// sign-out, a viewer's read-only pages, and the member's API tokens. While the library has no
// members (one person on loopback) none of this shows.

import { api, onUnauthorized } from "./api.js";
import { $, h, replaceChildren } from "./dom.js";
import { openDialog, showError, showInfo } from "./ui.js";

let state = { accounts: false, member: null };
let signingIn = null;
let signedInAt = -Infinity; // performance.now() of the last sign-in

/** May the signed-in member (or anyone, while accounts are off) change the library? */
export function canWrite() {
  return !state.accounts || Boolean(state.member && state.member.role !== "viewer");
}

/** The signed-in member's name in a shared library; null while accounts are off. */
export function memberName() {
  return state.accounts && state.member ? state.member.name : null;
}

/** Ask who is signed in; with accounts on and nobody signed in, resolves after sign-in. */
export async function initSession() {
  onUnauthorized(async (sentAt) => {
    if (!state.accounts) return null; // not ours: the server's own token (api.js asks for it)
    // Sent before a sign-in that has since succeeded (answered late): send it again. It once
    // opened the dialog a second time over a signed-in page.
    if (sentAt < signedInAt) return true;
    state.member = null;
    await signIn();
    return true;
  });
  state = await api("/api/session");
  showMember();
  if (state.accounts && !state.member) await signIn();
  // A viewer's paper view: the fields show what is saved but do not take changes.
  const paperView = $("#paper-view"); // the library page's (the table page has none)
  if (!paperView) return;
  new MutationObserver(() => {
    if (!canWrite()) markReadOnly(paperView);
  }).observe(paperView, { childList: true, subtree: true });
}

function markReadOnly(root) {
  for (const field of root.querySelectorAll("textarea, input:not([type=search])")) field.readOnly = true;
  for (const select of root.querySelectorAll("select")) select.disabled = true;
}

/** The sign-in dialog, until a sign-in succeeds (calls made meanwhile wait for it). */
function signIn() {
  if (!signingIn) {
    signingIn = new Promise((resolve) => askToSignIn(resolve)).finally(() => {
      signingIn = null;
    });
  }
  return signingIn;
}

function askToSignIn(done) {
  const name = h("input", { id: "signin-name", autocomplete: "username", required: true, maxlength: "100" });
  const password = h("input", {
    id: "signin-password", type: "password", autocomplete: "current-password", required: true,
  });
  const problem = h("p", { class: "form-error", role: "alert", id: "signin-error" });
  const form = h("form", { method: "dialog" },
    h("div", { class: "field" }, h("label", { for: "signin-name" }, "Name"), name),
    h("div", { class: "field" }, h("label", { for: "signin-password" }, "Password"), password),
    problem,
    h("p", { class: "hint" }, "A member without a password sets it now, with the first sign-in."),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, "Sign in")));
  const dialog = h("dialog", { id: "signin-dialog", "aria-labelledby": "signin-heading" },
    h("div", { class: "dialog-head" }, h("h2", { id: "signin-heading" }, "Sign in to this library")),
    form);
  dialog.addEventListener("cancel", (event) => event.preventDefault()); // the library needs it
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.textContent = "";
    try {
      state = await api("/api/session", {
        method: "POST", json: { name: name.value, password: password.value }, auth: false,
      });
    } catch (err) {
      problem.textContent = signInProblem(err);
      password.select();
      return;
    }
    signedInAt = performance.now();
    dialog.close();
    dialog.remove();
    showMember();
    done();
  });
  document.body.append(dialog);
  openDialog(dialog);
  name.focus();
}

function signInProblem(err) {
  if (err.status === 401) return "Wrong name or password.";
  if (err.status === 429) {
    const wait = err.details && err.details.retry_after;
    return wait ? `Too many wrong passwords: try again in ${wait} s.` : err.message;
  }
  return err.message;
}

async function signOut() {
  try {
    await api("/api/session", { method: "DELETE", auth: false });
  } catch (err) {
    showError(err);
    return;
  }
  location.reload(); // nothing of the library stays on screen
}

/** The header's member badge, sign-out and tokens buttons, and the page's role. */
function showMember() {
  document.body.dataset.role = state.accounts && state.member ? state.member.role : "";
  let box = $("#member-box");
  if (!box) {
    box = h("div", { id: "member-box", class: "member-box" });
    $(".topbar .actions").append(box);
  }
  if (!state.accounts || !state.member) {
    replaceChildren(box);
    box.hidden = true;
    return;
  }
  box.hidden = false;
  replaceChildren(box,
    h("span", { id: "member-name", class: "member-name", title: "Signed in" },
      state.member.name, " ", h("span", { class: "member-role" }, `(${state.member.role})`)),
    h("button", { type: "button", id: "open-tokens", class: "quiet", onclick: openTokens }, "Tokens"),
    h("button", { type: "button", id: "sign-out", class: "quiet", onclick: signOut }, "Sign out"));
}

// API tokens -------------------------------------------------------------------------------

function tokensDialog() {
  let dialog = $("#tokens-dialog");
  if (dialog) return dialog;
  const name = h("input", { id: "token-name", required: true, maxlength: "200", autocomplete: "off" });
  const write = h("input", { id: "token-write", type: "checkbox" });
  const form = h("form", { id: "token-form", class: "token-form" },
    h("div", { class: "field" }, h("label", { for: "token-name" }, "Token name"), name),
    h("label", { class: "check" }, write, " May change the library"),
    h("button", { type: "submit", class: "small primary" }, "Create token"));
  const created = h("div", { id: "token-created", class: "token-created", hidden: true });
  const list = h("ul", { id: "token-list", class: "token-list", "aria-label": "Your API tokens" });
  dialog = h("dialog", { id: "tokens-dialog", "aria-labelledby": "tokens-heading" },
    h("div", { class: "dialog-head" },
      h("h2", { id: "tokens-heading" }, "API tokens"),
      h("button", { type: "button", class: "quiet", "aria-label": "Close", onclick: () => dialog.close() }, "×")),
    h("p", { class: "hint" }, "For scripts: send 'Authorization: Bearer TOKEN'. A token acts as you; revoke it when done."),
    form, created, list);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const token = await api("/api/tokens", { method: "POST", json: { name: name.value, write: write.checked } });
      const secret = h("input", { id: "token-secret", readonly: true, value: token.token, "aria-label": "New token" });
      replaceChildren(created,
        h("p", {}, `Token “${token.name}” created. Copy it now: it is not shown again.`), secret);
      created.hidden = false;
      secret.select();
      form.reset();
      await listTokens(list);
    } catch (err) {
      showError(err);
    }
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    replaceChildren(created); // the secret is shown once
    created.hidden = true;
  });
  document.body.append(dialog);
  return dialog;
}

async function openTokens() {
  const dialog = tokensDialog();
  openDialog(dialog);
  await listTokens($("#token-list")).catch(showError);
}

async function listTokens(list) {
  const data = await api("/api/tokens");
  const when = (iso) => new Date(iso).toLocaleString();
  replaceChildren(list, data.items.length ? data.items.map((token) =>
    h("li", {},
      h("span", { class: "token-name" }, token.name),
      ` · ${token.write ? "read-write" : "read-only"} · created ${when(token.created_at)} `,
      h("button", {
        type: "button", class: "small danger", "aria-label": `Revoke ${token.name}`,
        onclick: () => revoke(token, list),
      }, "Revoke")))
    : h("li", { class: "empty" }, "No tokens yet."));
}

async function revoke(token, list) {
  try {
    await api(`/api/tokens/${token.id}`, { method: "DELETE" });
    showInfo(`Revoked ${token.name}.`);
    await listTokens(list);
  } catch (err) {
    showError(err);
  }
}
