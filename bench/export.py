"""Benchmark: the Markdown export of 50,000 annotated papers in 50 areas, as users run it.

    python bench/export.py [--papers 50000] [--areas 50] [--runs 2]

Builds two libraries through ``library.papers.import_records`` (one batch per area, with the
area path), with a fifth of the papers and with all of them, kept under /tmp between runs: 10
top-level areas of 4 sub-areas each, every paper annotated (a few paragraphs of Markdown, one in
twenty with a heading or an unclosed fence to repair), tagged, one in ten in a second area, one
relation per five papers. Then it runs ``litreview --db FILE export --format markdown -o OUT``
as a whole process on each, and ``litreview --db FILE info`` (start-up, opening the library, one
summary query) as the baseline, and prints for each its wall and CPU time and its peak memory
(the child's maximum resident set). Targets: time linear in papers (per-paper CPU time at the
full size within 1.2x of the fifth's: CPU, not wall, so that a busy machine does not decide)
and the export's peak memory under 300 MB at 50,000 papers.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from litreview.config import sqlite_url
from litreview.db import make_engine, upgrade
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.areas import area_paths, update_area
from litreview.library.papers import import_records
from litreview.models import Paper, PaperArea, PaperLink, Relation, SourceKind, utcnow

WORDS = [
    *(
        [
            "adversarial",
            "robustness",
            "latent",
            "training",
            "probe",
            "interpretability",
            "reward",
            "model",
            "policy",
        ]
    ),
    *(
        [
            "gradient",
            "attack",
            "defence",
            "evaluation",
            "benchmark",
            "transformer",
            "attention",
            "feature",
        ]
    ),
    *(
        [
            "circuit",
            "activation",
            "layer",
            "scaling",
            "law",
            "alignment",
            "preference",
            "oversight",
            "debate",
        ]
    ),
]
FAMILIES = ["Madry", "Müller", "Ångström", "van der Berg", "Casper", "Kim", "Li", "O'Neil"]
GIVEN = ["Aleksander", "Jürgen", "Zoë", "Anna", "Stephen", "Been", "Wei", "Cathy"]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def annotation(rng: random.Random, i: int) -> str:
    parts = [
        f"{sentence(rng, 18)} with **bold** and *emphasis*.",
        f"{sentence(rng, 25)}; see [the paper](https://example.org/{i}).",
        f"- {sentence(rng, 6)}\n- {sentence(rng, 6)}",
    ]
    if i % 20 == 0:
        parts.insert(1, "## A heading inside the annotation")
    if i % 40 == 0:
        parts.append("```python\nprint('unclosed')")
    return "\n\n".join(parts)


def record(rng: random.Random, i: int) -> PaperRecord:
    authors = [
        AuthorRecord(f"{g} {f}", f, g)
        for f, g in ((rng.choice(FAMILIES), rng.choice(GIVEN)) for _ in range(rng.randint(1, 12)))
    ]
    return PaperRecord(
        title=f"{sentence(rng, 8)} [{i}]",
        source=SourceKind.manual,
        key=f"paper{i:05d}",
        authors=authors,
        year=2000 + i % 25,
        venue=rng.choice([None, "NeurIPS", "ICML", "Proc. of *ICLR*"]),
        arxiv_id=f"{2000 + i // 1000}.{i % 1000:05d}" if i % 2 else None,
        doi=f"10.1234/bench.{i}" if i % 3 == 0 else None,
        tags=rng.sample(WORDS, 3),
        annotation=annotation(rng, i),
    )


def build(session: Session, papers: int, areas: int) -> None:
    rng = random.Random(1)
    top = max(1, areas // 5)
    paths = []
    for t in range(top):
        paths.append(f"Area {t}")
        paths.extend(f"Area {t}/Sub-area {s}" for s in range(areas // top - 1))
    paths = paths[:areas]
    per_area = -(-papers // len(paths))
    for a, path in enumerate(paths):
        batch = [record(rng, i) for i in range(a * per_area, min(papers, (a + 1) * per_area))]
        import_records(session, batch, area_path=path)
    by_path = {p: i for i, p in area_paths(session).items()}
    for path, area_id in by_path.items():
        update_area(session, area_id, description=f"What {path} is about: *{sentence(rng, 10)}*.")
    ids = [row[0] for row in session.execute(sa.select(Paper.id).order_by(Paper.id))]  # type: ignore[call-overload]
    area_ids = list(by_path.values())
    placed = {
        (r[0], r[1]) for r in session.execute(sa.select(PaperArea.paper_id, PaperArea.area_id))
    }  # type: ignore[call-overload]
    extra = [
        {"paper_id": pid, "area_id": aid, "note": "also here"}
        for pid in ids[::10]
        for aid in [rng.choice(area_ids)]
        if (pid, aid) not in placed
    ]
    session.execute(sa.insert(PaperArea), extra)
    relations = list(Relation)
    links = {
        (src, dst, rng.choice(relations))
        for src in ids[::5]
        for dst in [rng.choice(ids)]
        if src != dst
    }
    session.execute(
        sa.insert(PaperLink),
        [
            {"source_id": s, "target_id": t, "relation": r, "note": "", "created_at": utcnow()}
            for s, t, r in sorted(links)
        ],
    )
    session.commit()


def build_library(path: Path, papers: int, areas: int) -> None:
    """The library of ``papers`` papers at ``path`` (built once, then reused)."""
    if path.exists():
        return
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine(sqlite_url(partial))
    upgrade(engine)
    start = time.perf_counter()
    with Session(engine) as session:
        build(session, papers, areas)
    engine.dispose()
    partial.rename(path)
    print(f"built {papers:,} papers in {areas} areas in {time.perf_counter() - start:.0f} s")


def run(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident megabytes of one process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{' '.join(argv)} failed ({status})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(runs: int, argv: list[str]) -> tuple[float, float, float]:
    """The fastest of ``runs`` runs (its wall, CPU) and the highest peak memory of them."""
    results = [run(argv) for _ in range(runs)]
    wall, cpu, _ = min(results)
    return wall, cpu, max(r[2] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--areas", type=int, default=50)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    litreview = str(Path(sys.executable).with_name("litreview"))
    sizes = [args.papers // 5, args.papers]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "bibliography.md"
        for papers in sizes:
            db = Path(tempfile.gettempdir()) / f"litreview-bench-export-{papers}-{args.areas}.db"
            build_library(db, papers, args.areas)
            info = best(args.runs, [litreview, "--db", str(db), "info"])
            export = best(
                args.runs,
                [litreview, "--db", str(db), "export", "--format", "markdown", "-o", str(out)],
            )
            rows.append((papers, export, info, out.stat().st_size))
    print(f"{'papers':>8} {'export s':>9} {'cpu s':>7} {'peak MB':>8} {'info s':>7} {'info MB':>8}")
    for papers, (wall, cpu, peak), (i_wall, _, i_peak), size in rows:
        print(f"{papers:>8,} {wall:>9.2f} {cpu:>7.2f} {peak:>8.0f} {i_wall:>7.2f} {i_peak:>8.0f}")
        print(f"{'':>8} ({size / 1e6:.0f} MB of Markdown)")
    (small, (_, t_small, _), _, _), (large, (_, t_large, peak), _, _) = rows
    per_paper = (t_large / large) / (t_small / small)
    print(f"per-paper CPU, {large:,} vs {small:,} papers: {per_paper:.2f}x (linear: ~1; <= 1.2)")
    print(f"peak memory of the export at {large:,} papers: {peak:.0f} MB (target < 300 MB)")
    sys.exit(0 if per_paper <= 1.2 and peak < 300 else 1)


if __name__ == "__main__":
    main()
