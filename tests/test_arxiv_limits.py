"""A hostile or broken arXiv endpoint is bounded: a total deadline per request (a feed dripping
bytes), a cap on the decompressed body (huge answers, gzip bombs), a cap on Retry-After.

A local HTTP server on 127.0.0.1 plays the endpoint; the fetcher's limits are lowered so that
every test ends in well under a second of waiting.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from litreview.importers.arxiv_fetch import ArxivFetcher, FetchStatus
from litreview.normalize import parse_arxiv_id

Answer = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def endpoint() -> Iterator[Callable[[Answer], str]]:
    """``endpoint(answer)``: the URL of a local server answering every GET with ``answer``."""
    servers: list[ThreadingHTTPServer] = []
    stop = threading.Event()

    def start(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                # the client giving up (closing the connection) is what the tests expect
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    answer(self)

            def log_message(self, format: str, *args: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        Handler.stop = stop  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{server.server_address[1]}/api/query"

    yield start
    stop.set()
    for server in servers:
        server.shutdown()
        server.server_close()


def _fetcher(url: str, http: httpx.Client, **limits: float) -> ArxivFetcher:
    options: dict[str, float] = {"delay": 0, "attempts": 2, "backoff": 0.01, **limits}
    return ArxivFetcher(http, api_url=url, **options)  # type: ignore[arg-type]


def _one(fetcher: ArxivFetcher) -> tuple[FetchStatus, str]:
    [result] = fetcher.fetch([parse_arxiv_id("2305.01610")])
    return result.status, result.message


def test_a_feed_dripping_bytes_stops_at_the_total_deadline(
    endpoint: Callable[[Answer], str],
) -> None:
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/atom+xml")
        handler.end_headers()
        for _ in range(200):
            if handler.stop.is_set():  # type: ignore[attr-defined]
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.05)

    url = endpoint(drip)
    with httpx.Client() as http:
        fetcher = _fetcher(url, http, deadline=0.3, timeout=5.0)
        started = time.monotonic()
        status, message = _one(fetcher)
        took = time.monotonic() - started
    assert status == FetchStatus.failed
    assert "took longer than 0.3 s" in message
    # two attempts of 0.3 s, nowhere near the 10 s the drip would take (a bound, not a timing)
    assert took < 5


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_body_over_the_cap_is_refused_without_reading_it_all(
    endpoint: Callable[[Answer], str], encoding: str
) -> None:
    size = 8 * 1024 * 1024
    zeros = gzip.compress(b"\0" * size, compresslevel=9) if encoding == "gzip" else None
    sent: list[int] = []

    def huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/atom+xml")
        if zeros is not None:
            handler.send_header("Content-Encoding", "gzip")
            handler.send_header("Content-Length", str(len(zeros)))
            handler.end_headers()
            handler.wfile.write(zeros)
            sent.append(len(zeros))
            return
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        chunk = b"<" * 65536
        for _ in range(size // len(chunk)):
            handler.wfile.write(chunk)
            sent.append(len(chunk))

    url = endpoint(huge)
    with httpx.Client() as http:
        status, message = _one(_fetcher(url, http, max_body_bytes=256 * 1024))
    assert status == FetchStatus.failed
    assert "larger than 262144 bytes" in message


def test_retry_after_over_the_cap_fails_at_once(endpoint: Callable[[Answer], str]) -> None:
    calls: list[float] = []

    def busy(handler: BaseHTTPRequestHandler) -> None:
        calls.append(time.monotonic())
        handler.send_response(503)
        handler.send_header("Retry-After", "100")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    url = endpoint(busy)
    slept: list[float] = []
    with httpx.Client() as http:
        fetcher = _fetcher(url, http, attempts=4)
        fetcher.sleep = slept.append
        status, message = _one(fetcher)
    assert status == FetchStatus.failed
    assert "asked to wait 100 s" in message
    assert len(calls) == 1 and slept == []  # no sleep of 100 s, no further attempt


def test_the_default_limits_are_bounded() -> None:
    with httpx.Client() as http:
        fetcher = ArxivFetcher(http, api_url="http://127.0.0.1:9/api/query")
    assert fetcher.deadline <= 60
    assert fetcher.max_wait <= 30
    assert fetcher.max_body_bytes <= 64 * 1024 * 1024
