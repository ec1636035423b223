"""pandoc's citeproc over a BibTeX file and over our exports of it, entry by entry.

Shared by tests/test_pandoc_citeproc.py and bench/pandoc_agreement.py: both import a file into a
fresh library, export it as BibTeX and as CSL-JSON, and render the three with Debian's pandoc
(Chicago author-date, its default; text without markup).
"""

from __future__ import annotations

import difflib
import html
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import bibtexparser
from bibtex_helpers import all_views, fresh_engine
from sqlmodel import Session

from litreview.exporters.bibtex import render_bibtex
from litreview.exporters.csljson import csl_json
from litreview.importers.latex import is_symbol_command, latex_to_unicode
from litreview.library.bibtex import import_bibtex

_ENTRY = re.compile(r'<div id="ref-(.*?)"\s+class="csl-entry"[^>]*>(.*?)</div>', re.S)


def render(bibliography: Path, timeout: float = 300) -> dict[str, str]:
    """Each entry's rendered reference, as plain text, by citation key."""
    done = subprocess.run(
        # A heap cap: an xdata loop (biber_xdata.bib) makes pandoc take all memory.
        [
            "pandoc",
            "+RTS",
            "-M2g",
            "-RTS",
            "--citeproc",
            "-t",
            "html",
            f"--bibliography={bibliography}",
        ],
        input="---\nnocite: '@*'\n---\n",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return {
        # Markup dropped before entities are decoded: a "<" in the text is not a tag.
        html.unescape(key): " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())
        for key, body in _ENTRY.findall(done.stdout)
    }


@dataclass
class Rendered:
    """One entry as pandoc renders the original, our BibTeX and our CSL-JSON ("" when absent)."""

    key: str
    original: str
    bibtex: str
    csl: str


def render_all(source: Path, template: Path, folder: Path) -> list[Rendered]:
    """Every entry pandoc renders from ``source``, but those merged into another paper."""
    original = folder / "original.bib"  # read as BibLaTeX, whatever the file's own suffix
    original.write_bytes(source.read_bytes())
    expected = render(original)
    engine = fresh_engine(template, folder / "library.db")
    try:
        with Session(engine) as session:
            import_bibtex(session, source.read_bytes(), source=source.name)
            session.commit()
            views = all_views(session)
            aliases = {a for v in views for a in v.aliases}
            (folder / "ours.bib").write_text(render_bibtex(views), encoding="utf-8")
            (folder / "ours.json").write_text(csl_json(views), encoding="utf-8")
    finally:
        engine.dispose()
        (folder / "library.db").unlink()
    ours_bib, ours_csl = render(folder / "ours.bib"), render(folder / "ours.json")
    return [
        Rendered(key, text, ours_bib.get(key, ""), ours_csl.get(key, ""))
        for key, text in expected.items()
        if key not in aliases  # merged into another paper
    ]


# The ways in which pandoc 2.17's BibLaTeX reader reads an original otherwise than biblatex prints
# it, each detected mechanically from the entry and the two renderings; see ``reader_quirk``.
QUIRKS = {
    "langid": "a langid pandoc does not map (nswissgerman, indonesian): taken for English, "
    "title-cased; our language tag keeps the case (differs only in letter case)",
    "math": "math that pandoc typesets ($<<$10=10$>>$ as < <10=10 > >, n=1 as n = 1); "
    "CSL-JSON has no math (differs only in spaces)",
    "issue": "biblatex's issue without a number (May, S1), which pandoc drops "
    "(ours differs only by (issue) after the volume)",
    "mkbibquote": "punctuation after \\mkbibquote, which citeproc moves inside our quotation "
    "marks as biblatex's American punctuation does, not inside pandoc's own",
    "dash": "words joined by \\textendash or \\textemdash, which pandoc drops "
    "({{III}}\\textendash{{V}} as III; ours only adds dash-led words)",
    "digits": "braced capitals in a word with digits ({{3D}}, {{VO2}}, {{4H}}) that pandoc "
    "lowercases (differs only in the case of letters in words with digits)",
    "lists": "biblatex lists (publisher, location) that pandoc joins with '; ' where biblatex "
    "prints 'and'",
    "macro": "a symbol or logo macro (\\MF, \\TUB, \\BibTeX, \\emdash) that pandoc drops "
    "and we print (ours only adds its text)",
    "dotless-i": "an accent on a dotless i (\\'{\\i}) that pandoc keeps as ı́ where biblatex "
    "prints í",
    "year-suffix": "only the letter after the year differs (2012a, 2012b): another entry of the "
    "same authors and year sorts otherwise",
}
_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_LISTS = ("publisher", "location", "address", "institution", "organization", "school")


@cache
def _entries(source: Path) -> dict[str, dict[str, str]]:
    """The raw fields of every entry of the original, by key (lower-case field names)."""
    library = bibtexparser.parse_string(source.read_text(encoding="utf-8", errors="replace"))
    return {
        e.key: {k.lower(): str(f.value) for k, f in e.fields_dict.items()} for e in library.entries
    }


@cache
def _pandoc_languages(source: Path) -> dict[str, str]:
    """The language pandoc's own reader gives each entry (its CSL-JSON), by key."""
    done = subprocess.run(
        ["pandoc", "+RTS", "-M2g", "-RTS", "-f", "biblatex", "-t", "csljson", str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return {item["id"]: item["language"] for item in json.loads(done.stdout) if "language" in item}


def _changes(original: str, ours: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(None, original, ours, autojunk=False)
    return [(original[a:b], ours[c:d]) for op, a, b, c, d in matcher.get_opcodes() if op != "equal"]


def _case_only(r: Rendered) -> bool:
    return r.csl.lower() == r.original.lower()


def _in_digit_words(r: Rendered) -> bool:
    """Every letter whose case differs is in a word with a digit."""
    if not _case_only(r) or len(r.csl) != len(r.original):
        return False
    for i, (a, b) in enumerate(zip(r.original, r.csl, strict=True)):
        if a != b:
            start = max(r.csl.rfind(" ", 0, i), 0)
            end = r.csl.find(" ", i)
            if not any(c.isdigit() for c in r.csl[start : end if end >= 0 else None]):
                return False
    return True


def _dash_words(fields: dict[str, str], r: Rendered) -> bool:
    if not any("\\textendash" in v or "\\textemdash" in v for v in fields.values()):
        return False
    changes = _changes(r.original, r.csl)
    return (
        bool(changes)
        and all(
            ours[:1] in "–—" and ours[1:].lower().startswith(theirs.lower())
            for theirs, ours in changes
            if ours
        )
        and all(ours for _, ours in changes)
    )


def _issue(fields: dict[str, str], r: Rendered) -> bool:
    issue = fields.get("issue", "").strip("{} ")
    return (
        bool(issue) and "number" not in fields and r.csl.replace(f" ({issue})", "", 1) == r.original
    )


def _lists(fields: dict[str, str], r: Rendered) -> bool:
    if not any(" and " in fields.get(name, "") for name in _LISTS):
        return False
    return r.original.replace("; ", " and ") == r.csl


def _macro(fields: dict[str, str], r: Rendered) -> bool:
    names = {n for v in fields.values() for n in re.findall(r"\\([A-Za-z]+)", v)}
    texts = {latex_to_unicode(f"\\{n}{{}}") for n in names if is_symbol_command(n)}
    changes = _changes(r.original, r.csl)
    return bool(changes) and all(
        not theirs.strip() and ours.strip() in texts for theirs, ours in changes
    )


_SUFFIX = re.compile(r"(\d{4})[a-z]\b")
_MOVED = re.compile(r"([’”])([.,;:!?])")
_QUIRK_TESTS: dict[str, Callable[[Path, dict[str, str], Rendered], bool]] = {
    "langid": lambda source, fields, r: (
        bool(fields.get("langid"))
        and not _TAG.match(_pandoc_languages(source).get(r.key, "en"))
        and _case_only(r)
    ),
    "math": lambda source, fields, r: (
        any("$" in v for v in fields.values())
        and r.csl.replace(" ", "") == r.original.replace(" ", "")
    ),
    "issue": lambda source, fields, r: _issue(fields, r),
    "mkbibquote": lambda source, fields, r: (
        any("\\mkbibquote" in v for v in fields.values())
        and _MOVED.sub(r"\2\1", r.original) == r.csl
    ),
    "dash": lambda source, fields, r: _dash_words(fields, r),
    "digits": lambda source, fields, r: _in_digit_words(r),
    "lists": lambda source, fields, r: _lists(fields, r),
    "macro": lambda source, fields, r: _macro(fields, r),
    "dotless-i": lambda source, fields, r: (
        any("\\i" in v for v in fields.values())
        and r.original.replace("\u0131\u0301", "\u00ed") == r.csl
    ),
    "year-suffix": lambda source, fields, r: (
        _SUFFIX.sub(r"\1", r.original) == _SUFFIX.sub(r"\1", r.csl)
    ),
}


def reader_quirk(source: Path, rendered: Rendered) -> str | None:
    """Which of ``QUIRKS`` alone explains how our CSL-JSON's rendering differs, if one does."""
    fields = _entries(source).get(rendered.key, {})
    for name, test in _QUIRK_TESTS.items():
        if test(source, fields, rendered):
            return name
    return None
