"""Benchmark: add 1,000 arXiv ids through a local stand-in for arXiv, with the mandated spacing.

    python bench/arxiv_batch.py [--ids 1000] [--delay 0.2]

The local server (tests/arxiv_server.py) serves real corpus entries under synthetic ids. The
whole ``add_arxiv`` path runs: parse inputs, fetch in batches at least ``delay`` apart, store
into a fresh SQLite file, commit. Printed: requests made, wall time, and wall time against
``requests x delay``; the spacing alone forces ``(requests - 1) x delay``. One request per id,
as peers do, would need ``ids x delay``. Targets: <= 10 requests for 1,000 ids; wall within 2 s
of the mandated spacing.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from arxiv_server import FakeArxiv, corpus_entries, with_id  # noqa: E402

from litreview.config import sqlite_url  # noqa: E402
from litreview.db import make_engine, session_scope, upgrade  # noqa: E402
from litreview.importers.arxiv_fetch import ArxivFetcher  # noqa: E402
from litreview.library.arxiv import add_arxiv, count_outcomes  # noqa: E402


def distinct_entry(template: str, arxiv_id: str) -> str:
    """A corpus entry standing for another paper: its own id and title, no DOI to merge on."""
    entry = with_id(template, arxiv_id).replace("<title>", f"<title>[{arxiv_id}] ", 1)
    return re.sub(r"<arxiv:doi[^>]*>.*?</arxiv:doi>", "", entry, flags=re.DOTALL)


def synthetic_ids(count: int) -> list[str]:
    """``count`` well-formed new-style ids spread over months of 2023."""
    return [f"23{1 + n // 99_999:02d}.{1 + n % 99_999:05d}" for n in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    ids = synthetic_ids(args.ids)
    templates = corpus_entries()
    with FakeArxiv.running() as server, tempfile.TemporaryDirectory() as folder:
        server.add_entries(
            distinct_entry(t, i) for t, i in zip(cycle(templates), ids, strict=False)
        )
        engine = make_engine(sqlite_url(Path(folder) / "bench.db"))
        upgrade(engine)
        with httpx.Client() as http:
            fetcher = ArxivFetcher(http, api_url=server.url, delay=args.delay)
            start = time.perf_counter()
            with session_scope(engine) as session:
                outcomes = add_arxiv(session, fetcher, ids)
            wall = time.perf_counter() - start
        engine.dispose()
    requests = len(server.requests)
    budget = requests * args.delay
    spacing = (requests - 1) * args.delay
    print(f"ids: {len(ids)}  outcomes: {count_outcomes(outcomes)}")
    print(f"requests: {requests} (target <= 10; one per id would be {len(ids)})")
    print(f"wall: {wall:.2f} s   requests x delay: {budget:.2f} s   ratio: {wall / budget:.2f}")
    print(f"mandated spacing (requests - 1) x delay: {spacing:.2f} s", end="   ")
    print(f"over it: {wall - spacing:.2f} s (target <= 2 s)")
    print(f"one request per id at this delay would take >= {(len(ids) - 1) * args.delay:.1f} s")


if __name__ == "__main__":
    main()
