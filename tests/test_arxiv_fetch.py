"""Batching, spacing, retries and per-id reports of the arXiv fetcher, against a local arXiv."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

import httpx
import pytest
from arxiv_server import FakeArxiv, Fault, fixture_entries, with_id, with_version

from litreview.importers.arxiv_fetch import ArxivFetcher, FetchResult, FetchStatus
from litreview.normalize import ArxivId, parse_arxiv_id

DELAY = 3.0


@dataclass
class FakeClock:
    """A clock that only moves when the fetcher sleeps: spacing is checked exactly, for free."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Rig:
    server: FakeArxiv
    clock: FakeClock
    starts: list[float]
    http: httpx.Client

    def fetcher(self, **options: object) -> ArxivFetcher:
        settings: dict[str, object] = {
            "api_url": self.server.url,
            "delay": DELAY,
            "clock": self.clock,
            "sleep": self.clock.sleep,
        }
        settings.update(options)
        return ArxivFetcher(self.http, **settings)  # type: ignore[arg-type]


@pytest.fixture
def template() -> str:
    """A recorded arXiv entry (kept under tests/data) that the tests copy under other ids."""
    return fixture_entries()[0]


@pytest.fixture
def rig(template: str) -> Iterator[Rig]:
    clock = FakeClock()
    starts: list[float] = []
    with (
        FakeArxiv.running() as server,
        httpx.Client(event_hooks={"request": [lambda _r: starts.append(clock())]}) as http,
    ):
        server.add_entries(fixture_entries())
        yield Rig(server, clock, starts, http)


def synthetic(server: FakeArxiv, template: str, count: int, month: str = "2301") -> list[ArxivId]:
    ids = [f"{month}.{n:05d}" for n in range(1, count + 1)]
    server.add_entries(with_id(template, i) for i in ids)
    return [ArxivId(i) for i in ids]


def by_id(results: list[FetchResult]) -> dict[str, FetchResult]:
    return {str(r.requested): r for r in results}


def test_many_ids_per_request_spaced_by_the_delay(rig: Rig, template: str) -> None:
    ids = synthetic(rig.server, template, 250)
    results = rig.fetcher().fetch(ids)
    assert [r.status for r in results] == [FetchStatus.found] * 250
    assert [r.record.arxiv_id for r in results if r.record] == [i.id for i in ids]
    assert [len(q.ids) for q in rig.server.requests] == [100, 100, 50]
    assert [q.max_results for q in rig.server.requests] == [100, 100, 50]
    gaps = [b - a for a, b in pairwise(rig.starts)]
    assert gaps and all(gap >= DELAY for gap in gaps)


def test_spacing_holds_across_calls(rig: Rig, template: str) -> None:
    ids = synthetic(rig.server, template, 3)
    fetcher = rig.fetcher()
    for wanted in ids:
        fetcher.fetch([wanted])
    gaps = [b - a for a, b in pairwise(rig.starts)]
    assert len(gaps) == 2 and all(gap >= DELAY for gap in gaps)
    assert fetcher.requests_made == 3


def test_user_agent_and_one_result_per_distinct_id_in_order(rig: Rig) -> None:
    asked = ["1111.2011", "math/0211159", "2301.99999", "1111.2011", "hep-ex/0406020v1"]
    results = rig.fetcher().fetch([parse_arxiv_id(t) for t in asked])
    assert [str(r.requested) for r in results] == [
        "1111.2011",
        "math/0211159",
        "2301.99999",
        "hep-ex/0406020v1",
    ]
    assert [r.status for r in results] == [
        FetchStatus.found,
        FetchStatus.found,
        FetchStatus.not_found,
        FetchStatus.found,
    ]
    assert "not found" in results[2].message and "2301.99999" in results[2].message
    assert len(rig.server.requests) == 1
    assert rig.server.requests[0].user_agent.startswith("litreview/")


def test_versions_asked_for_and_newest_otherwise(rig: Rig) -> None:
    entry = rig.server.entries["1111.2011"][2]
    rig.server.add_entry(with_version(entry, 3))
    results = by_id(
        rig.fetcher().fetch(
            [ArxivId("1111.2011"), ArxivId("1111.2011", 2), ArxivId("1111.2011", 7)]
        )
    )
    assert results["1111.2011"].record is not None
    assert results["1111.2011"].record.arxiv_version == 3
    assert results["1111.2011v2"].record is not None
    assert results["1111.2011v2"].record.arxiv_version == 2
    assert results["1111.2011v7"].status == FetchStatus.not_found


def test_503_then_success_backs_off_exponentially(rig: Rig) -> None:
    rig.server.inject(Fault(status=503), Fault(status=502))
    [result] = rig.fetcher(backoff=2.0).fetch([ArxivId("1111.2011")])
    assert result.status == FetchStatus.found
    assert [q.status for q in rig.server.requests] == [503, 502, 200]
    # Backoff 2 s (less than the 3 s spacing), then 4 s.
    assert [b - a for a, b in pairwise(rig.starts)] == [3.0, 4.0]


def test_429_honours_retry_after(rig: Rig) -> None:
    rig.server.inject(Fault(status=429, retry_after="17"))
    [result] = rig.fetcher(backoff=1.0).fetch([ArxivId("1111.2011")])
    assert result.status == FetchStatus.found
    assert rig.clock.sleeps[0] == 17
    assert rig.starts[1] - rig.starts[0] >= 17


