"""Benchmark: the Markdown export of 10,000 annotated papers in 50 areas.

    python bench/export.py [--papers 10000] [--areas 50] [--runs 3]

Builds a library in a temporary SQLite file through ``library.papers.import_records`` (one batch
per area, with the area path): 10 top-level areas of 4 sub-areas each, every paper annotated
(a few paragraphs of Markdown, one in twenty with a heading or an unclosed fence to repair),
tagged, one in ten in a second area, and one relation per five papers. Then it times, best of
``--runs`` (each, as in ``export_text``, with the cyclic garbage collector paused):

- ``export``: what ``litreview export`` does: select, load the views and the tree
  (``load_export``), render Markdown;
- ``views``: the baseline: ``load_paper_views`` of the same ids, without relations (the
  database floor: the ORM rows of papers, people, tags, areas and annotations);
- ``json``: a second baseline: ``json.dumps`` of the same views' fields (a trivial renderer);

and prints the times, the ratios export/views and render/json. Target: export <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from litreview.config import sqlite_url
from litreview.db import make_engine, upgrade
from litreview.exporters import export_text, get_format
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.areas import area_paths, update_area
from litreview.library.export import ExportOptions, load_export
from litreview.library.papers import import_records
from litreview.library.views import load_paper_views
from litreview.models import Paper, PaperArea, PaperLink, Relation, SourceKind, utcnow
from litreview.query import PaperFilter

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


def best(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Best time of ``runs``."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--areas", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder) / "bench.db"))
        upgrade(engine)
        start = time.perf_counter()
        with Session(engine) as session:
            build(session, args.papers, args.areas)
        built = time.perf_counter() - start
        print(f"built {args.papers} papers in {args.areas} areas in {built:.1f} s")
        markdown = get_format("markdown")
        options = ExportOptions(title="Benchmark", with_status=True, with_rating=True)

        def export() -> str:
            with Session(engine) as session:
                return export_text(session, markdown, PaperFilter(), options)

        def load() -> Any:
            with Session(engine) as session:
                return load_export(session, PaperFilter(), options)

        def views() -> Any:
            with Session(engine) as session:
                ids = [row[0] for row in session.execute(sa.select(Paper.id))]  # type: ignore[call-overload]
                return load_paper_views(session, ids, with_links=False)

        t_export, text = best(args.runs, export)
        t_load, data = best(args.runs, load)
        t_render, _ = best(args.runs, lambda: markdown.render(data))
        t_views, loaded = best(args.runs, views)
        rows = [
            {
                "key": v.paper.key,
                "title": v.paper.title,
                "year": v.paper.year,
                "authors": [p.name for p in v.authors],
                "tags": v.tags,
                "areas": [a.path for a in v.areas],
                "annotation": v.annotation_markdown,
                "links": [(lk.relation.value, lk.other_key) for lk in v.links],
            }
            for v in loaded
        ]
        t_json, _ = best(args.runs, lambda: json.dumps(rows, ensure_ascii=False))
        engine.dispose()
    print(f"markdown: {len(text):,} characters, {text.count(chr(10)):,} lines")
    print(f"export (select + load + render): {t_export:.3f} s   target <= 1 s")
    print(f"  load_export:                   {t_load:.3f} s")
    print(f"  render markdown:               {t_render:.3f} s")
    ratio = t_export / t_views
    print(f"baseline load_paper_views:       {t_views:.3f} s   export/views = {ratio:.2f}x")
    print(
        f"baseline json.dumps same data:   {t_json:.3f} s   render/json  = {t_render / t_json:.1f}x"
    )
    sys.exit(0 if t_export <= 1.0 else 1)


if __name__ == "__main__":
    main()
