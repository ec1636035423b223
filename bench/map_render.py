"""Benchmark: the map page with 500 areas and 1,000 links, laid out and drawn in Chromium.

    python bench/map_render.py [--areas 500] [--links 1000] [--runs 3]

Starts ``litreview serve`` on a temporary library (tests/web_support.py, as the browser tests
do), fills it through the library: 50 top-level areas of 9 sub-areas each, statuses spread over
all six, and ``--links`` links between random areas (``enables`` only from an earlier area to a
later one, so none is refused). Then, in Debian's chromium through Playwright, best of ``--runs``:

- ``map``: from asking for ``#/map`` until every area is drawn and painted (fetch, layout, SVG,
  the browser's style, layout and paint: the first frame after the areas are in the page);
- ``baseline``: the same for one top-level area's subtree (10 areas), the page's fixed cost;

and prints both (with when the map's JSON had arrived), the ratio map/baseline and the load
average. Target: the full map usable within 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from arxiv_server import FakeArxiv  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from web_support import CHROMIUM, CHROMIUM_ARGS, live_server  # noqa: E402

from litreview.config import sqlite_url  # noqa: E402
from litreview.db import make_engine  # noqa: E402
from litreview.library.area_links import link_areas  # noqa: E402
from litreview.library.areas import create_area, update_area  # noqa: E402
from litreview.models import AreaRelation, AreaStatus  # noqa: E402


def build(db_path: Path, areas: int, links: int, rng: random.Random) -> list[int]:
    """The areas (roots first in each group) and links; returns the top-level area ids."""
    engine = make_engine(sqlite_url(db_path))
    statuses = list(AreaStatus)
    ids: list[int] = []
    roots: list[int] = []
    with Session(engine) as session:
        per_root = 10
        for r in range(areas // per_root):
            root = create_area(session, f"Direction {r}: " + "research " * rng.randint(0, 3))
            assert root.id is not None
            roots.append(root.id)
            ids.append(root.id)
            for c in range(per_root - 1):
                child = create_area(session, f"Open problem {r}.{c}", parent_id=root.id)
                assert child.id is not None
                ids.append(child.id)
        for n, area_id in enumerate(ids):
            update_area(session, area_id, status=statuses[n % len(statuses)])
        made: set[tuple[int, int]] = set()
        kinds = [AreaRelation.enables, AreaRelation.applies_to, AreaRelation.alternative_to]
        kinds.append(AreaRelation.related)
        while len(made) < links:
            a, b = sorted(rng.sample(range(len(ids)), 2))
            if (a, b) in made:
                continue
            made.add((a, b))
            link_areas(session, ids[a], ids[b], kinds[len(made) % len(kinds)])
        session.commit()
    engine.dispose()
    return roots


def time_map(page: Page, url: str, hash_: str, expected: int) -> tuple[float, float]:
    """Milliseconds from asking for ``hash_`` until ``expected`` areas are drawn and painted,
    and until the map's JSON had arrived."""
    page.goto(url + "/#/")
    page.wait_for_selector("#results")
    page.evaluate(
        """([hash, expected]) => {
            window.__drawn = null;
            const start = performance.now();
            const watch = new MutationObserver(() => {
                if (document.querySelectorAll('#map-svg .map-node').length === expected) {
                    watch.disconnect();
                    // A timeout set in an animation frame runs after that frame is painted.
                    requestAnimationFrame(() => setTimeout(() => {
                        const fetched = performance.getEntriesByType("resource")
                            .filter((e) => e.name.includes("/api/map"))
                            .map((e) => e.responseEnd - start);
                        window.__drawn = [performance.now() - start, Math.max(...fetched)];
                    }, 0));
                }
            });
            watch.observe(document.body, {childList: true, subtree: true});
            location.hash = hash;
        }""",
        [hash_, expected],
    )
    # Polled from here: the page's CSP forbids the eval that wait_for_function would need.
    for _ in range(1200):
        elapsed: list[float] | None = page.evaluate("window.__drawn")
        if elapsed is not None:
            return elapsed[0], elapsed[1]
        time.sleep(0.05)
    raise TimeoutError(f"the map of {expected} areas was not drawn within a minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeArxiv.running() as fake,
        live_server(Path(tmp), fake) as server,
    ):
        roots = build(server.db_path, args.areas, args.links, random.Random(3))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            whole = min(time_map(page, server.url, "#/map", args.areas) for _ in range(args.runs))
            part = min(
                time_map(page, server.url, f"#/map?root={roots[0]}", 10) for _ in range(args.runs)
            )
            browser.close()
    shape = f"{args.areas} areas, {args.links} links"
    print(f"map       {whole[0]:7.0f} ms  ({shape}; data in at {whole[1]:.0f} ms)")
    print(f"baseline  {part[0]:7.0f} ms  (one subtree, 10 areas; data in at {part[1]:.0f} ms)")
    print(f"ratio map/baseline: {whole[0] / part[0]:.1f}; target: the full map within 1000 ms")
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    sys.exit(main())
