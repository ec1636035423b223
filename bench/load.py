"""Benchmark: the server under load, with 1, 2 and 4 worker processes (``serve --workers N``).

    python bench/load.py [--papers 100000] [--db PATH] [--clients 16] [--seconds 20]
                         [--workers 1 2 4]

Builds (once; an existing file at --db with enough papers is reused) the 100,000-paper library
of bench/api_latency.py. For each worker count it starts ``litreview serve --workers N`` on a
free port of 127.0.0.1 and runs ``--clients`` clients at once for ``--seconds``: each request
is a search (80%: ``GET /api/papers`` with words of the corpus, page of 50) or a save (20%: a
versioned ``PUT`` of an annotation that appends the client's next line; a 409 is answered as
the UI does: read the current version and save on top of it). The clients share 8 papers, so
saves collide. Printed per worker count: requests per second, p50/p95 of searches and of
saves, errors (any answer but 2xx, a 409 or a search's "too broad" 422, and transport
failures), 409s, and lost updates: lines a client was told were saved that the final texts
lack. Everything stays on the loopback interface, bounded in time and count.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
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
from web_support import free_port

from litreview.config import sqlite_url
from litreview.db import make_engine, upgrade

WORDS = [
    "reward", "learning", "inverse reinforcement", "adversar", "Goodhart", "Christiano",
    "model", "interpretability", "robust", "agent", "language models", "human feedback",
    "safety", "forecasting", "value", "policy",
]  # fmt: skip
SHARED_PAPERS = 8
CSV_NAME = api_latency.CORPUS.name
SAVE_SHARE = 0.2
STARTUP_SECONDS = 120


@dataclass
class Tally:
    search_ms: list[float] = field(default_factory=list)
    save_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    saved_lines: dict[int, list[str]] = field(default_factory=dict)


async def client_loop(
    client: httpx.AsyncClient, number: int, paper_ids: list[int], until: float, tally: Tally
) -> None:
    rng = random.Random(number)
    count = 0
    while time.perf_counter() < until:
        if rng.random() < SAVE_SHARE:
            paper_id = rng.choice(paper_ids)
            line = f"client {number} line {count}"
            count += 1
            start = time.perf_counter()
            if await save_line(client, paper_id, line, tally):
                tally.saved_lines.setdefault(paper_id, []).append(line)
            tally.save_ms.append((time.perf_counter() - start) * 1000)
        else:
            params = {"q": rng.choice(WORDS), "limit": 50}
            start = time.perf_counter()
            try:
                answer = await client.get("/api/papers", params=params)
                key = "too broad" if answer.status_code == 422 else str(answer.status_code)
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            tally.search_ms.append((time.perf_counter() - start) * 1000)
            tally.statuses[f"search {key}"] += 1


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


def start_server(db: Path, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    script = str(Path(sys.executable).with_name("litreview"))
    command = [script, "--db", str(db), "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


async def run_load(url: str, clients: int, seconds: float, paper_ids: list[int]) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        for _ in range(3):  # warm each worker's caches a little
            await client.get("/api/papers", params={"q": "reward"})
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(client_loop(client, n, paper_ids, until, tally) for n in range(clients))
        )
    return tally


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and every process below it
    (``serve --workers N`` runs its workers as children), read from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, todo = set(), [pid]
    while todo:
        current = todo.pop()
        tree.add(current)
        todo.extend(child for child, parent in parents.items() if parent == current)
    return sum(times.get(member, 0.0) for member in tree)


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
        tally = asyncio.run(run_load(url, args.clients, args.seconds, paper_ids))
        elapsed = time.perf_counter() - started
        server_cpu = tree_cpu_seconds(process.pid) - server_cpu
        own_cpu = time.process_time() - own_cpu
        lost = lost_updates(url, tally)
    finally:
        stop_server(process)
    total = len(tally.search_ms) + len(tally.save_ms)
    ok = {"search 200", "search too broad", "save 200", "save 409"}
    errors = sum(n for key, n in tally.statuses.items() if key not in ok)
    rate = total / elapsed
    print(
        f"{workers} worker(s): {rate:6.1f} req/s  search p50 {pct(tally.search_ms, 0.5):5.0f} ms"
        f" p95 {pct(tally.search_ms, 0.95):5.0f} ms  save p50 {pct(tally.save_ms, 0.5):5.0f} ms"
        f" p95 {pct(tally.save_ms, 0.95):5.0f} ms  errors {errors}  409s "
        f"{tally.statuses['save 409']}  too broad {tally.statuses['search too broad']}"
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
            f"{args.clients} clients, {SAVE_SHARE:.0%} saves, {args.seconds:g} s each,"
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
