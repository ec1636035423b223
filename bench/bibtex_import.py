"""Benchmark: import a BibTeX file into an empty database, against bibtexparser's bare parse.

    python bench/bibtex_import.py FILE [--repeat N]

Prints the time of ``bibtexparser.parse_string`` on the decoded text (the baseline), the time
of a whole import into a fresh SQLite file (decode, parse, LaTeX, store, full-text index,
commit) and their ratio. Both are the best of N runs in the same process. Target: <= 2.0 on
bbt_Unabbreviate_on_import_1436-3.bib (7,166 entries).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
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


def time_import(data: bytes, source: str, folder: Path, run: int) -> tuple[float, dict[str, int]]:
    engine = make_engine(sqlite_url(folder / f"bench{run}.db"))
    upgrade(engine)
    start = time.perf_counter()
    with session_scope(engine) as session:
        report = import_bibtex(session, data, source=source)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, report.counts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # bibtexparser logs every failed block
    data = args.file.read_bytes()
    text = decode_bibtex_bytes(data).text
    baseline, ours = [], []
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):
            baseline.append(time_baseline(text))
            elapsed, counts = time_import(data, args.file.name, Path(tmp), run)
            ours.append(elapsed)
    best_base, best_ours = min(baseline), min(ours)
    print(f"file: {args.file.name} ({len(data):,} bytes)")
    print(f"outcomes: {counts}")
    print(f"bibtexparser.parse_string: {best_base:.3f} s (best of {args.repeat})")
    print(f"litreview import:          {best_ours:.3f} s (best of {args.repeat})")
    print(f"ratio: {best_ours / best_base:.2f}")


if __name__ == "__main__":
    main()
