"""Benchmark: how often pandoc's citeproc renders our exports as it renders the originals.

    python bench/pandoc_agreement.py [--corpus DIR] [--only NAME ...] [--diffs FILE]

Over every BibTeX file of the corpus (``$LITREVIEW_CORPUS/bibtex``) whose original pandoc
renders: imports it into a fresh library, exports BibTeX and CSL-JSON, renders the original and
both exports with Debian's pandoc (tests/pandoc_support.py, as tests/test_pandoc_citeproc.py
does) and compares entry by entry. Prints per file and in total the entries that agree, and the
CSL-JSON differences by kind (tests/pandoc_support.py's ``reader_quirk``: a documented way in
which pandoc 2.17's BibTeX reader departs from what biblatex prints; "other" for the rest).
``--diffs`` writes every differing entry (key, the three renderings) as JSON lines.
Exits with a message when pandoc or the corpus is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from bibtex_helpers import template_database  # noqa: E402
from pandoc_support import reader_quirk, render_all  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("LITREVIEW_CORPUS", REPO.parent / "shared" / "corpus"))
    parser.add_argument("--corpus", type=Path, default=default)
    parser.add_argument("--only", nargs="*", default=None, help="file names to run")
    parser.add_argument("--diffs", type=Path, default=None, help="JSON lines of differences")
    args = parser.parse_args()
    if shutil.which("pandoc") is None:
        sys.exit("pandoc is not installed (apt-get install -y pandoc)")
    folder = args.corpus / "bibtex"
    if not folder.is_dir():
        sys.exit(f"no corpus at {folder} (set LITREVIEW_CORPUS)")
    names = args.only or sorted(p.name for p in folder.iterdir() if p.is_file())
    totals: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    out = args.diffs.open("w", encoding="utf-8") if args.diffs else None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = template_database(work)
        for name in names:
            try:
                rendered = render_all(folder / name, template, work)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
                totals["files pandoc cannot render"] += 1
                print(f"{name}: pandoc fails on the original ({type(error).__name__})")
                continue
            if not rendered:
                continue
            totals["files"] += 1
            bib = sum(r.bibtex == r.original for r in rendered)
            csl = sum(r.csl == r.original for r in rendered)
            totals["entries"] += len(rendered)
            totals["bibtex"] += bib
            totals["csl"] += csl
            print(f"{name}: {len(rendered)} entries, BibTeX {bib}, CSL-JSON {csl}", flush=True)
            for r in rendered:
                if r.csl == r.original:
                    continue
                kind = reader_quirk(folder / name, r) or "other"
                kinds[kind] += 1
                if out:
                    row = {"file": name, "key": r.key, "kind": kind, "original": r.original,
                           "csl": r.csl, "bibtex": r.bibtex}  # fmt: skip
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if out:
        out.close()
    entries = totals["entries"] or 1
    print(f"\n{totals['files']} files, {totals['entries']} entries "
          f"({totals['files pandoc cannot render']} files pandoc cannot render)")  # fmt: skip
    for fmt in ("bibtex", "csl"):
        print(f"{fmt}: {totals[fmt]} agree ({100 * totals[fmt] / entries:.1f}%)")
    for kind, count in kinds.most_common():
        print(f"  CSL-JSON differs, {kind}: {count}")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
