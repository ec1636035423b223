"""Benchmark: the server under load, with 1, 2 and 4 worker processes (``serve --workers N``).

    python bench/load.py [--papers 100000] [--db PATH] [--clients 16] [--seconds 20]
                         [--workers 1 2 4] [--mix users|searches]

Builds (once; an existing file at --db with enough papers is reused) the 100,000-paper library
of bench/api_latency.py. For each worker count it starts ``litreview serve --workers N`` on a
free port of 127.0.0.1 and runs ``--clients`` clients at once for ``--seconds``, each sending
its next request as soon as the last is answered. 20% of requests are saves: a versioned
``PUT`` of an annotation that appends the client's next line (a 409 is answered as the UI does:
read the current version and save on top of it); the clients share 8 papers, so saves collide.
The rest (``--mix``):

- ``users`` (default), what the web UI sends: searches as they are typed (35%: a multi-word
  query cut where the 250 ms pause of a typist falls, so often inside its last word), the list
  without a search (30%: first or next page, some with a tag, status or year filter or another
  order) and a paper opened (15%);
- ``searches``, the earlier mix: every request but a save is a one- or two-word search of
  the commonest words (most over 10,000 matches, many stopped as "too broad").

Printed per worker count: requests per second, p50/p95 per kind of request, errors (any
answer but 2xx, a 409 or a search's "too broad" 422, and transport failures), 409s, "too broad"
answers, and lost updates: lines a client was told were saved that the final texts lack; then
the CPU per request of the server (all its processes) and of this load generator, and the cores
each kept busy. Everything stays on the loopback interface, bounded in time and count.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import api_latency
from api_latency import build_library, count_papers
from served import start_server, stop_server, tree_cpu_seconds

from litreview.config import sqlite_url
from litreview.db import make_engine, upgrade

# The earlier mix's searches: the commonest words of the corpus, one or two at a time.
WORDS = [
    "reward", "learning", "inverse reinforcement", "adversar", "Goodhart", "Christiano",
    "model", "interpretability", "robust", "agent", "language models", "human feedback",
    "safety", "forecasting", "value", "policy",
]  # fmt: skip
# What users look for: topics of several words, typed.
QUERIES = [
    "reward hacking", "inverse reinforcement learning", "scalable oversight", "reward model",
    "mechanistic interpretability", "adversarial robustness", "learning from human feedback",
    "goal misgeneralization", "Goodhart's law", "Christiano debate", "forecasting AI progress",
    "language models deception", "value learning", "cooperative inverse reinforcement",
    "safe exploration", "interpretability of transformers", "AI governance", "corrigibility",
]  # fmt: skip
TAGS = ["highlight", "Reinforcement learning", "AI governance", "Learning human intent"]
SHARED_PAPERS = 8
CSV_NAME = api_latency.CORPUS.name
SAVE_SHARE = 0.2
# The users' mix after the saves: searches as typed, lists, papers opened (the rest).
USER_SEARCH, USER_LIST = 0.35, 0.30


@dataclass
class Tally:
    ms: dict[str, list[float]] = field(default_factory=dict)  # kind of request -> times
    statuses: Counter[str] = field(default_factory=Counter)
    saved_lines: dict[int, list[str]] = field(default_factory=dict)

    def took(self, kind: str, since: float) -> None:
        self.ms.setdefault(kind, []).append((time.perf_counter() - since) * 1000)

    def count(self) -> int:
        return sum(len(times) for times in self.ms.values())


def typed_query(rng: random.Random) -> str:
    """A query as the UI sends it while it is typed: cut after a pause, often inside a word."""
    query = rng.choice(QUERIES)
    return query[: rng.randint(min(3, len(query)), len(query))].rstrip()


def list_params(rng: random.Random) -> dict[str, str | int]:
    """The library list without a search: a page, sometimes filtered or in another order."""
    params: dict[str, str | int] = {"limit": 50, "offset": rng.choice([0, 0, 0, 50, 100])}
    choice = rng.random()
    if choice < 0.2:
        params["tag"] = rng.choice(TAGS)
    elif choice < 0.3:
        params["status"] = "unread"
    elif choice < 0.4:
        params["year_min"] = rng.choice([2015, 2018, 2020])
    elif choice < 0.6:
        params["sort"] = rng.choice(["year", "title", "updated"])
    return params


async def client_loop(
    client: httpx.AsyncClient,
    number: int,
    paper_ids: list[int],
    highest_id: int,
    until: float,
    tally: Tally,
    mix: str,
) -> None:
    rng = random.Random(number)
    count = 0
    while time.perf_counter() < until:
        roll = rng.random()
        start = time.perf_counter()
        if roll < SAVE_SHARE:
            paper_id = rng.choice(paper_ids)
            line = f"client {number} line {count}"
            count += 1
            if await save_line(client, paper_id, line, tally):
                tally.saved_lines.setdefault(paper_id, []).append(line)
            tally.took("save", start)
            continue
        roll = (roll - SAVE_SHARE) / (1 - SAVE_SHARE)  # the share of what is not a save
        if mix == "searches":
            kind, path, params = "search", "/api/papers", {"q": rng.choice(WORDS), "limit": 50}
        elif roll < USER_SEARCH / (1 - SAVE_SHARE):
            kind, path, params = "search", "/api/papers", {"q": typed_query(rng), "limit": 50}
        elif roll < (USER_SEARCH + USER_LIST) / (1 - SAVE_SHARE):
            kind, path, params = "list", "/api/papers", list_params(rng)
        else:
            kind, path, params = "open", f"/api/papers/{rng.randint(1, highest_id)}", {}
        try:
            answer = await client.get(path, params=params)
            key = "too broad" if answer.status_code == 422 else str(answer.status_code)
        except httpx.HTTPError as exc:
            key = type(exc).__name__
        tally.took(kind, start)
        tally.statuses[f"{kind} {key}"] += 1


async def save_line(client: httpx.AsyncClient, paper_id: int, line: str, tally: Tally) -> bool:
    """Append ``line`` to the annotation; True once a save of it was answered 200."""
    path = f"/api/papers/{paper_id}/annotation"
    for _ in range(50):
        try:
            current = (await client.get(path)).json()
            text = f"{current['markdown']}\n{line}".strip()
            answer = await client.put(path, json={"markdown": text, "version": current["version"]})
        except httpx.HTTPError as exc:
            tally.statuses[f"save {type(exc).__name__}"] += 1
            return False
        tally.statuses[f"save {answer.status_code}"] += 1
        if answer.status_code != 409:
            return answer.status_code == 200
    return False


async def run_load(url: str, clients: int, seconds: float, paper_ids: list[int], mix: str) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        for _ in range(3):  # warm each worker's caches a little
            await client.get("/api/papers", params={"q": "reward"})
        highest = min(paper_ids) - 1  # the papers of the library before the shared ones
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(client_loop(client, n, paper_ids, highest, until, tally, mix) for n in range(clients))
        )
    return tally


def lost_updates(url: str, tally: Tally) -> int:
    lost = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        for paper_id, lines in tally.saved_lines.items():
            final = set(
                client.get(f"/api/papers/{paper_id}/annotation").json()["markdown"].split("\n")
            )
            lost += sum(1 for line in lines if line not in final)
    return lost


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_workers(db: Path, workers: int, args: argparse.Namespace, folder: Path) -> float:
    process, url = start_server(db, workers, folder / f"serve-{workers}.log")
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            paper_ids = [
                client.post("/api/papers", json={"title": f"Load test paper {workers}-{n}"}).json()[
                    "id"
                ]
                for n in range(SHARED_PAPERS)
            ]
        started = time.perf_counter()
        server_cpu = tree_cpu_seconds(process.pid)
        own_cpu = time.process_time()
        tally = asyncio.run(run_load(url, args.clients, args.seconds, paper_ids, args.mix))
        elapsed = time.perf_counter() - started
        server_cpu = tree_cpu_seconds(process.pid) - server_cpu
        own_cpu = time.process_time() - own_cpu
        lost = lost_updates(url, tally)
    finally:
        stop_server(process)
    total = tally.count()
    ok = {"search 200", "search too broad", "list 200", "open 200", "save 200", "save 409"}
    errors = sum(n for key, n in tally.statuses.items() if key not in ok)
    rate = total / elapsed
    times = "  ".join(
        f"{kind} p50 {pct(ms, 0.5):4.0f} ms p95 {pct(ms, 0.95):5.0f} ms"
        for kind, ms in sorted(tally.ms.items())
    )
    print(
        f"{workers} worker(s): {rate:6.1f} req/s  {times}  errors {errors}"
        f"  409s {tally.statuses['save 409']}  too broad {tally.statuses['search too broad']}"
        f"  lost updates {lost}  ({total} requests in {elapsed:.1f} s)"
    )
    # Where the two cores went: the server (all its processes) and this load generator.
    print(
        f"    CPU per request: server {server_cpu / total * 1000:.1f} ms, load generator"
        f" {own_cpu / total * 1000:.1f} ms; cores busy: server {server_cpu / elapsed:.2f},"
        f" generator {own_cpu / elapsed:.2f} (of {os.cpu_count()});"
        " load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    )
    if errors:
        print(f"    answers: {dict(tally.statuses)}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--mix", choices=["users", "searches"], default="users")
    args = parser.parse_args()
    if os.environ.get("LITREVIEW_CORPUS"):  # the corpus elsewhere than beside the repository
        api_latency.CORPUS = Path(os.environ["LITREVIEW_CORPUS"]) / "annotated" / CSV_NAME
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = args.db or folder / "load.db"
        engine = make_engine(sqlite_url(db))
        upgrade(engine)
        if count_papers(engine) < args.papers:
            print(f"building a {args.papers:,}-paper library at {db} ...", file=sys.stderr)
            build_library(engine, args.papers - count_papers(engine))
        engine.dispose()
        print(
            f"{args.clients} clients, {SAVE_SHARE:.0%} saves, the {args.mix!r} mix,"
            f" {args.seconds:g} s each,"
            f" {count_papers(make_engine(sqlite_url(db))):,} papers"
        )
        rates = {w: bench_workers(db, w, args, folder) for w in args.workers}
        base = rates.get(1)
        if base:
            print(
                "throughput vs 1 worker: "
                + ", ".join(f"{w}: {r / base:.2f}x" for w, r in rates.items())
            )


if __name__ == "__main__":
    main()
