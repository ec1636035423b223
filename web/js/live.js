// Live updates: changes made elsewhere (another member, another tab, the CLI) arrive as the
// server-sent `library-changed` events of /api/events. Each one that moves the library's stamp
// becomes the page's own "library-changed" event (ui.js), marked `remote`, so the list and the
// open paper redraw as they do after an edit made here.

import { events } from "./ui.js";

let source = null;

/** Listen to /api/events for as long as the page is open (once signed in, when needed). */
export function startLive() {
  if (source || typeof EventSource === "undefined") return;
  let last = null; // the first event (and one after a reconnect) only tells the current stamp
  source = new EventSource("/api/events");
  source.addEventListener("library-changed", (message) => {
    let stamp;
    try {
      stamp = JSON.parse(message.data).stamp;
    } catch {
      stamp = message.data;
    }
    const seen = last;
    last = stamp;
    if (seen === null || seen === stamp) return;
    events.dispatchEvent(new CustomEvent("library-changed", { detail: { remote: true } }));
  });
  // The page is leaving: end the stream now rather than when the server notices.
  window.addEventListener("pagehide", () => source && source.close());
}
