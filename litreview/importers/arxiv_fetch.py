"""Fetch arXiv records by id, batched and polite, with one outcome per id.

Many ids go in one request (``id_list``, at most 100), one request at a time, request starts at
least ``delay`` seconds apart (arXiv asks for 3). Faults are retried a bounded number of times
with exponential backoff: HTTP 429, 5xx, timeouts, broken connections, bodies that are not a
feed, and an empty page where the feed's own count says entries should be; ``Retry-After`` is
honoured up to ``max_wait`` (a longer one fails at once).
arXiv's error feed (HTTP 400) fails only the id it names; a 400 naming none is split
in halves until the culprit is alone. An id arXiv does not return is "not found". One bad id
never loses the others. Every request has a total deadline (a feed dripping a byte at a time
cannot hold the import, and the server's arXiv lock, for longer) and a cap on its decompressed
body (a huge answer or a gzip bomb is refused before it fills memory). The clock and sleep are
injected so tests can check spacing cheaply.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version

import httpx

from litreview.config import Settings
from litreview.errors import UpstreamError
from litreview.importers.arxiv import ArxivFeed, FeedError, parse_feed
from litreview.importers.records import PaperRecord
from litreview.normalize import ArxivId

MAX_BATCH = 100
# 100 entries with long abstracts are ~1 MB; far more is a broken or hostile endpoint.
MAX_BODY_BYTES = 32 * 1024 * 1024
Progress = Callable[[int, int], None]


def user_agent() -> str:
    """``litreview/<version>``, as arXiv asks API clients to name themselves."""
    try:
        number = version("litreview")
    except PackageNotFoundError:
        number = "0"
    return f"litreview/{number} (literature-review manager; python-httpx)"


class FetchStatus(StrEnum):
    found = "found"
    not_found = "not_found"
    refused = "refused"  # arXiv's error feed named the id
    failed = "failed"  # arXiv kept failing


@dataclass
class FetchResult:
    """What became of one requested id."""

    requested: ArxivId
    status: FetchStatus
    record: PaperRecord | None = None
    message: str = ""


@dataclass
class _Batch:
    ids: list[ArxivId]
    results: dict[ArxivId, FetchResult] = field(default_factory=dict)


class _Retry(Exception):
    """A transient fault: wait (at least ``after`` seconds) and ask again."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after


