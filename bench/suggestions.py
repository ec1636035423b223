"""Benchmark: finding suggested relations over a large library.

    python bench/suggestions.py [--papers 100000] [--runs 3]

Builds a library in a temporary SQLite file (rows inserted in bulk): every paper has an arXiv id,
an abstract of ~120 words and an arXiv comment like the real ones ("12 pages, 3 figures"); one in
fifty comments on another paper ("Comment on arXiv:..."), one in a hundred cites one in its
abstract, one in two hundred is a reply. Then it times, best of ``--runs``:

- ``read``: the baseline: reading every paper's title, comment, journal reference, abstract and
  annotation from the database (what any scan of the text must do);
- ``suggest``: ``refresh_suggestions`` over the whole library (read, find, compare with the pairs
  already known, insert the new ones), rolled back after each run so every run finds them all;

and prints both and the ratio suggest/read. Target: ratio <= 2.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from litreview.config import sqlite_url
from litreview.db import make_engine, upgrade
from litreview.library.suggestions import _TEXTS, refresh_suggestions
from litreview.models import Paper, utcnow

WORDS = [
    "adversarial",
    "robustness",
    "latent",
    "training",
    "probe",
    "interpretability",
    "reward",
    "model",
    "policy",
    "circuit",
    "feature",
    "sparse",
    "autoencoder",
    "attention",
    "head",
    "transformer",
    "gradient",
    "loss",
    "benchmark",
    "evaluation",
    "language",
    "scaling",
    "dataset",
    "the",
    "of",
    "and",
    "in",
    "we",
    "show",
    "that",
    "a",
    "for",
    "with",
    "on",
]


def arxiv_id(n: int) -> str:
    return f"{2001 + n // 90000}.{n % 90000 + 1:05d}"


def build(session: Session, papers: int, rng: random.Random) -> None:
    now = utcnow()
    rows = []
    for n in range(papers):
        abstract = " ".join(rng.choice(WORDS) for _ in range(120))
        comment = f"{rng.randint(4, 40)} pages, {rng.randint(1, 9)} figures"
        other = arxiv_id(rng.randrange(papers))
        if n % 50 == 0:
            comment = f"Comment on arXiv:{other}; {comment}"
        elif n % 200 == 1:
            comment = f"Reply to arXiv:{other}"
        if n % 100 == 2:
            abstract += f" As shown in arXiv:{other}, this holds."
        rows.append(
            {
                "key": f"p{n}",
                "entry_type": "article",
                "title": f"Paper {n} on " + " ".join(rng.choice(WORDS) for _ in range(6)),
                "title_fp": f"paper {n}",
                "author_names": "Ada Example",
                "abstract": abstract,
                "arxiv_id": arxiv_id(n),
                "arxiv_comment": comment,
                "arxiv_categories": [],
                "extra": {},
                "original": {},
                "status": "unread",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    for start in range(0, len(rows), 5000):
        session.execute(sa.insert(Paper), rows[start : start + 5000])
    session.commit()


def best(runs: int, fn: object) -> float:
    assert callable(fn)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(sqlite_url(Path(tmp) / "bench.db"))
        upgrade(engine)
        with Session(engine) as session:
            start = time.perf_counter()
            build(session, args.papers, random.Random(7))
            print(f"built {args.papers} papers in {time.perf_counter() - start:.1f} s")

            def read() -> None:
                session.execute(_TEXTS).all()
                session.rollback()

            found: list[int] = []

            def suggest() -> None:
                found.append(refresh_suggestions(session))
                session.rollback()

            read_s = best(args.runs, read)
            suggest_s = best(args.runs, suggest)
        engine.dispose()
    print(f"read     {read_s * 1000:8.0f} ms  (title, comment, journal ref, abstract, annotation)")
    print(f"suggest  {suggest_s * 1000:8.0f} ms  ({found[-1]} suggestions)")
    print(f"ratio suggest/read: {suggest_s / read_s:.2f}  (target <= 2)")


if __name__ == "__main__":
    sys.exit(main())
