// The library list's first page, asked for and drawn the moment the page starts: index.html
// runs this module on its own (async, its few imports preloaded first), so the request goes out
// beside the rest of the app's modules and /api/session instead of after them, and its rows
// show without waiting for them. library.js then takes that page for its first fetch of the same
// address; anything else (a paper page, a 401 before a sign-in, a failure, another filter)
// leaves it unused, and the app asks as usual.

import { prefetch, query } from "./api.js";
import { showCount, showRows } from "./list_rows.js";
import { queryFromSearch, queryParams } from "./query.js";

export const PAGE_SIZE = 50;
/** The most papers one answer of /api/papers holds (MAX_LIMIT in litreview/query.py, its owner;
 * tests/test_app.py checks that the two agree). */
export const MAX_PAGE_SIZE = 500;

/** The API address of `limit` papers of the list of `chosen` filters, from `offset`. */
export function pageUrl(chosen, offset = 0, limit = PAGE_SIZE) {
  return `/api/papers${query({ ...queryParams(chosen), limit, offset })}`;
}

// The page asked for at start (page: a promise of { data, drawn } or null), until taken;
// `wanted` turns false once the list asks for another page first (it is then never drawn).
const early = { url: null, page: null, wanted: true };

/** The early page (a promise of { data, drawn } or null) if `url` is the one asked for; once. */
export function takeFirstPage(url) {
  const page = early.url === url ? early.page : null;
  if (!page) early.wanted = false;
  early.page = null;
  return page;
}

/** The library route's query string ("?q=x"), or null for any other page of the app. */
function libraryQuery(hash) {
  if (hash === "" || hash === "#" || hash === "#/") return "";
  return hash.startsWith("#/?") ? hash.slice(2) : null;
}

async function firstPage(chosen, url) {
  const response = await prefetch(url);
  if (!response || !response.ok) return null;
  const data = await response.json();
  // Drawn now unless the app is up and drew something itself (then it will take `data`).
  const list = document.getElementById("results");
  const drawn = Boolean(early.wanted && list && !list.childElementCount && document.getElementById("load-more"));
  if (drawn) {
    showRows(data.items, true);
    showCount(chosen, data.items.length, data.total);
  }
  return { data, drawn };
}

const search = libraryQuery(location.hash);
if (search !== null) {
  const chosen = queryFromSearch(search);
  early.url = pageUrl(chosen);
  early.page = firstPage(chosen, early.url).catch(() => null);
}