class _Refused(Exception):
    """HTTP 400 with arXiv's error feed."""

    def __init__(self, errors: list[FeedError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class ArxivFetcher:
    """Fetches arXiv entries through an injected ``httpx.Client``; safe to share between threads."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_url: str,
        delay: float = 3.0,
        batch_size: int = MAX_BATCH,
        attempts: int = 4,
        backoff: float = 2.0,
        max_wait: float = 30.0,
        timeout: float = 30.0,
        deadline: float = 60.0,
        max_body_bytes: int = MAX_BODY_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = http
        self.api_url = api_url
        self.delay = delay
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.deadline = deadline
        self.max_body_bytes = max_body_bytes
        self.clock = clock
        self.sleep = sleep
        self.requests_made = 0
        self._last_start: float | None = None
        self._lock = threading.Lock()

    def fetch(self, ids: Iterable[ArxivId], progress: Progress | None = None) -> list[FetchResult]:
        """One result per distinct id, in the order given."""
        wanted = list(dict.fromkeys(ids))
        results: dict[ArxivId, FetchResult] = {}
        failure: str | None = None
        for start in range(0, len(wanted), self.batch_size):
            chunk = wanted[start : start + self.batch_size]
            if failure is None:
                try:
                    results.update(self._fetch_batch(chunk))
                except UpstreamError as exc:
                    # arXiv is down: say so for every id left rather than hammer it further.
                    failure = exc.message
            if failure is not None:
                for i in chunk:
                    results.setdefault(i, FetchResult(i, FetchStatus.failed, None, failure))
            if progress is not None:
                progress(start + len(chunk), len(wanted))
        return [results[i] for i in wanted]

    def _fetch_batch(self, ids: list[ArxivId]) -> dict[ArxivId, FetchResult]:
        try:
            feed = self._fetch_all_pages(ids)
        except _Refused as refused:
            return self._after_refusal(ids, refused)
        return _match(ids, feed)

    def _after_refusal(self, ids: list[ArxivId], refused: _Refused) -> dict[ArxivId, FetchResult]:
        """Fail the ids arXiv refused, fetch the others (halving when it named none of ours)."""
        by_text = {str(i): i for i in ids}
        named = {by_text[e.refused_id]: e for e in refused.errors if e.refused_id in by_text}
        results = {
            i: FetchResult(i, FetchStatus.refused, None, f"arXiv refused {i}: {e.message}")
            for i, e in named.items()
        }
        rest = [i for i in ids if i not in named]
        if not named and len(ids) == 1:
            message = f"arXiv refused {ids[0]}: {refused}"
            return {ids[0]: FetchResult(ids[0], FetchStatus.refused, None, message)}
        halves = [rest] if named else [rest[: len(rest) // 2], rest[len(rest) // 2 :]]
        for half in halves:
            if half:
                results.update(self._fetch_batch(half))
        return results

    def _fetch_all_pages(self, ids: list[ArxivId]) -> ArxivFeed:
        """Every entry for ``ids``, asking for further pages when arXiv sent fewer than it has."""
        combined = ArxivFeed()
        position = 0
        while True:
            page = self._fetch_page(ids, start=position)
            combined.records.extend(page.records)
            combined.problems.extend(page.problems)
            position += page.entry_count
            if not page.entry_count or position >= min(page.total_results or 0, len(ids)):
                return combined

    def _fetch_page(self, ids: list[ArxivId], *, start: int) -> ArxivFeed:
        params = {
            "id_list": ",".join(str(i) for i in ids),
            "start": str(start),
            "max_results": str(len(ids) - start),
        }
        last = ""
        for attempt in range(self.attempts):
            try:
                return self._request(params, start)
            except _Retry as retry:
                last = retry.reason
                if attempt + 1 == self.attempts:
                    break
                wait = self.backoff * 2**attempt
                if retry.after is not None:
                    if retry.after > self.max_wait:
                        last = f"{retry.reason}; arXiv asked to wait {retry.after:g} s"
                        break
                    wait = max(wait, retry.after)
                self.sleep(min(wait, self.max_wait))
        raise UpstreamError(
            f"arXiv failed after {attempt + 1} attempt(s): {last}", attempts=attempt + 1
        )

    def _request(self, params: dict[str, str], start: int) -> ArxivFeed:
        with self._lock:
            self._wait_turn()
            try:
                response, body = self._download(params)
            except httpx.TimeoutException as exc:
                raise _Retry(f"timed out ({type(exc).__name__})") from exc
            except httpx.TransportError as exc:
                raise _Retry(f"connection failed ({type(exc).__name__}: {exc})") from exc
        return _read(response, body, start)

    def _download(self, params: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """The answer and its decoded body, within ``deadline`` seconds in all (not per read)
        and ``max_body_bytes`` after decompression (a gzip bomb stops at the cap)."""
        ends = time.monotonic() + self.deadline
        timeout = httpx.Timeout(min(self.timeout, self.deadline))
        headers = {"User-Agent": user_agent(), "Accept-Encoding": "gzip, deflate"}
        with self.http.stream(
            "GET", self.api_url, params=params, headers=headers, timeout=timeout
        ) as response:
            if response.is_stream_consumed:  # a transport that answered from memory
                body = _BoundedBody("", self.max_body_bytes)
                body.feed(response.content)
                return response, body.finish()
            body = _BoundedBody(response.headers.get("Content-Encoding", ""), self.max_body_bytes)
            for chunk in response.iter_raw():
                body.feed(chunk)
                if time.monotonic() > ends:
                    raise _Retry(f"the answer took longer than {self.deadline:g} s")
            return response, body.finish()

    def _wait_turn(self) -> None:
        now = self.clock()
        if self._last_start is not None:
            remaining = self._last_start + self.delay - now
            if remaining > 0:
                self.sleep(remaining)
                now = self.clock()
        self._last_start = now
        self.requests_made += 1


class _BoundedBody:
    """A response body decoded chunk by chunk, refused once it passes ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        name = encoding.strip().lower()
        if name not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise UpstreamError(f"arXiv answered in an unknown encoding {encoding!r}")
        # wbits 47: a gzip or zlib stream, told apart by its header
        self._inflate = zlib.decompressobj(47) if name not in ("", "identity") else None
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        if self._inflate is None:
            self._keep(chunk)
            return
        data = chunk
        while data:
            try:
                out = self._inflate.decompress(data, self._limit - self._size + 1)
            except zlib.error as exc:
                raise _Retry(f"the answer's compression is broken ({exc})") from exc
            self._keep(out)
            data = self._inflate.unconsumed_tail

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise UpstreamError(
                f"arXiv's answer is larger than {self._limit} bytes; refused",
                max_body_bytes=self._limit,
            )
        self._parts.append(data)

    def finish(self) -> bytes:
        return b"".join(self._parts)


def _read(response: httpx.Response, body: bytes, start: int) -> ArxivFeed:
    status = response.status_code
    if status == 429 or status >= 500:
        raise _Retry(f"HTTP {status}", _retry_after(response.headers.get("Retry-After")))
    if status == 400:
        try:
            feed = parse_feed(body)
        except UpstreamError as exc:
            raise UpstreamError(f"arXiv answered HTTP 400 without an error feed: {exc}") from exc
        raise _Refused(feed.errors or [FeedError("bad request")])
    if status != 200:
        raise UpstreamError(f"arXiv answered HTTP {status}", status_code=status)
    try:
        feed = parse_feed(body)
    except UpstreamError as exc:
        raise _Retry(exc.message) from exc
    if feed.total_results is None:
        raise _Retry("the answer had no result count")
    if feed.errors:
        raise _Refused(feed.errors)
    if not feed.entry_count and feed.total_results > start:
        raise _Retry(f"empty page at {start} of {feed.total_results} results")
    return feed


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date); None when absent/odd."""
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _match(ids: Sequence[ArxivId], feed: ArxivFeed) -> dict[ArxivId, FetchResult]:
    """Pair each requested id with the entry arXiv returned for it (newest when unversioned)."""
    by_id: dict[str, list[PaperRecord]] = {}
    for record in feed.records:
        if record.arxiv_id:
            by_id.setdefault(record.arxiv_id, []).append(record)
    results: dict[ArxivId, FetchResult] = {}
    for wanted in ids:
        candidates = [
            r
            for r in by_id.get(wanted.id, [])
            if wanted.version is None or r.arxiv_version == wanted.version
        ]
        if candidates:
            best = max(candidates, key=lambda r: r.arxiv_version or 0)
            results[wanted] = FetchResult(wanted, FetchStatus.found, best)
        else:
            # An entry of ours that could not be read says more than "not found".
            unusable = [str(p) for p in feed.problems if wanted.id in p.message]
            message = unusable[0] if unusable else f"not found: arXiv has no paper {wanted}"
            results[wanted] = FetchResult(wanted, FetchStatus.not_found, None, message)
    return results


def fetcher_for(settings: Settings, http: httpx.Client) -> ArxivFetcher:
    """A fetcher with the endpoint and spacing of ``settings`` (LITREVIEW_ARXIV_*)."""
    return ArxivFetcher(http, api_url=settings.arxiv_api_url, delay=settings.arxiv_delay)
