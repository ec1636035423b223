"""Benchmark: search and list latency of the JSON API on a 100,000-paper library.

    python bench/api_latency.py [--papers 100000] [--db PATH] [--runs 100] [--writes 200]
                                [--writes-only] [--served]

Builds (once; an existing file at --db with enough papers is reused) a library from the real
Alignment Newsletter database (../shared/corpus/annotated): its 1,889 entries repeated with varied
titles, years, statuses, ratings, tags, areas and annotations, stored in bulk through
``library.papers.import_records``. Then, for a mix of full-text searches and filtered lists, it
times three things in the same process, each query ``--runs`` times:

- ``search``: ``library.search.search_paper_ids`` (the page of ids and the total), against
  ``search raw``: the very SQL statements it ran (captured), replayed through Python's
  ``sqlite3`` on a plain connection: the floor of what the search does, so ``ratio`` is the
  cost of the library over its SQL;
- ``api``: the whole request through the ASGI app in-process (``TestClient``): parameter
  validation, search, loading the page of 50 papers, response model, JSON;
- ``lib``: what the route does without HTTP: search + ``load_paper_summaries`` + ``PaperPublic``
  + JSON;
- ``page raw``: every SQL statement ``lib`` ran, replayed through the same driver with no ORM and
  no Python objects built; the floor any implementation pays.

Then every keystroke of search as you type through the API (one- and two-letter prefixes
included), and creating, updating and annotating one paper by hand (``--writes`` times each;
``--writes-only`` measures only these; ``--served`` also the lists and these through
``litreview serve`` over HTTP on 127.0.0.1, without the test client's hand-offs between threads).

It prints p50/p95 per query and the ratios. Targets: search p95 <= 20 ms (typical), <= 40 ms
(the commonest word); every keystroke <= 100 ms p95 or a "keep typing" answer; one paper
created, updated, annotated <= 10 ms p95.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from served import start_server, stop_server, tree_cpu_seconds
from sqlmodel import Session

from litreview.api.schemas import PaperList, PaperPublic
from litreview.app import create_app
from litreview.config import Settings, sqlite_url
from litreview.db import make_engine, upgrade
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.papers import import_records
from litreview.library.search import PaperQuery, search_paper_ids
from litreview.library.views import load_paper_summaries
from litreview.models import ReadingStatus, SourceKind
from litreview.normalize import split_display_name

CORPUS = (
    Path(
        os.environ.get(
            "LITREVIEW_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"
        )
    )
    / "annotated"
    / "alignment_newsletter_database.csv"
)
VARIANTS = [
    "revisited",
    "at scale",
    "a replication",
    "in practice",
    "under distribution shift",
    "for language models",
    "with human feedback",
    "a survey",
    "in the limit",
    "an empirical study",
    "without supervision",
    "for robotics",
]
BATCH = 5000
# Untimed runs before a query is timed (warm page caches).
WARM_UP = 3


def corpus_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["Title"].strip()]


def _people(text: str) -> list[AuthorRecord]:
    people = []
    for part in text.replace(" and ", ", ").split(","):
        name = part.strip().strip("*").strip()
        if name:
            split = split_display_name(name)
            people.append(AuthorRecord(name=split.display, family=split.family, given=split.given))
    return people[:20]


def make_record(row: dict[str, str], copy: int, rng: random.Random) -> PaperRecord:
    """One paper made from a corpus row; copy 0 keeps the real title, later copies vary it."""
    title = " ".join(row["Title"].split())[:150]
    if copy:
        title = f"{title}: {rng.choice(VARIANTS)} {copy}"
    summary = row["Summary"].strip()
    opinion = row["My opinion"].strip()
    annotation = opinion if rng.random() < 0.6 else ""
    if annotation and copy:
        annotation = f"{annotation}\n\n(Reading {copy}: {rng.choice(VARIANTS)}.)"
    tags = [row["Category"].strip() or "Uncategorised"]
    if row["Highlight?"].strip():
        tags.append("highlight")
    tags.append(f"batch-{copy % 20}")
    return PaperRecord(
        title=title,
        source=SourceKind.manual,
        source_detail="alignment newsletter (bench)",
        authors=_people(row["Authors"]),
        abstract=summary or None,
        year=rng.randint(1995, 2024),
        venue=row["Venue"].strip() or None,
        url=row["Title URL"].strip() or None,
        tags=tags,
        annotation=annotation or None,
    )


def build_library(engine: sa.Engine, target: int) -> float:
    """Fill an empty library with ``target`` papers; seconds taken."""
    rows = corpus_rows(CORPUS)
    rng = random.Random(20240601)
    start = time.perf_counter()
    made = 0
    copy = 0
    statuses = list(ReadingStatus)
    while made < target:
        by_area: dict[str, list[PaperRecord]] = {}
        for row in rows[: target - made]:
            area = f"Alignment/{row['Category'].strip() or 'Uncategorised'}"
            by_area.setdefault(area, []).append(make_record(row, copy, rng))
        with Session(engine) as session:
            for area, records in sorted(by_area.items()):
                for start_at in range(0, len(records), BATCH):
                    import_records(session, records[start_at : start_at + BATCH], area_path=area)
            session.commit()
        made += sum(len(r) for r in by_area.values())
        copy += 1
        print(f"\r  {made:,} papers", end="", file=sys.stderr, flush=True)
    with engine.begin() as conn:  # user-owned fields an import never sets
        for status in statuses:
            conn.execute(
                sa.text("UPDATE paper SET status = :s WHERE id % 4 = :i"),
                {"s": status.value, "i": statuses.index(status)},
            )
        conn.execute(sa.text("UPDATE paper SET rating = id % 6 WHERE id % 3 = 0"))
    print(file=sys.stderr)
    return time.perf_counter() - start


def count_papers(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM paper")).scalar_one())


# Queries ---------------------------------------------------------------------------------------

SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("q=reward", {"q": "reward"}),
    ("q=learning (very common)", {"q": "learning"}),
    ("q=inverse reinforcement learning", {"q": "inverse reinforcement learning"}),
    ("q=adversar (prefix)", {"q": "adversar"}),
    ("q=Goodhart (rare)", {"q": "Goodhart"}),
    ("q=Christiano (author)", {"q": "Christiano"}),
    ('q=hostile "(AI: -x* NEAR', {"q": '"(AI: -x* NEAR'}),
    ("q=reward&tag=highlight", {"q": "reward", "tag": ["highlight"]}),
    ("q=reward&year 2015-2020", {"q": "reward", "year_min": 2015, "year_max": 2020}),
    ("q=learning&sort=year", {"q": "learning", "sort": "year"}),
    ("q=model&sort=title&offset=500", {"q": "model", "sort": "title", "offset": 500}),
]
LISTS: list[tuple[str, dict[str, Any]]] = [
    ("all, newest first", {}),
    ("tag=highlight", {"tag": ["highlight"]}),
    ("tag=Forecasting&tag=batch-3", {"tag": ["Forecasting", "batch-3"]}),
    ("area=Alignment (subtree)", {"area_path": "Alignment"}),
    ("area=Alignment/Forecasting", {"area_path": "Alignment/Forecasting"}),
    ("status=read&year 2010-2012", {"status": "read", "year_min": 2010, "year_max": 2012}),
    ("author=Shah", {"author": "Shah"}),
    ("has_annotation&sort=rating", {"has_annotation": True, "sort": "rating"}),
    ("sort=title", {"sort": "title"}),
    ("sort=year asc", {"sort": "year", "order": "asc"}),
    ("offset=50000", {"offset": 50000}),
]


def to_query(params: dict[str, Any]) -> PaperQuery:
    return PaperQuery.model_validate(params)


def lib_call(engine: sa.Engine, params: dict[str, Any]) -> Callable[[], int]:
    def run() -> int:
        with Session(engine) as session:
            ids, total = search_paper_ids(session, to_query(params))
            views = load_paper_summaries(session, ids)
            page = PaperList(items=[PaperPublic.from_view(v) for v in views], total=total)
            return len(page.model_dump_json())

    return run


def api_call(client: httpx.Client, params: dict[str, Any]) -> Callable[[], int]:
    def run() -> int:
        response = client.get("/api/papers", params=params)
        if response.status_code == 422 and "time_limit_ms" in response.json()["error"]:
            return 0  # "too broad, keep typing": answered within the time limit
        assert response.status_code == 200, response.text
        return len(response.json()["items"])

    return run


@dataclass
class Statement:
    sql: str
    params: Any
    start: float
    end: float = 0.0


@contextmanager
def captured(engine: sa.Engine) -> Iterator[list[Statement]]:
    """Every SQL statement (with its parameters and when it ran) the engine runs inside the
    block, in whatever thread."""
    statements: list[Statement] = []

    def before(conn: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        conn.info["bench_statement"] = statement = Statement(sql, params, time.perf_counter())
        statements.append(statement)

    def after(conn: Any, *_: Any) -> None:
        conn.info.pop("bench_statement").end = time.perf_counter()

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def raw_call(path: str, statements: list[Statement]) -> Callable[[], int]:
    """Replay the statements, in order, on a plain ``sqlite3`` connection."""
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA cache_size=-65536")

    def run() -> int:
        return sum(len(conn.execute(s.sql, s.params).fetchall()) for s in statements)

    return run


def timings(fn: Callable[[], int], runs: int) -> list[float]:
    for _ in range(WARM_UP):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Row:
    name: str
    total: int
    search_raw: list[float]
    search: list[float]
    raw: list[float]
    lib: list[float]
    api: list[float]
    api_cpu: float  # ms of this process's CPU (client, server, worker threads) a request


def search_call(engine: sa.Engine, params: dict[str, Any]) -> Callable[[], int]:
    def run() -> int:
        with Session(engine) as session:
            return len(search_paper_ids(session, to_query(params))[0])

    return run


def measure(
    name: str,
    params: dict[str, Any],
    engine: sa.Engine,
    client: TestClient,
    db_path: str,
    runs: int,
) -> Row:
    find, lib = search_call(engine, params), lib_call(engine, params)
    with captured(engine) as search_sql:
        find()
    with captured(engine) as all_sql:
        lib()
    with Session(engine) as session:
        total = search_paper_ids(session, to_query(params))[1]
    began = time.process_time()
    api = timings(api_call(client, params), runs)
    api_cpu = (time.process_time() - began) * 1000 / (runs + WARM_UP)
    return Row(
        name,
        total,
        timings(raw_call(db_path, search_sql), runs),
        timings(find, runs),
        timings(raw_call(db_path, all_sql), runs),
        timings(lib, runs),
        api,
        api_cpu,
    )


def run_suite(
    title: str,
    queries: list[tuple[str, dict[str, Any]]],
    engine: sa.Engine,
    client: TestClient,
    db_path: str,
    runs: int,
) -> list[Row]:
    print(f"\n{title} (ms, p50/p95)")
    print(
        f"{'query':32} {'search raw':>13} {'search':>13} {'ratio':>5} |"
        f" {'page raw':>13} {'lib':>13} {'api':>13} {'cpu':>5} {'api/raw':>7} {'matches':>7}"
    )
    rows = []
    for name, params in queries:
        r = measure(name, params, engine, client, db_path, runs)
        rows.append(r)

        def both(values: list[float]) -> str:
            return f"{p(values, 0.5):6.2f}/{p(values, 0.95):6.2f}"

        print(
            f"{name[:32]:32} {both(r.search_raw)} {both(r.search)}"
            f" {p(r.search, 0.5) / p(r.search_raw, 0.5):5.2f} |"
            f" {both(r.raw)} {both(r.lib)} {both(r.api)} {r.api_cpu:5.2f}"
            f" {p(r.api, 0.5) / p(r.raw, 0.5):7.2f} {r.total:7,}"
        )
    return rows


def summary(label: str, rows: list[Row]) -> None:
    search_ratio = [p(r.search, 0.5) / p(r.search_raw, 0.5) for r in rows]
    # What answering a page costs above finding its ids: loading, shaping, sending 50 papers.
    page = [p(r.api, 0.5) - p(r.search, 0.5) for r in rows]
    print(
        f"{label}: search p95 worst {max(p(r.search, 0.95) for r in rows):.2f} ms,"
        f" api p95 worst {max(p(r.api, 0.95) for r in rows):.2f} ms,"
        f" api p95 median {statistics.median(p(r.api, 0.95) for r in rows):.2f} ms;"
        f" search/raw ratio median {statistics.median(search_ratio):.2f},"
        f" worst {max(search_ratio):.2f}; api - search p50 median"
        f" {statistics.median(page):.2f} ms, worst {max(page):.2f};"
        f" api CPU median {statistics.median(r.api_cpu for r in rows):.2f} ms"
    )


# Search as you type: every prefix of what is typed, as the UI sends it (one- and two-letter
# prefixes included); each answers a page or, past the time limit, 422 "keep typing".
TYPED = ["reinforcement learning", "adversarial robustness", "the", "a"]


def keystrokes(client: TestClient, runs: int) -> None:
    print("\nsearch as you type, through the API (ms, p50/p95; 'keep typing' = 422 answers)")
    worst = 0.0
    full_collections = gc.get_stats()[2]["collections"]
    for text in TYPED:
        for end in range(1, len(text) + 1):
            prefix = text[:end]
            if prefix.endswith(" "):
                continue
            times, broad = [], 0
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get("/api/papers", params={"q": prefix, "limit": 50})
                times.append((time.perf_counter() - start) * 1000)
                if response.status_code == 422:
                    broad += 1
                else:
                    assert response.status_code == 200, response.text
            worst = max(worst, p(times, 0.95))
            note = f"  keep typing {broad}/{runs}" if broad else ""
            print(f"  {prefix!r:28} {p(times, 0.5):6.2f}/{p(times, 0.95):6.2f}{note}")
    full_collections = gc.get_stats()[2]["collections"] - full_collections
    print(f"keystrokes: p95 worst {worst:.2f} ms (target <= 100 ms or 'keep typing');")
    print(f"  Python's full garbage collections meanwhile: {full_collections}")


def writes(
    client: httpx.Client,
    runs: int,
    *,
    show: bool = True,
    cpu: Callable[[], float] = time.process_time,
    where: str = "through the API in-process (TestClient; CPU: this whole process's)",
) -> None:
    """Create, update and annotate one paper by hand, each ``runs`` times (p50/p95), and the
    mean ``cpu`` time of each."""
    times: dict[str, list[float]] = {"create": [], "update": [], "annotate": []}
    used = dict.fromkeys(times, 0.0)

    def timed(
        name: str, send: Callable[..., httpx.Response], path: str, body: Any, status: int
    ) -> Any:
        began, start = cpu(), time.perf_counter()
        answer = send(path, json=body)
        times[name].append((time.perf_counter() - start) * 1000)
        used[name] += cpu() - began
        assert answer.status_code == status, answer.text
        return answer.json()

    for n in range(runs):
        made = {"title": f"A bench paper {n} {random.random()}", "authors": ["Ann Smith"]}
        paper = timed("create", client.post, "/api/papers", {**made, "year": 2024}, 201)
        path = f"/api/papers/{paper['id']}"
        timed("update", client.patch, path, {"venue": "Bench", "version": paper["version"]}, 200)
        note = {"markdown": "Read *this*.", "version": 0}
        timed("annotate", client.put, f"{path}/annotation", note, 200)
        # Gone again: a library reused by the next run does not pile up "smith2024bench..."
        # keys (each new one would read every earlier one to find a free suffix).
        gone = client.delete(path)
        assert gone.status_code == 204, gone.text
    if not show:
        return
    print(f"\none paper by hand, {runs} times each, {where}")
    print("  (ms, p50/p95 and mean CPU; target p95 <= 10 ms)")
    for name, values in times.items():
        mean_cpu = used[name] / runs * 1000
        print(f"  {name:10} {p(values, 0.5):6.2f}/{p(values, 0.95):6.2f}  cpu {mean_cpu:5.2f}")


def served_reads(
    client: httpx.Client,
    engine: sa.Engine,
    queries: list[tuple[str, dict[str, Any]]],
    runs: int,
    cpu: Callable[[], float],
) -> None:
    """The lists of :func:`run_suite` through the server: p50/p95, the server's mean CPU a
    request, and how far above the in-process search of the same query (timed just before) it
    is."""
    print("\nthe same lists through `litreview serve` (HTTP on 127.0.0.1, one worker; ms)")
    print(f"{'query':32} {'search':>13} {'served':>13} {'cpu':>5} {'served - search p50':>20}")
    above = []
    for name, params in queries:
        search = timings(search_call(engine, params), runs)
        began = cpu()
        times = timings(api_call(client, params), runs)
        used = (cpu() - began) * 1000 / (runs + WARM_UP)
        above.append(p(times, 0.5) - p(search, 0.5))
        print(
            f"{name[:32]:32} {p(search, 0.5):6.2f}/{p(search, 0.95):6.2f}"
            f" {p(times, 0.5):6.2f}/{p(times, 0.95):6.2f} {used:5.2f} {above[-1]:20.2f}"
        )
    print(f"served - search p50: median {statistics.median(above):.2f} ms, worst {max(above):.2f}")


def served(db: Path, reads: bool, runs: int, writes_runs: int, folder: Path) -> None:
    """The lists (if ``reads``) and :func:`writes` through ``litreview serve`` (one worker) over
    HTTP on 127.0.0.1, as a user's browser or script meets it; CPU: the server process's."""
    process, url = start_server(db, 1, folder / "serve.log")

    def cpu() -> float:
        return tree_cpu_seconds(process.pid)

    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            if reads:
                engine = make_engine(sqlite_url(db))
                served_reads(client, engine, SEARCHES + LISTS, runs, cpu)
                engine.dispose()
            writes(client, 10, show=False)  # warm up
            writes(
                client,
                writes_runs,
                cpu=cpu,
                where="through `litreview serve` (HTTP on 127.0.0.1, one worker; CPU: the"
                " server's, read from /proc in clock ticks)",
            )
    finally:
        stop_server(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="Reuse or build the library here")
    parser.add_argument("--runs", type=int, default=100)
    # 200 samples: with 25 (--runs 50 once gave that) the "p95" was the second slowest, and
    # one WAL checkpoint (every ~64 commits here, 5-15 ms) or garbage collection made it.
    parser.add_argument("--writes", type=int, default=200, help="Papers made by hand")
    parser.add_argument(
        "--writes-only", action="store_true", help="Only create, update and annotate papers"
    )
    parser.add_argument(
        "--served",
        action="store_true",
        help="Also the lists and the writes through `litreview serve` over HTTP",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        engine = make_engine(sqlite_url(path))
        upgrade(engine)
        have = count_papers(engine)
        # The corpus repeats a few titles, which merge: a library within 1% of the target is it.
        if have < args.papers * 0.99:
            if have:
                sys.exit(f"{path} has {have:,} papers, fewer than {args.papers:,}; remove it")
            seconds = build_library(engine, args.papers)
            print(f"built {args.papers:,} papers in {seconds:.1f} s")
        print(f"library: {count_papers(engine):,} papers at {path}")
        app = create_app(Settings(database_url=sqlite_url(path)))
        # A loopback Host, as the server's guard asks (TestClient's own is "testserver").
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            if args.writes_only:
                writes(client, 10, show=False)  # warm up
            else:
                search = run_suite(
                    "full-text search", SEARCHES, engine, client, str(path), args.runs
                )
                lists = run_suite("filtered lists", LISTS, engine, client, str(path), args.runs)
                # 20 samples a keystroke at least: with 10, the "p95" is the slowest sample,
                # and Python's full garbage collection (~1 in 200 requests, walking every
                # object the server holds) lands inside one request now and then.
                keystrokes(client, max(20, args.runs // 2))
            writes(client, args.writes)
        app.state.engine.dispose()
        engine.dispose()
        if args.served:
            served(path, not args.writes_only, args.runs, args.writes, Path(tmp))
    if not args.writes_only:
        print()
        summary("full-text search", search)
        summary("filtered lists  ", lists)
        print("targets: search p95 <= 20 ms; search <= 3x its raw SQL")
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
