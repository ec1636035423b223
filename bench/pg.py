"""Benchmark: a lab's library on PostgreSQL with 100,000 papers (issue 18).

    python bench/pg.py [--url URL] [--library /tmp/lat-copy.db] [--parts search import load]
                       [--runs 50] [--members 20] [--seconds 30] [--pause 2 0]

The library: ``--url`` names a PostgreSQL database that holds it; without one, a throwaway
cluster is started as the tests start theirs (tests/pg_server.py) and the SQLite ``--library``
(bench/api_latency.py's 100,000 papers; built there if missing) is moved in with
``litreview db copy``. The SQLite library is the baseline of every part, in the same run:

- ``search``: bench/api_latency.py's searches through ``library.search.search_paper_ids``
  (``--runs`` each), p50/p95 on PostgreSQL and on the SQLite library, and their ratio.
  Target: p95 <= 30 ms. Beside each, PostgreSQL's p95 of the same search asking for no
  papers (``limit`` 0): it only counts the matches, which every page does too (the total is
  exact): the floor of that search.
- ``import``: ``litreview import FILE`` (bbt_Unabbreviate_on_import_1436-3.bib) into a new
  PostgreSQL database, timed as bench/bibtex_import.py times it into SQLite (which it also
  does, for comparison), against bibtexparser's bare parse; the wall clock, this process's CPU
  time and the database server's (its processes, read from /proc). Target: <= 4x.
- ``load``: ``--members`` members, each signed in with a read-write token of their own, for
  ``--seconds`` against ``litreview serve --workers 2`` on PostgreSQL: 60% searches, 20%
  filtered lists, 20% versioned annotation saves on 8 shared papers (a 409 is read again and
  saved on top, as the editor does); p50/p95 of all requests and of each kind, errors
  (anything but a 2xx, a 409 or a search's "too broad"), 409s and lost updates (lines a member
  was told were saved that the final texts lack). Then the same load against ``serve
  --workers 1`` on the SQLite library. Target: p95 <= 150 ms, 0 errors, 0 lost updates.

  Members are people: after each answer a member pauses before the next action (reading the
  list, typing the next words, writing the next line), for a time drawn from an exponential
  distribution of mean ``--pause`` seconds (2 by default), so that 20 members send about
  20 / (2 s + the answer's time) requests a second. Exponential, as closed-system benchmarks
  model think time (TPC-C's and TPC-W's): most pauses are short, a few long, and the members do
  not fall into step. Each member's pauses come from a generator of its own seeded by its
  number, apart from the one choosing its actions, so every run (and every ``--pause``) sends
  the same actions; each member starts after a first pause, not all at once. ``--pause 0`` is
  the closed loop (the next request the moment the last is answered): its requests a second
  are the server's saturation throughput, and its p95 is bounded by Little's law (members in
  flight / throughput) whatever the code does. Each ``--pause`` given is run in turn (by
  default 2, then 0: the target's numbers, then the capacity).

Each part prints ``uptime``'s load average: on a shared machine, read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from rich.console import Console
from sqlmodel import Session

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH.parent / "tests"))

import api_latency  # noqa: E402
import load  # noqa: E402
import served  # noqa: E402
from api_latency import SEARCHES, build_library, count_papers, p, search_call, timings  # noqa: E402
from bibtex_import import time_baseline, time_cli_import  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from litreview import cli_bibtex  # noqa: E402
from litreview.cli import app  # noqa: E402
from litreview.config import sqlite_url  # noqa: E402
from litreview.db import make_engine, upgrade  # noqa: E402
from litreview.importers.encoding import decode_bibtex_bytes  # noqa: E402
from litreview.library import fts  # noqa: E402
from litreview.library.members import add_member, create_token  # noqa: E402
from litreview.models import MemberRole  # noqa: E402
from tests.pg_server import PostgresServer, create_database, drop_database, start_server  # noqa: E402

IMPORT_FILE = "bbt_Unabbreviate_on_import_1436-3.bib"
SHARED_PAPERS = 8
LIST_FILTERS: list[dict[str, Any]] = [
    {"tag": ["highlight"]},
    {"area_path": "Alignment"},
    {"status": "read", "year_min": 2010, "year_max": 2012},
    {"author": "Shah"},
    {"sort": "title"},
    {},
]


def load_average() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


# The library ----------------------------------------------------------------------------------


def sqlite_library(path: Path, papers: int) -> None:
    engine = make_engine(sqlite_url(path))
    upgrade(engine)
    if count_papers(engine) < papers:
        print(f"building a {papers:,}-paper library at {path} ...", file=sys.stderr)
        build_library(engine, papers - count_papers(engine))
    engine.dispose()


def copy_to_postgres(library: Path, url: str) -> None:
    """``litreview db copy`` of the SQLite library into the (new) database ``url``."""
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["db", "copy", str(library), url])
    if result.exit_code != 0:
        raise RuntimeError(f"db copy failed: {result.output}{result.exception}")
    print(f"db copy of {library} to PostgreSQL: {time.perf_counter() - start:.0f} s", flush=True)


def server_cpu(url: str) -> float | None:
    """CPU seconds the database server (postmaster and its processes) has used, when it runs
    on this machine and its folder is readable (a superuser's URL); else None."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            folder = connection.exec_driver_sql("SHOW data_directory").scalar()
    except sa.exc.DBAPIError:  # not a superuser: the folder is not shown
        return None
    finally:
        engine.dispose()
    pid_file = Path(str(folder)) / "postmaster.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().split()[0])
    # The backends that ended meanwhile (the import's own, when its command closed) are in the
    # postmaster's times of its waited-for children.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ended = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return served.tree_cpu_seconds(pid) + ended


# Search ---------------------------------------------------------------------------------------


def ranking_used(engine: sa.Engine) -> str:
    """Which matches PostgreSQL's search ranks (revision 0020 gave it ``paper_fts.lexemes``)."""
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("paper_fts")}
    if "lexemes" in columns:
        return f"ts_rank_cd over the {fts.CANDIDATES:,} shortest matches a page of {fts.PAGE}"
    return "ts_rank_cd over every match"


