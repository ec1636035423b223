"""Benchmark: import a BibTeX file into an empty database, against bibtexparser's bare parse.

    python bench/bibtex_import.py FILE [--repeat N]

Prints the time of ``bibtexparser.parse_string`` on the decoded text (the baseline), the time
of a whole import into a fresh SQLite file (decode, parse, LaTeX, store, full-text index,
commit) and their ratio. Both are the best of N runs in the same process. Target: <= 2.0 on
bbt_Unabbreviate_on_import_1436-3.bib (7,166 entries).

A file this large is parsed in a child process while this one stores (see
``litreview.importers.bibtex_stream``); the CPU seconds of both are printed, and the same
import with everything in one process (``parallel=False``) is timed too, for comparison.
"""

from __future__ import annotations

import argparse
import logging
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bibtexparser.entrypoint import parse_string

from litreview.config import sqlite_url
from litreview.db import make_engine, session_scope, upgrade
from litreview.importers.encoding import decode_bibtex_bytes
from litreview.library.bibtex import import_bibtex


def time_baseline(text: str) -> float:
    start = time.perf_counter()
    parse_string(text)
    return time.perf_counter() - start


@dataclass
class Run:
    wall: float
    cpu_here: float
    cpu_child: float
    counts: dict[str, int]


def time_import(data: bytes, source: str, path: Path, parallel: bool | None) -> Run:
    engine = make_engine(sqlite_url(path))
    upgrade(engine)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, start = time.process_time(), time.perf_counter()
    with session_scope(engine) as session:
        report = import_bibtex(session, data, source=source, parallel=parallel)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    engine.dispose()
    return Run(elapsed, cpu, child, report.counts())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # bibtexparser logs every failed block
    data = args.file.read_bytes()
    text = decode_bibtex_bytes(data).text
    baseline: list[float] = []
    ours: list[Run] = []
    alone: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):
            baseline.append(time_baseline(text))
            ours.append(time_import(data, args.file.name, Path(tmp) / f"a{run}.db", None))
        # Afterwards, so that its garbage does not weigh on the forks above.
        for run in range(max(1, args.repeat // 2)):
            alone.append(time_import(data, args.file.name, Path(tmp) / f"b{run}.db", False))
    best_base = min(baseline)
    best = min(ours, key=lambda r: r.wall)
    best_alone = min(alone, key=lambda r: r.wall)
    print(f"file: {args.file.name} ({len(data):,} bytes)")
    print(f"outcomes: {best.counts}")
    print(f"bibtexparser.parse_string: {best_base:.3f} s (best of {args.repeat})")
    print(
        f"litreview import:          {best.wall:.3f} s (best of {args.repeat}; CPU"
        f" {best.cpu_here:.2f} s here + {best.cpu_child:.2f} s in the parsing child)"
    )
    alone_ratio = best_alone.wall / best_base
    print(f"  in one process:          {best_alone.wall:.3f} s (ratio {alone_ratio:.2f})")
    print(f"ratio: {best.wall / best_base:.2f}")


if __name__ == "__main__":
    main()
