"""A local stand-in for the arXiv API, on 127.0.0.1, for tests, browser tests and benchmarks.

It answers ``GET /api/query?id_list=...&start=...&max_results=...`` with an Atom feed in arXiv's
2026 format whose entries are real corpus entries (legacy or 2026; their text is served as
recorded) registered by id. Like arXiv it drops ids it does not know, answers a malformed id
with the HTTP 400 error feed, and pages with ``start``/``max_results``. Faults can be queued:
each request takes the next one (503s, 429 with Retry-After, slow answers, empty pages, 400s).

    with FakeArxiv.running() as arxiv:
        arxiv.add_corpus()                      # every entry of ../shared/corpus/arxiv
        arxiv.add_entry(with_version(entry, 3)) # a newer version of a paper
        arxiv.inject(Fault(status=503), Fault(status=429, retry_after="1"))
        client = ArxivFetcher(httpx.Client(), api_url=arxiv.url, delay=0.01)
        ...
    # or without a socket: httpx.Client(transport=FakeArxiv().transport())
        arxiv.requests                          # what was asked, when, and the answer's status

``arxiv.url`` is the query endpoint to put in ``LITREVIEW_ARXIV_API_URL``.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import httpx

REPO = Path(__file__).resolve().parent.parent
_ENTRY_RE = re.compile(r"<entry>.*?</entry>", re.DOTALL)
_ENTRY_ID_RE = re.compile(r"<id>\s*https?://arxiv\.org/abs/(?P<id>\S+?)v(?P<version>\d+)\s*</id>")
# What arXiv's API accepts as an id (a looser check than litreview's own parser).
_WELL_FORMED = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")


def corpus_dir() -> Path:
    """``$LITREVIEW_CORPUS`` or ``<repo>/../shared/corpus``."""
    return Path(os.environ.get("LITREVIEW_CORPUS", REPO.parent / "shared" / "corpus"))


def corpus_entries(directory: Path | None = None) -> list[str]:
    """The text of every ``<entry>`` of the arXiv corpus responses (error entries left out)."""
    folder = (directory or corpus_dir()) / "arxiv"
    entries: list[str] = []
    for path in sorted(folder.glob("*.xml")):
        text = path.read_bytes().decode("utf-8")
        entries.extend(e for e in _ENTRY_RE.findall(text) if "/api/errors" not in e)
    return entries


def fixture_entries() -> list[str]:
    """The few recorded entries kept under tests/data (the browser tests' papers), so that
    tests not about the corpus run without it."""
    text = (Path(__file__).resolve().parent / "data" / "arxiv_entries.xml").read_text("utf-8")
    return _ENTRY_RE.findall(text)


def entry_id(entry: str) -> tuple[str, int]:
    """The (id without version, version) an entry's ``<id>`` names."""
    match = _ENTRY_ID_RE.search(entry)
    if match is None:
        raise ValueError("entry without an arXiv abs id")
    return match.group("id"), int(match.group("version"))


def with_version(entry: str, version: int, **replace: str) -> str:
    """A copy of ``entry`` as version ``version``; ``replace`` maps old text to new text."""
    arxiv_id, old = entry_id(entry)
    text = entry.replace(f"{arxiv_id}v{old}", f"{arxiv_id}v{version}")
    for before, after in replace.items():
        text = text.replace(before, after)
    return text


def with_id(entry: str, new_id: str, version: int = 1) -> str:
    """A copy of ``entry`` standing for another paper (for synthetic ids in bulk tests)."""
    arxiv_id, old = entry_id(entry)
    return entry.replace(f"{arxiv_id}v{old}", f"{new_id}v{version}")


@dataclass
class Fault:
    """What to do to one request instead of (or before) answering it normally.

    ``status``: answer with this HTTP status (and ``retry_after`` as Retry-After) and no feed;
    ``delay``: sleep this long first, then answer normally (or with ``status``);
    ``empty``: answer 200 with no entries but a totalResults saying there should be some;
    ``refuse``: answer HTTP 400 with arXiv's error feed naming this id text;
    ``body``: answer 200 with this body as is.
    """

    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    empty: bool = False
    refuse: str | None = None
    body: bytes | None = None


@dataclass
class Request:
    """One request the server received."""

    time: float
    ids: list[str]
    start: int
    max_results: int
    status: int
    user_agent: str


@dataclass
class FakeArxiv:
    """The state of the stand-in: registered entries, queued faults, requests seen."""

    entries: dict[str, dict[int, str]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    page_limit: int | None = None  # answer at most this many entries per page
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_entry(self, entry: str) -> str:
        """Register one entry (text of an Atom ``<entry>``); returns its id without version."""
        arxiv_id, version = entry_id(entry)
        with self._lock:
            self.entries.setdefault(arxiv_id, {})[version] = entry
        return arxiv_id

    def add_entries(self, entries: Iterable[str]) -> list[str]:
        return [self.add_entry(e) for e in entries]

    def add_corpus(self, directory: Path | None = None) -> list[str]:
        """Register every entry of the corpus responses; returns their ids."""
        return self.add_entries(corpus_entries(directory))

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each following request takes the next one."""
        with self._lock:
            self.faults.extend(faults)

    def transport(self) -> httpx.MockTransport:
        """The same answers without a socket, for ``httpx.Client(transport=...)``."""

        def handle(request: httpx.Request) -> httpx.Response:
            ua = request.headers.get("User-Agent", "")
            status, headers, body = self.answer(request.url.query.decode(), ua)
            return httpx.Response(status, headers=headers, content=body)

        return httpx.MockTransport(handle)

    @classmethod
    @contextmanager
    def running(cls, server: FakeArxiv | None = None) -> Iterator[FakeArxiv]:
        """Serve ``server`` (or a new empty one) on a free port of 127.0.0.1 until exit."""
        state = server or cls()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
        httpd.daemon_threads = True
        state.url = f"http://127.0.0.1:{httpd.server_address[1]}/api/query"
        thread = threading.Thread(
            target=httpd.serve_forever, args=(0.05,), name="fake-arxiv", daemon=True
        )
        thread.start()
        try:
            yield state
        finally:
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)

    # Answering ---------------------------------------------------------------------------

    def answer(self, query: str, user_agent: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one query string (also usable without a socket)."""
        params = parse_qs(query, keep_blank_values=True)
        ids = [i for i in params.get("id_list", [""])[0].split(",") if i]
        start = int(params.get("start", ["0"])[0] or 0)
        max_results = int(params.get("max_results", ["10"])[0] or 10)
        with self._lock:
            fault = self.faults.pop(0) if self.faults else Fault()
        if fault.delay:
            time.sleep(fault.delay)
        status, headers, body = self._answer(fault, ids, start, max_results)
        with self._lock:
            self.requests.append(
                Request(time.monotonic(), ids, start, max_results, status, user_agent)
            )
        return status, headers, body

    def _answer(
        self, fault: Fault, ids: list[str], start: int, max_results: int
    ) -> tuple[int, dict[str, str], bytes]:
        atom = {"Content-Type": "application/atom+xml; charset=utf-8"}
        if fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return fault.status, headers, f"HTTP {fault.status}\n".encode()
        if fault.body is not None:
            return 200, atom, fault.body
        bad = fault.refuse or next((i for i in ids if not _WELL_FORMED.match(i)), None)
        if bad is not None:
            return 400, atom, error_feed(bad).encode()
        found = [e for e in (self._lookup(i) for i in ids) if e is not None]
        page = found[start : start + max_results]
        if self.page_limit is not None:
            page = page[: self.page_limit]
        if fault.empty:
            page = []
        return 200, atom, feed(page, ids, total=len(found), start=start).encode()

    def _lookup(self, text: str) -> str | None:
        match = re.fullmatch(r"(?P<id>.+?)(?:v(?P<version>\d+))?", text)
        assert match is not None
        arxiv_id = re.sub(r"\.[A-Z]{2}/", "/", match.group("id"))
        with self._lock:
            versions = self.entries.get(arxiv_id, {})
            if not versions:
                return None
            wanted = int(match.group("version") or max(versions))
            return versions.get(wanted)


def feed(entries: list[str], ids: list[str], *, total: int, start: int) -> str:
    """An id_list answer in arXiv's 2026 format around ``entries``."""
    query = escape(f"search_query=&id_list={','.join(ids)}&start={start}&max_results=100")
    body = "\n  ".join(entries)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/local</id>\n"
        f"  <title>arXiv Query: {query}</title>\n"
        "  <updated>2026-04-12T22:10:20Z</updated>\n"
        f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        f"  {body}\n"
        "</feed>\n"
    )


def error_feed(bad_id: str) -> str:
    """arXiv's answer to a malformed id (served with HTTP 400), as recorded in the corpus."""
    text = escape(bad_id)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
        "  <updated>2026-04-12T22:59:06Z</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        "  <entry>\n"
        f"    <id>https://arxiv.org/api/errors#incorrect_id_format_for_{text}</id>\n"
        "    <title>Error</title>\n    <updated>2026-04-12T22:59:06Z</updated>\n"
        f"    <summary>incorrect id format for {text}</summary>\n"
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
        "  </entry>\n</feed>\n"
    )


def _handler_for(state: FakeArxiv) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/api/query":
                self._send(404, {}, b"not found\n")
                return
            status, headers, body = state.answer(parts.query, self.headers.get("User-Agent", ""))
            self._send(status, headers, body)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (a timeout test); nothing to tell it

        def log_message(self, format: str, *args: object) -> None:
            return  # keep test output quiet

    return Handler