def bench_search(pg_url: str, library: Path, runs: int) -> None:
    print(f"\nsearch, {runs} runs each (ms, p50/p95); {load_average()}")
    print(
        f"{'query':34} {'PostgreSQL':>15} {'CPU':>6} {'count':>6} {'SQLite':>15} {'CPU':>6}"
        f" {'p95 ratio':>9} {'matches':>8}"
    )
    engines = {"pg": make_engine(pg_url), "lite": make_engine(sqlite_url(library))}
    print(f"PostgreSQL ranking: {ranking_used(engines['pg'])}")
    worst = 0.0
    try:
        for name, params in SEARCHES:
            # CPU a search: this process's and (PostgreSQL) the server's, its parallel workers'
            # included; on a busy machine steadier than the wall clock.
            server, here = server_cpu(pg_url), time.process_time()
            pg_ms = timings(search_call(engines["pg"], params), runs)
            after = server_cpu(pg_url)
            pg_cpu = time.process_time() - here + (after - server if after and server else 0)
            count_ms = timings(search_call(engines["pg"], {**params, "limit": 0}), runs)
            here = time.process_time()
            lite_ms = timings(search_call(engines["lite"], params), runs)
            lite_cpu = time.process_time() - here
            with Session(engines["pg"]) as session:
                total = api_latency.search_paper_ids(session, api_latency.to_query(params))[1]
            worst = max(worst, p(pg_ms, 0.95))
            calls = runs + api_latency.WARM_UP
            print(
                f"{name[:34]:34} {p(pg_ms, 0.5):6.1f}/{p(pg_ms, 0.95):6.1f}"
                f" {pg_cpu * 1000 / calls:6.1f} {p(count_ms, 0.95):6.1f}"
                f"   {p(lite_ms, 0.5):6.1f}/{p(lite_ms, 0.95):6.1f} {lite_cpu * 1000 / calls:6.1f}"
                f" {p(pg_ms, 0.95) / p(lite_ms, 0.95):9.2f} {total:8,}"
            )
    finally:
        for engine in engines.values():
            engine.dispose()
    print(f"PostgreSQL search p95, worst query: {worst:.1f} ms (target <= 30); {load_average()}")
    print("count: PostgreSQL's p95 of the same search with limit 0 (its matches counted, no page)")


# Import ---------------------------------------------------------------------------------------


def time_pg_import(file: Path, url: str) -> tuple[float, ...]:
    """Seconds (wall, this process's CPU, the server's CPU or nan) of ``litreview import``."""
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    before = server_cpu(url)
    start, cpu = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(app, ["--db", url, "import", str(file)])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = server_cpu(url)
    if result.exit_code not in (0, 1):
        raise RuntimeError(f"import failed: {result.output}{result.exception}")
    used = after - before if after is not None and before is not None else float("nan")
    return elapsed, cpu, used


