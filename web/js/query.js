// The paper query of the API (GET /api/papers and GET /api/export take the same filters),
// declared once for the web UI: its filters, its order, and how they become parameters.
// The server's declaration is litreview/query.py; keep the names the same.

/** The filters (PaperFilter): which papers. `area` is an area id (or path). */
export const FILTER_KEYS = ["q", "tag", "area", "status", "year_min", "year_max", "has_annotation", "field"];
/** The order (PaperQuery adds these and the page: limit, offset). */
export const ORDER_KEYS = ["sort", "order", "sort_field"];
export const QUERY_KEYS = [...FILTER_KEYS, ...ORDER_KEYS];
/** The keys that repeat (every tag, every column condition "NAME:OP:VALUE" must hold). */
const LISTS = new Set(["tag", "field"]);

/** A query with nothing chosen. */
export function emptyQuery() {
  return Object.fromEntries(QUERY_KEYS.map((key) => [key, LISTS.has(key) ? [] : ""]));
}

/** The API parameters of `chosen` (`keys`: which of them), empty ones dropped. */
export function queryParams(chosen, keys = QUERY_KEYS) {
  const params = {};
  for (const key of keys) {
    const value = key === "q" ? String(chosen.q || "").trim() : chosen[key];
    if (Array.isArray(value) ? value.length : value !== "" && value != null) params[key] = value;
  }
  return params;
}

/** The query read from a query string ("?q=...&tag=a&tag=b"). */
export function queryFromSearch(search) {
  const params = new URLSearchParams(search);
  const next = emptyQuery();
  for (const key of QUERY_KEYS) next[key] = LISTS.has(key) ? params.getAll(key) : params.get(key) || "";
  return next;
}

/** True when `chosen` filters papers (an order alone does not). */
export function isFiltered(chosen) {
  return Object.keys(queryParams(chosen, FILTER_KEYS)).length > 0;
}
