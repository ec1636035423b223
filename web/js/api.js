// The JSON API client: every call the UI makes goes through api(); errors become ApiError.

const TOKEN_KEY = "litreview.token";
const TOKEN_COOKIE = "litreview_token";

export class ApiError extends Error {
  constructor(status, message, details = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.details = details;
  }
}

// The token lives for this tab's session only (sessionStorage). A same-site cookie carries it
// on plain links (downloads) when the server guards reads; writes always send the header.
export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setToken(token) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch (err) {
    console.warn("cannot keep the token in sessionStorage", err);
  }
  const value = token ? encodeURIComponent(token) : "";
  const expiry = token ? "" : "; Max-Age=0";
  document.cookie = `${TOKEN_COOKIE}=${value}; Path=/; SameSite=Strict${secure}${expiry}`;
}

let asking = null;
const MAX_ASKS = 5;
let unauthorizedHandler = null;

/**
 * Who answers a 401 first (session.js: the sign-in of a library with members). The handler is
 * given the time the refused call was sent (performance.now()) and resolves true to send the
 * call again, or null to leave it to the server token's prompt.
 */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

async function answerUnauthorized(sentWith, refused, sentAt) {
  const answer = unauthorizedHandler ? await unauthorizedHandler(sentAt) : null;
  return answer === null ? askForToken(sentWith, refused) : answer;
}

/**
 * Ask the user for the server's token after `refused` (the answer to a call sent with the
 * token `sentWith`): once for all the calls refused together, and again, saying so, when the
 * token given was refused. True when there is a new token to retry with.
 */
function askForToken(sentWith, refused) {
  if (getToken() !== sentWith) return Promise.resolve(true); // another call was given one meanwhile
  if (!asking) {
    asking = refusalMessage(refused).then((reason) => {
      const question = sentWith
        ? `The token you gave was refused (${reason}).\n\nEnter this litreview server's access token (printed when it started):`
        : "This litreview server needs its access token (printed when it started):";
      const given = (window.prompt(question) || "").trim();
      if (given && given !== sentWith) setToken(given);
      return getToken() !== sentWith;
    });
    asking.finally(() => {
      asking = null;
    });
  }
  return asking;
}

async function refusalMessage(response) {
  try {
    const body = await response.clone().json();
    return (body && body.error && body.error.message) || "401";
  } catch {
    return "401";
  }
}

/**
 * Call the API. `json` is sent as a JSON body; `body` as is (FormData, text); `auth: false`
 * leaves a 401 to the caller (a sign-in's wrong password); `text: true` resolves to the body as text.
 * Resolves to the parsed JSON (or null), rejects with ApiError (AbortError passes through).
 * A 401 asks for the token (see askForToken) and retries until it is right or not given.
 */
export async function api(path, options = {}) {
  // Asked again while the answer is refused (a wrong token), a few times at most.
  for (let attempt = 1; ; attempt += 1) {
    const sentWith = getToken();
    const sentAt = performance.now();
    const response = await send(path, options);
    const retry =
      response.status === 401 &&
      options.auth !== false &&
      attempt <= MAX_ASKS &&
      (await answerUnauthorized(sentWith, response, sentAt));
    if (!retry) return read(response, options.text);
  }
}

/** GET `path` as api() would, without reading it (list_start.js); null when it failed. */
export function prefetch(path) {
  return send(path).catch(() => null);
}

async function send(path, { method = "GET", json, body, headers = {}, signal, keepalive } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, signal, keepalive };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const token = getToken();
  if (token) init.headers.Authorization = `Bearer ${utf8Bytes(token)}`;
  try {
    return await fetch(path, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, `Cannot reach the litreview server (${err && err.message ? err.message : err})`);
  } finally {
    if (method !== "GET") answeredWrites += 1;
  }
}

let answeredWrites = 0;

/**
 * How many of this page's writes (any method but GET) have been answered. A read begun before
 * one of them was answered may hold the state from before it, older than what the page shows.
 */
export function writesAnswered() {
  return answeredWrites;
}

// Header values are byte strings: send the token's UTF-8 bytes, as the server compares them.
function utf8Bytes(text) {
  return String.fromCharCode(...new TextEncoder().encode(text));
}

async function read(response, asText = false) {
  const text = await response.text();
  if (asText && response.ok) return text;
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
    if (response.status === 403 && !message) message = "refused by the server";
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

/**
 * Writes to one record, one after another. Each write bumps the record's version and the next
 * must send the new one, so two writes in flight at once meet a 409 of the page's own making.
 * `inTurn(key, step)` starts step once the previous step for the same key has settled (failed
 * or not) and returns step's promise; writes to other keys run alongside.
 */
export function writeQueue() {
  const last = new Map();
  return (key, step) => {
    const run = (last.get(key) || Promise.resolve()).then(() => step(), () => step());
    last.set(key, run);
    const forget = () => { if (last.get(key) === run) last.delete(key); };
    run.then(forget, forget);
    return run;
  };
}