def bench_import(admin: PostgresServer, corpus: Path, repeat: int) -> None:
    file = corpus / "bibtex" / IMPORT_FILE
    text = decode_bibtex_bytes(file.read_bytes()).text
    print(f"\nimport {file.name}, best of {repeat}; {load_average()}")
    parse, pg, lite = [], [], []
    for n in range(repeat):
        parse.append(time_baseline(text))
        name = f"litreview_bench_import_{n}"
        pg.append(time_pg_import(file, create_database(admin, name)))
        drop_database(admin, name)
        with tempfile.TemporaryDirectory() as tmp:
            lite.append(time_cli_import(file, Path(tmp) / "import.db")[:2])
    base_wall, base_cpu = min(w for w, _ in parse), min(c for _, c in parse)
    pg_wall, pg_cpu, pg_server = min(pg)
    lite_wall, lite_cpu = min(lite)
    print(f"bare parse:            {base_wall:6.2f} s wall, {base_cpu:6.2f} s CPU")
    print(
        f"import on PostgreSQL:  {pg_wall:6.2f} s wall, {pg_cpu:6.2f} s CPU here"
        f" + {pg_server:.2f} s of the server's  -> {pg_wall / base_wall:.2f}x wall,"
        f" {(pg_cpu + pg_server) / base_cpu:.2f}x CPU (target <= 4)"
    )
    print(
        f"import on SQLite:      {lite_wall:6.2f} s wall, {lite_cpu:6.2f} s CPU"
        f"             -> {lite_wall / base_wall:.2f}x wall, {lite_cpu / base_cpu:.2f}x CPU"
    )
    print(load_average())


# Load -----------------------------------------------------------------------------------------


@dataclass
class Tally:
    ms: dict[str, list[float]] = field(
        default_factory=lambda: {"search": [], "list": [], "save": []}
    )
    statuses: Counter[str] = field(default_factory=Counter)
    saved_lines: dict[int, list[str]] = field(default_factory=dict)
    seconds: float = 0.0  # the members' time, from the first pause to the last answer

    def all_ms(self) -> list[float]:
        return [ms for values in self.ms.values() for ms in values]


def add_members(url: str, count: int) -> list[str]:
    """``count`` members (the first the owner) with a read-write token each."""
    engine = make_engine(url)
    upgrade(engine)
    tokens = []
    try:
        with Session(engine) as session:
            for n in range(count):
                role = MemberRole.owner if n == 0 else MemberRole.editor
                member = add_member(session, f"Member {n} ({os.getpid()})", role)
                tokens.append(create_token(session, member, "bench/pg.py", can_write=True))
            session.commit()
    finally:
        engine.dispose()
    return tokens


async def member_loop(
    client: httpx.AsyncClient,
    number: int,
    paper_ids: list[int],
    until: float,
    tally: Tally,
    pause: float,
) -> None:
    """One member's actions until ``until``, each after a pause of mean ``pause`` seconds."""
    rng = random.Random(number)
    pauses = random.Random(f"pause {number}")  # the actions stay the same whatever the pause
    count = 0
    while True:
        if pause > 0:  # a pause running past the end ends the member there
            left = until - time.perf_counter()
            await asyncio.sleep(max(0.0, min(pauses.expovariate(1 / pause), left)))
        if time.perf_counter() >= until:
            return
        pick = rng.random()
        start = time.perf_counter()
        if pick < 0.2:
            paper_id = rng.choice(paper_ids)
            line = f"member {number} line {count} (pauses {pause:g} s)"
            count += 1
            if await load.save_line(client, paper_id, line, tally):  # type: ignore[arg-type]
                tally.saved_lines.setdefault(paper_id, []).append(line)
            tally.ms["save"].append((time.perf_counter() - start) * 1000)
            continue
        kind = "list" if pick < 0.4 else "search"
        if kind == "list":
            params = {**rng.choice(LIST_FILTERS), "limit": 50}
        else:
            params = {"q": rng.choice(load.WORDS), "limit": 50}
        try:
            answer = await client.get("/api/papers", params=params)
            key = "too broad" if answer.status_code == 422 else str(answer.status_code)
        except httpx.HTTPError as exc:
            key = type(exc).__name__
        tally.ms[kind].append((time.perf_counter() - start) * 1000)
        tally.statuses[f"{kind} {key}"] += 1


async def run_members(
    url: str, tokens: list[str], seconds: float, paper_ids: list[int], pause: float
) -> Tally:
    tally = Tally()
    clients = [
        httpx.AsyncClient(base_url=url, timeout=60, headers={"Authorization": f"Bearer {t}"})
        for t in tokens
    ]
    try:
        for client in clients[:4]:  # warm the workers' caches a little
            await client.get("/api/papers", params={"q": "reward"})
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(member_loop(c, n, paper_ids, until, tally, pause) for n, c in enumerate(clients))
        )
        tally.seconds = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    return tally


def lost_updates(url: str, token: str, tally: Tally) -> int:
    lost = 0
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=60, headers=headers) as client:
        for paper_id, lines in tally.saved_lines.items():
            answer = client.get(f"/api/papers/{paper_id}/annotation")
            final = set(answer.json()["markdown"].split("\n"))
            lost += sum(1 for line in lines if line not in final)
    return lost


