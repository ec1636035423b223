// The JSON API client: every call the UI makes goes through api(); errors become ApiError.

const TOKEN_KEY = "litreview.token";

export class ApiError extends Error {
  constructor(status, message, details = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.details = details;
  }
}

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch (err) {
    console.warn("cannot keep the token in localStorage", err);
  }
}

/**
 * Call the API. `json` is sent as a JSON body; `body` as is (FormData, text).
 * Resolves to the parsed JSON (or null), rejects with ApiError (AbortError passes through).
 */
export async function api(path, { method = "GET", json, body, headers = {}, signal, keepalive } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, signal, keepalive };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const token = getToken();
  if (token && method !== "GET") init.headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, `Cannot reach the litreview server (${err && err.message ? err.message : err})`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data && typeof data === "object" && data.error ? data.error : {};
    let message = error.message || `${response.status} ${response.statusText || "error"}`;
    if (response.status === 401) message += " — set the API token in Settings (⚙).";
    throw new ApiError(response.status, message, error);
  }
  return data;
}

/** A query string from an object; arrays repeat the key, empty values are left out. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => search.append(key, v));
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const enc = encodeURIComponent;
