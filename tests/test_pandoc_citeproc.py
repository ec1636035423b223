"""pandoc's citeproc renders our BibTeX and CSL-JSON exports as it renders the original files.

Runs Debian's ``pandoc`` (``.ci/run`` installs it; skipped with the reason where it is missing)
over a set of corpus files, over our BibTeX export of each and over our CSL-JSON export, and
compares the rendered references entry by entry (Chicago author-date, pandoc's default; text
without markup). An entry merged into another paper (same DOI or arXiv id) is left out.

Measured on these files (1,331 entries): BibTeX 1,331 agree; CSL-JSON 1,292 (97.1%). On a wider
set (the files below plus six more, 9,806 entries) CSL-JSON agrees for 92%. The remaining CSL
differences, by kind:
- pandoc's reader does not map some ``langid`` names (``nswissgerman``, ``indonesian``,
  ``galician``) and title-cases those titles as English; we pass citeproc the language, so
  German titles keep their capitals (the language-field file: 15 entries);
- math in a ``series`` (``$<<$10=10$>>$``) that pandoc prints as text and we decode;
- biblatex's ``issue`` (``May``, ``S1``), which pandoc drops and we give as CSL ``issue``;
- punctuation after ``\\mkbibquote``: citeproc moves it inside the quotation marks;
- on the wider set: pandoc dropping words joined by a Unicode dash (``Core\u2013Shell``),
  lowercasing letters in words with digits (``4H-SiC``, ``WS2``), and name particles
  (``van Heck``) that pandoc keeps in front and we give as particles.
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
    "bbt_Bulk_performance_test.bib",
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
        # Markup dropped before entities are decoded: a "<" in the text is not a tag.
        html.unescape(key): " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())
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
            aliases = {a for v in views for a in v.aliases}
            (tmp_path / "ours.bib").write_text(render_bibtex(views), encoding="utf-8")
            (tmp_path / "ours.json").write_text(csl_json(views), encoding="utf-8")
        engine.dispose()
        expected = _render(original)
        ours_bib, ours_csl = _render(tmp_path / "ours.bib"), _render(tmp_path / "ours.json")
        assert expected, name
        for key, text in expected.items():
            if key in aliases:
                continue  # merged into another paper
            total += 1
            bibtex_agree += ours_bib.get(key) == text
            csl_agree += ours_csl.get(key) == text
    assert bibtex_agree >= 0.98 * total, (bibtex_agree, total)
    assert csl_agree >= 0.97 * total, (csl_agree, total)
