"""pandoc's citeproc renders our BibTeX and CSL-JSON exports as it renders the original files.

Runs Debian's ``pandoc`` (``.ci/run`` installs it; skipped with the reason where it is missing)
over a set of corpus files, over our BibTeX export of each and over our CSL-JSON export, and
compares the rendered references entry by entry (Chicago author-date, pandoc's default).

Measured on these files: BibTeX 95 of 95 entries agree; CSL-JSON 73 of 95. The remaining CSL
differences, by kind: biblatex quoting macros (``\\mkbibquote``, ``\\enquote``) that pandoc
renders as quotes and we decode to plain text; title casing where pandoc does not map a
``langid`` (``nswissgerman``) that we map to a BCP 47 tag (so citeproc rightly keeps the
German capitalisation); a title with quote marks around a ``nocase`` span. The issue's target
of 98% for CSL-JSON is not reached yet; the floor below guards against regressions.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bibtex_helpers import all_views, fresh_engine, template_database
from sqlmodel import Session

from litreview.exporters.bibtex import render_bibtex
from litreview.exporters.csljson import csl_json
from litreview.library.bibtex import import_bibtex

FILES = (
    "bbt_Better_BibLaTeX_import_improvements_549.bib",
    "bbt_Literal_names.bib",
    "bbt_Math_formatting_lost_on_import_627.bib",
    "bbt_Language_field_in_the_metadata_exported_incorrectly_1921.biblatex",
)
_ENTRY = re.compile(r'<div id="ref-(.*?)"\s+class="csl-entry"[^>]*>(.*?)</div>', re.S)


def _render(bibliography: Path) -> dict[str, str]:
    """Each entry's rendered reference, as plain text, by citation key."""
    done = subprocess.run(
        ["pandoc", "--citeproc", "-t", "html", f"--bibliography={bibliography}"],
        input="---\nnocite: '@*'\n---\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {
        key: " ".join(re.sub(r"<[^>]+>", "", html.unescape(body)).split())
        for key, body in _ENTRY.findall(done.stdout)
    }


def test_citeproc_renders_our_exports_as_the_originals(corpus: Path, tmp_path: Path) -> None:
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed (apt-get install -y pandoc; .ci/run does)")
    template = template_database(tmp_path)
    total = bibtex_agree = csl_agree = 0
    for name in FILES:
        source = corpus / "bibtex" / name
        original = tmp_path / "original.bib"
        original.write_bytes(source.read_bytes())
        engine = fresh_engine(template, tmp_path / f"{name}.db")
        with Session(engine) as session:
            import_bibtex(session, source.read_bytes(), source=name)
            session.commit()
            views = all_views(session)
            (tmp_path / "ours.bib").write_text(render_bibtex(views), encoding="utf-8")
            (tmp_path / "ours.json").write_text(csl_json(views), encoding="utf-8")
        engine.dispose()
        expected = _render(original)
        ours_bib, ours_csl = _render(tmp_path / "ours.bib"), _render(tmp_path / "ours.json")
        assert expected, name
        for key, text in expected.items():
            total += 1
            bibtex_agree += ours_bib.get(key) == text
            csl_agree += ours_csl.get(key) == text
    assert bibtex_agree >= 0.98 * total, (bibtex_agree, total)
    assert csl_agree >= 0.7 * total, (csl_agree, total)