def bench_load(label: str, database: str, workers: int, tokens: list[str], args: Any) -> None:
    """The members against ``serve --workers N`` on ``database``, once for each ``--pause``."""
    # served.start_server passes the library as --db: a SQLite path or, here, a URL.
    process, url = served.start_server(database, workers, args.folder / f"serve-{label}.log")  # type: ignore[arg-type]
    try:
        with httpx.Client(
            base_url=url, timeout=60, headers={"Authorization": f"Bearer {tokens[0]}"}
        ) as c:
            paper_ids = [
                c.post("/api/papers", json={"title": f"Shared by the lab {label} {n}"}).json()["id"]
                for n in range(SHARED_PAPERS)
            ]
        for pause in args.pause:
            cpu = served.tree_cpu_seconds(process.pid)
            tally = asyncio.run(run_members(url, tokens, args.seconds, paper_ids, pause))
            cpu = served.tree_cpu_seconds(process.pid) - cpu
            print_load(label, workers, pause, tally, cpu, lost_updates(url, tokens[0], tally))
    finally:
        served.stop_server(process)


def print_load(label: str, workers: int, pause: float, tally: Tally, cpu: float, lost: int) -> None:
    everything = tally.all_ms()
    ok = {"search 200", "search too broad", "list 200", "save 200", "save 409"}
    errors = sum(n for key, n in tally.statuses.items() if key not in ok)
    paced = f"pauses of mean {pause:g} s" if pause > 0 else "no pause (closed loop: capacity)"
    print(
        f"{label}, {workers} worker(s), {paced}: {len(everything) / tally.seconds:5.1f} req/s;"
        f" all p50 {p(everything, 0.5):5.0f} ms p95 {p(everything, 0.95):5.0f} ms"
        f" (target <= 150); errors {errors}; lost updates {lost};"
        f" 409s {tally.statuses['save 409']}; too broad {tally.statuses['search too broad']}"
    )
    for kind, values in tally.ms.items():
        if values:
            print(
                f"    {kind:6} {len(values):5} p50 {p(values, 0.5):5.0f} ms"
                f" p95 {p(values, 0.95):5.0f} ms"
            )
    print(
        f"    server CPU {cpu / max(1, len(everything)) * 1000:.1f} ms a request"
        f" (web workers only); {load_average()}"
    )
    if errors:
        print(f"    answers: {dict(tally.statuses)}")


# Main -----------------------------------------------------------------------------------------


def main() -> None:
    logging.disable(logging.WARNING)  # bibtexparser logs every failed block
    # The import's progress bar drawn as on a terminal, into a buffer.
    cli_bibtex.err = Console(file=io.StringIO(), force_terminal=True, width=100)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=None, help="a PostgreSQL database holding the library")
    parser.add_argument("--library", type=Path, default=Path("/tmp/lat-copy.db"))
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--parts", nargs="+", default=["search", "import", "load"])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=2, help="imports of each kind")
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--pause",
        type=float,
        nargs="+",
        default=[2.0, 0.0],
        help="a member's mean pause between actions, seconds (exponential; 0: none); each in turn",
    )
    args = parser.parse_args()
    corpus = Path(os.environ.get("LITREVIEW_CORPUS", BENCH.parent.parent / "shared" / "corpus"))
    api_latency.CORPUS = corpus / "annotated" / api_latency.CORPUS.name
    server: PostgresServer | None = None
    with tempfile.TemporaryDirectory() as tmp:
        args.folder = Path(tmp)
        library = args.folder / "library.db"
        if args.library.exists():
            shutil.copyfile(args.library, library)  # the load writes: never into the original
        sqlite_library(library, args.papers)
        url = args.url
        if url is None:
            found = start_server()
            if isinstance(found, str):
                sys.exit(f"no PostgreSQL server: {found}")
            server = found
            url = create_database(server, "litreview_bench")
            copy_to_postgres(library, url)

        # Where the import's new databases are made (and dropped): the cluster holding the library.
        admin = server or PostgresServer(
            sa.make_url(url).set(database="postgres").render_as_string(hide_password=False)
        )
        try:
            print(f"{count_papers(make_engine(url)):,} papers on PostgreSQL; {load_average()}")
            if "search" in args.parts:
                bench_search(url, library, args.runs)
            if "import" in args.parts:
                bench_import(admin, corpus, args.repeat)
            if "load" in args.parts:
                print(f"\n{args.members} members, {args.seconds:g} s; {load_average()}")
                bench_load("PostgreSQL", url, 2, add_members(url, args.members), args)
                bench_load(
                    "SQLite", str(library), 1, add_members(sqlite_url(library), args.members), args
                )
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
