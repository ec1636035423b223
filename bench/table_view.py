"""Benchmark: the table view (web/table.html) on 10,000 papers in Chromium.

    python bench/table_view.py [--papers 10000] [--runs 3]

Starts ``litreview serve`` on a temporary library (tests/web_support.py, as the browser tests
do) and fills it with a spreadsheet import of ``--papers`` rows (title, year, a number and a
choice column of one's own; 50 of them tagged ``few``). Then, in Debian's chromium through
Playwright, best of ``--runs``, from the navigation's start:

- ``first rows``: the grid shows its first rows and takes input (the page is usable; Tabulator's
  virtual DOM renders only the visible rows, and the first page of 500 papers comes at once);
- ``all rows``: every paper is in the grid (the later pages arrive in the background);
- ``baseline``: the first rows of the same page showing the 50 papers tagged ``few``
  (``table.html?tag=few``): the page's fixed cost.

Target: the first rows of 10,000 within 500 ms.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from arxiv_server import FakeArxiv  # noqa: E402
from playwright.sync_api import BrowserContext, sync_playwright  # noqa: E402
from web_support import CHROMIUM, CHROMIUM_ARGS, live_server  # noqa: E402

from litreview.config import sqlite_url  # noqa: E402
from litreview.db import make_engine  # noqa: E402
from litreview.library.table_import import import_table  # noqa: E402

# Set before the page's own scripts run: when the grid first holds rows, and when all are in.
WATCH = """
window.__firstRows = null;
new MutationObserver((_, observer) => {
    if (document.querySelector('#grid .tabulator-row')) {
        window.__firstRows = performance.now();
        observer.disconnect();
    }
}).observe(document, {childList: true, subtree: true});
"""


def build(db_path: Path, papers: int, rng: random.Random) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Title", "Year", "Params", "Method", "Tags"])
    for n in range(papers):
        title = f"Paper {n}: {rng.choice(['scaling', 'reward', 'probing', 'debate'])} study"
        params = f"{rng.uniform(0.1, 500):.2f}"
        tags = "few" if n % max(1, papers // 50) == 0 else ""
        writer.writerow([title, rng.randint(1995, 2024), params, rng.choice("ABC"), tags])
    engine = make_engine(sqlite_url(db_path))
    with Session(engine) as session:
        import_table(session, out.getvalue().encode(), source="bench.csv")
        session.commit()
    engine.dispose()


def time_table(context: BrowserContext, url: str) -> tuple[float, float]:
    """Milliseconds from the navigation's start to the first rows, and to every row (a new
    page each time, so no earlier page's requests are still running)."""
    page = context.new_page()
    page.goto(url, wait_until="commit")
    first = all_rows = None
    deadline = time.monotonic() + 180
    # Polled from here: the page's CSP forbids the eval that wait_for_function would need.
    while all_rows is None and time.monotonic() < deadline:
        first = first or page.evaluate("window.__firstRows")
        if page.evaluate("document.body?.dataset.ready === 'true'"):
            all_rows = page.evaluate("performance.now()")
        time.sleep(0.02)
    page.close()
    if first is None or all_rows is None:
        raise TimeoutError(f"{url} did not fill its grid within 3 minutes")
    return float(first), float(all_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeArxiv.running() as fake,
        live_server(Path(tmp), fake) as server,
    ):
        start = time.perf_counter()
        build(server.db_path, args.papers, random.Random(5))
        print(f"imported {args.papers:,} rows in {time.perf_counter() - start:.1f} s")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(WATCH)
            table = f"{server.url}/static/table.html"
            full = [time_table(context, table) for _ in range(args.runs)]
            few = [time_table(context, f"{table}?tag=few") for _ in range(args.runs)]
            browser.close()
    first, every = min(f for f, _ in full), min(a for _, a in full)
    base = min(f for f, _ in few)
    print(f"first rows {first:7.0f} ms  ({args.papers:,} papers)")
    print(f"all rows   {every:7.0f} ms")
    print(f"baseline   {base:7.0f} ms  (first rows of the 50 papers tagged 'few')")
    print(f"ratio first rows/baseline: {first / base:.1f}; target: first rows within 500 ms")


if __name__ == "__main__":
    sys.exit(main())
