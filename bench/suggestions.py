"""Benchmark: finding suggested relations over a large library.

    python bench/suggestions.py [--papers 100000] [--runs 3] [--library /tmp/x-100k.db]

Builds a library in a temporary SQLite file (rows inserted in bulk): every paper has an arXiv
id, an abstract of ~120 words in sentences (some with a number such as 93.5%) and an arXiv
comment like the real ones ("12 pages, 3 figures"); one in fifty comments on another paper
("Comment on arXiv:..."), one in a hundred cites one in its abstract, one in two hundred is a
reply. Then it times, best of ``--runs`` (the three alternate, so all meet the same load):

- ``read``: the baseline: reading every paper's title, arXiv comment, journal reference,
  abstract and annotation from the database (SQLAlchemy Core rows, as the library reads);
- ``suggest``: ``refresh_suggestions`` over the whole library (read, find, compare with the pairs
  already known, insert the new ones), rolled back after each run so every run finds them all;
- ``import``: ``suggest_after_import`` of the newest paper (what every import adds: its text, and
  every paper of the library that names it);

and prints them and the ratios to read, with the load average. Target: suggest/read <= 2.
``--library FILE`` builds the library into FILE once and reuses it on later runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.config import sqlite_url
from litreview.db import make_engine, upgrade
from litreview.library.suggestions import _PLACES, refresh_suggestions, suggest_after_import
from litreview.models import Annotation, Paper, utcnow

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


def abstract_text(rng: random.Random) -> str:
    """~120 words in sentences, some with a number ("reaching 93.5%"), as real abstracts."""
    sentences = []
    for _ in range(8):
        words = [rng.choice(WORDS) for _ in range(15)]
        if rng.random() < 0.3:
            words.append(f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%")
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def build(session: Session, papers: int, rng: random.Random) -> None:
    now = utcnow()
    rows = []
    for n in range(papers):
        abstract = abstract_text(rng)
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


def best_of(runs: int, *fns: Callable[[], object]) -> list[float]:
    """The best time of each function over ``runs`` rounds, the functions alternating."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--library", type=Path, help="a library file built once and reused (/tmp/NAME-100k.db)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(sqlite_url(args.library or Path(tmp) / "bench.db"))
        upgrade(engine)
        with Session(engine) as session:
            held = session.execute(sa.select(sa.func.count()).select_from(Paper)).scalar_one()
            if held == 0:
                start = time.perf_counter()
                build(session, args.papers, random.Random(7))
                print(f"built {args.papers} papers in {time.perf_counter() - start:.1f} s")
            elif held != args.papers:
                sys.exit(f"{args.library} holds {held} papers, not {args.papers}")
            times, found = measure(session, args.runs)
        engine.dispose()
    read_s, suggest_s, import_s = times
    print(f"read     {read_s * 1000:8.0f} ms  (title, comment, journal ref, abstract, annotation)")
    print(f"suggest  {suggest_s * 1000:8.0f} ms  ({found[0]} suggestions)")
    print(f"import   {import_s * 1000:8.0f} ms  ({found[1]} suggestions after importing one paper)")
    print(f"ratio suggest/read: {suggest_s / read_s:.2f}  (target <= 2)")
    print(f"ratio import/read:  {import_s / read_s:.2f}")
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def measure(session: Session, runs: int) -> tuple[list[float], list[int]]:
    """Best times of reading the texts, a refresh, and the look after importing one paper (the
    last one added: its text and every paper that names it), each rolled back."""
    texts = sa.select(*(text for text, _ in _PLACES)).outerjoin(
        Annotation, col(Annotation.paper_id) == col(Paper.id)
    )
    newest = session.execute(sa.select(sa.func.max(col(Paper.id)))).scalar_one()
    found = [0, 0]

    def read() -> None:
        session.connection().execute(texts).all()
        session.rollback()

    def suggest() -> None:
        found[0] = refresh_suggestions(session)
        session.rollback()

    def after_import() -> None:
        found[1] = suggest_after_import(session, [newest])
        session.rollback()

    return best_of(runs, read, suggest, after_import), found


if __name__ == "__main__":
    sys.exit(main())