def test_retry_after_beyond_the_limit_gives_up_at_once(rig: Rig) -> None:
    rig.server.inject(Fault(status=429, retry_after="3600"))
    [result] = rig.fetcher(max_wait=60).fetch([ArxivId("1111.2011")])
    assert result.status == FetchStatus.failed
    assert "3600" in result.message and "HTTP 429" in result.message
    assert len(rig.server.requests) == 1


def test_bounded_retries_then_every_id_fails_with_the_reason(rig: Rig, template: str) -> None:
    ids = synthetic(rig.server, template, 150)
    rig.server.inject(*[Fault(status=503)] * 10)
    results = rig.fetcher(attempts=3).fetch(ids)
    assert len(rig.server.requests) == 3  # the second batch is not sent to a failing arXiv
    assert {r.status for r in results} == {FetchStatus.failed}
    assert all("HTTP 503" in r.message and "3 attempt" in r.message for r in results)


def test_slow_answer_times_out_and_is_retried(template: str) -> None:
    with FakeArxiv.running() as server, httpx.Client() as http:
        ids = synthetic(server, template, 2)
        server.inject(Fault(delay=1.0))
        fetcher = ArxivFetcher(http, api_url=server.url, delay=0, timeout=0.2, backoff=0.01)
        results = fetcher.fetch(ids)
    assert [r.status for r in results] == [FetchStatus.found] * 2
    assert fetcher.requests_made == 2


def test_empty_page_that_should_not_be_empty_is_retried(rig: Rig) -> None:
    rig.server.inject(Fault(empty=True))
    [result] = rig.fetcher().fetch([ArxivId("1111.2011")])
    assert result.status == FetchStatus.found
    assert len(rig.server.requests) == 2


def test_garbage_body_is_retried(rig: Rig) -> None:
    rig.server.inject(Fault(body=b"<html>Rate exceeded."))
    [result] = rig.fetcher().fetch([ArxivId("1111.2011")])
    assert result.status == FetchStatus.found


def test_short_pages_are_followed(rig: Rig, template: str) -> None:
    ids = synthetic(rig.server, template, 100)
    rig.server.page_limit = 30
    results = rig.fetcher().fetch(ids)
    assert all(r.status == FetchStatus.found for r in results)
    assert [q.start for q in rig.server.requests] == [0, 30, 60, 90]


def test_error_feed_fails_only_the_id_it_names(rig: Rig, template: str) -> None:
    ids = synthetic(rig.server, template, 5)
    rig.server.inject(Fault(refuse="2301.00003"))
    results = by_id(rig.fetcher().fetch(ids))
    assert results["2301.00003"].status == FetchStatus.refused
    assert "incorrect id format for 2301.00003" in results["2301.00003"].message
    others = [r for k, r in results.items() if k != "2301.00003"]
    assert all(r.status == FetchStatus.found for r in others)
    assert rig.server.requests[1].ids == ["2301.00001", "2301.00002", "2301.00004", "2301.00005"]


def test_error_feed_naming_no_id_of_ours_splits_the_batch(rig: Rig, template: str) -> None:
    ids = synthetic(rig.server, template, 4)
    rig.server.inject(Fault(refuse="something-else"), Fault(refuse="again"))
    results = rig.fetcher().fetch(ids)
    statuses = {str(r.requested): r.status for r in results}
    # First half refused again (alone now it is blamed), second half fetched.
    assert [q.ids for q in rig.server.requests] == [
        [str(i) for i in ids],
        ["2301.00001", "2301.00002"],
        ["2301.00001"],
        ["2301.00002"],
        ["2301.00003", "2301.00004"],
    ]
    assert statuses == {
        "2301.00001": FetchStatus.found,
        "2301.00002": FetchStatus.found,
        "2301.00003": FetchStatus.found,
        "2301.00004": FetchStatus.found,
    }


def test_single_id_refused_by_arxiv_keeps_arxivs_message(rig: Rig) -> None:
    rig.server.inject(Fault(refuse="1111.2011"))
    [result] = rig.fetcher().fetch([ArxivId("1111.2011")])
    assert result.status == FetchStatus.refused
    assert result.message == "arXiv refused 1111.2011: incorrect id format for 1111.2011"


def test_connection_errors_are_retried(template: str) -> None:
    server = FakeArxiv()
    server.add_entry(template)
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        status, headers, body = server.answer(request.url.query.decode(), "")
        return httpx.Response(status, headers=headers, content=body)

    clock = FakeClock()
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        fetcher = ArxivFetcher(
            http, api_url="http://arxiv.test/api/query", clock=clock, sleep=clock.sleep
        )
        results = fetcher.fetch(ArxivId(i) for i in server.entries)
    assert [r.status for r in results] == [FetchStatus.found]
    assert len(calls) == 3


def test_unreachable_arxiv_fails_every_id_with_a_reason() -> None:
    clock = FakeClock()
    with httpx.Client() as http:
        fetcher = ArxivFetcher(
            http,
            api_url="http://127.0.0.1:9/api/query",
            attempts=2,
            clock=clock,
            sleep=clock.sleep,
        )
        results = fetcher.fetch([ArxivId("2301.00001"), ArxivId("2301.00002")])
    assert [r.status for r in results] == [FetchStatus.failed] * 2
    assert "connection failed" in results[0].message


def test_progress_is_reported_per_batch(rig: Rig, template: str) -> None:
    ids = synthetic(rig.server, template, 120)
    seen: list[tuple[int, int]] = []
    rig.fetcher(batch_size=50).fetch(ids, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(50, 120), (100, 120), (120, 120)]
