import { typesetMath } from "./math.js";

// Small DOM helpers. Library text is always inserted as text (createElement / textContent);
// only HTML the server has sanitised (annotation and area descriptions) goes through setSanitisedHtml.

/** Make an element: h("a", {href: "#", class: "x", onclick: fn}, "text", child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "value") el.value = value;
    else if (name === "checked" || name === "selected" || name === "disabled" || name === "hidden") {
      el[name] = Boolean(value);
    } else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of el. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * Run `redraw()`, which replaces what `container` shows, and keep the keyboard where it was: on
 * the same element if the redraw kept it (taken out of the page and put back, it lost the focus),
 * else on the one `findAgain(old, container)` names in its place. A redraw that moves the focus
 * itself (a part redrawn in place) is followed.
 */
export function keepingFocus(container, redraw, findAgain = sameNamed) {
  let focused = container.contains(document.activeElement) ? document.activeElement : null;
  const moved = (event) => { focused = event.target; };
  container.addEventListener("focusin", moved);
  try {
    redraw();
  } finally {
    container.removeEventListener("focusin", moved);
  }
  if (!focused || focused === document.activeElement) return;
  const again = focused.isConnected ? focused : findAgain(focused, container);
  if (again) again.focus({ preventScroll: true });
}

/** The element in `old`'s place in `container`: the same id, or the same tag and accessible name. */
function sameNamed(old, container) {
  const label = old.getAttribute("aria-label");
  if (old.id) return container.querySelector(`#${CSS.escape(old.id)}`);
  return label ? container.querySelector(`${old.tagName}[aria-label="${CSS.escape(label)}"]`) : null;
}

/** Put the server's sanitised HTML (annotation / description `html` fields) into el. */
export function setSanitisedHtml(el, html) {
  el.innerHTML = html || "";
  // Links in user text open outside the app and without a referrer.
  for (const link of el.querySelectorAll("a[href]")) {
    link.setAttribute("rel", "noopener noreferrer nofollow");
    link.setAttribute("target", "_blank");
  }
  typesetMath(el).catch((error) => console.error("math not typeset:", error));
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** A function that runs fn once calls have stopped for `wait` ms; .flush() runs it now, .cancel() drops it. */
export function debounce(fn, wait) {
  let timer = null;
  let lastArgs = [];
  const debounced = (...args) => {
    lastArgs = args;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...lastArgs);
    }, wait);
  };
  debounced.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  debounced.pending = () => timer !== null;
  debounced.flush = () => {
    if (timer === null) return undefined;
    clearTimeout(timer);
    timer = null;
    return fn(...lastArgs);
  };
  return debounced;
}

/** "Madry, Makelov, Schmidt et al." from the API's author list. */
export function formatAuthors(authors, max = 3) {
  if (!authors || authors.length === 0) return "";
  const names = authors.slice(0, max).map((a) => a.family || a.name);
  return authors.length > max ? `${names.join(", ")} et al.` : names.join(", ");
}

export const STATUS_LABELS = {
  unread: "Unread",
  to_read: "To read",
  skimmed: "Skimmed",
  read: "Read",
};

export const RELATION_LABELS = {
  cites: "cites",
  extends: "extends",
  critiques: "critiques",
  replicates: "replicates",
  responds_to: "responds to",
  related: "related to",
  corrects: "corrects",
  published_as: "published as",
  supersedes: "supersedes",
};

export const INCOMING_RELATION_LABELS = {
  cites: "cited by",
  extends: "extended by",
  critiques: "critiqued by",
  replicates: "replicated by",
  responds_to: "responded to by",
  related: "related to",
  corrects: "corrected by",
  published_as: "preprint of",
  supersedes: "superseded by",
};

/** Is the user typing in a field (so single-key shortcuts must not fire)? */
export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target.getAttribute("type") || "text").toLowerCase();
  return !["button", "checkbox", "radio", "submit", "reset", "file", "range", "color"].includes(type);
}

/** Split "a, b ,c" into ["a", "b", "c"]. */
export function splitList(text) {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago", "yesterday", from an ISO time. */
export function timeAgo(iso) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  if (seconds > -60) return "just now";
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    if (-seconds >= size || unit === "minute") return RELATIVE.format(Math.round(seconds / size), unit);
  }
  return "";
}

/** "edited by Ana, 3 minutes ago" (who changed something in a shared library, and when); "" when
 * nobody is named (a library without members). */
export function byLine(verb, name, iso) {
  return name ? `${verb} by ${name}${iso ? `, ${timeAgo(iso)}` : ""}` : "";
}
