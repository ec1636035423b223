"""CSL-JSON export (for pandoc ``--citeproc``, Zotero and other citation processors).

One item per paper, ``id`` = citation key. Authors and editors as family/given (a one-part
name, such as an organisation, as ``literal``; lower-case particles such as "van der" as
``non-dropping-particle``), ``issued`` from the date or the year, the venue as
``container-title``, DOI, URL, the annotation in ``annote`` and the tags in ``keyword``. An
arXiv preprint is type ``article`` with ``number`` "arXiv:<id>" and ``publisher`` "arXiv", as
Zotero writes it; every paper with an arXiv id also names it in ``note`` ("arXiv: <id>"), which
Zotero reads back. Only http(s)/ftp URLs are written. The text is stable: items in key
order, keys sorted, two-space indent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from litreview.exporters.mdtext import safe_url
from litreview.importers.bibnames import parse_names
from litreview.importers.latex import latex_to_unicode
from litreview.importers.web_kinds import KIND_FORMS, web_kind
from litreview.library.export import ExportData
from litreview.library.views import PaperView, Person

# BibTeX/BibLaTeX entry type -> CSL type (the mapping citation-js and Better BibTeX use).
CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "booklet": "pamphlet",
    "collection": "book",
    "conference": "paper-conference",
    "dataset": "dataset",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "inreference": "entry-encyclopedia",
    "reference": "book",
    "mvbook": "book",
    "mvcollection": "book",
    "mvproceedings": "book",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "periodical": "periodical",
    "manual": "report",
    "mastersthesis": "thesis",
    "misc": "document",
    "online": "webpage",
    "patent": "patent",
    "phdthesis": "thesis",
    "proceedings": "book",
    "report": "report",
    "software": "software",
    "techreport": "report",
    "thesis": "thesis",
    "unpublished": "manuscript",
    "electronic": "webpage",
    "www": "webpage",
}
# Babel/polyglossia language names (langid) -> the BCP 47 tags citeproc reads (pandoc's table).
LANGUAGES = {
    "american": "en-US", "english": "en-US", "usenglish": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-CA", "australian": "en-AU", "newzealand": "en-NZ",
    "german": "de-DE", "ngerman": "de-DE", "austrian": "de-AT", "naustrian": "de-AT",
    "swissgerman": "de-CH", "nswissgerman": "de-CH", "french": "fr-FR", "italian": "it-IT",
    "spanish": "es-ES", "portuguese": "pt-PT", "brazilian": "pt-BR", "dutch": "nl-NL",
    "swedish": "sv-SE", "danish": "da-DK", "norwegian": "nb-NO", "finnish": "fi-FI",
    "polish": "pl-PL", "czech": "cs-CZ", "russian": "ru-RU", "greek": "el-GR",
    "japanese": "ja-JP", "chinese": "zh-CN", "korean": "ko-KR", "turkish": "tr-TR",
    "hungarian": "hu-HU", "latin": "la", "catalan": "ca-AD", "croatian": "hr-HR",
    "hebrew": "he-IL", "arabic": "ar", "ukrainian": "uk-UA", "romanian": "ro-RO",
}  # fmt: skip
THESIS_GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
# BibTeX fields kept in ``extra`` -> CSL variables (numbers are named by type, below).
EXTRA_FIELDS = {
    "volume": "volume",
    "pages": "page",
    "publisher": "publisher",
    "address": "publisher-place",
    "location": "publisher-place",
    "edition": "edition",
    "isbn": "ISBN",
    "issn": "ISSN",
    "series": "collection-title",
    "chapter": "chapter-number",
    "langid": "language",
    "language": "language",
    "type": "genre",
    "issue": "issue",
    "maintitle": "collection-title",
    "school": "publisher",
    "institution": "publisher",
    "organization": "publisher",
}
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def render_csljson(data: ExportData) -> str:
    """The selected papers as a CSL-JSON array."""
    return csl_json(data.papers)


def csl_json(papers: Sequence[PaperView]) -> str:
    """CSL-JSON text of these papers, in the order given."""
    items = [csl_item(view) for view in papers]
    return json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def csl_item(view: PaperView) -> dict[str, Any]:
    """One paper as a CSL item."""
    paper = view.paper
    entry_type = (paper.entry_type or "misc").lower()
    preprint = bool(paper.arxiv_id) and not paper.venue and entry_type in ("article", "misc")
    csl_type = "article" if preprint else CSL_TYPES.get(entry_type, "document")
    kind = web_kind(entry_type, paper.extra or {})
    if kind is not None:
        csl_type = KIND_FORMS[kind].csl_type
    extra = paper.extra or {}
    title = csl_title(paper.title, (paper.original or {}).get("title"))
    subtitle = _decoded(extra.get("subtitle"))
    if subtitle:
        title = f"{title}: {subtitle}"
    item: dict[str, Any] = {"id": paper.key, "type": csl_type}
    if title:
        item["title"] = title
    if view.authors:
        item["author"] = [csl_name(p) for p in view.authors]
    if view.editors:
        item["editor"] = [csl_name(p) for p in view.editors]
    issued = _issued(paper.date, paper.year, (paper.extra or {}).get("month"))
    if issued:
        item["issued"] = {"date-parts": [issued]}
    if paper.venue and not (csl_type == "book" and paper.venue == paper.title):
        # A book's own booktitle is its title, not a container.
        item["container-title" if csl_type != "book" else "collection-title"] = paper.venue
    if entry_type in THESIS_GENRES:
        item["genre"] = THESIS_GENRES[entry_type]
    if paper.doi:
        item["DOI"] = paper.doi
    arxiv_url = f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else None
    url = paper.url if safe_url(paper.url) else arxiv_url
    if url:
        item["URL"] = url
    _extra(item, paper.extra or {}, csl_type)
    if csl_type in ("post", "post-weblog") and "publisher" in item and not paper.venue:
        item["container-title"] = item.pop("publisher")  # the forum or blog posted on
    note = _decoded(extra.get("note"))
    if note:
        item["note"] = note
    translators = extra.get("translator")
    if isinstance(translators, str) and translators.strip():
        item["translator"] = [
            csl_name(Person(p.name, p.family, p.given)) for p in parse_names(translators).people
        ]
    accessed = _issued(extra.get("urldate"), None, None)
    if accessed:
        item["accessed"] = {"date-parts": [accessed]}
    if paper.arxiv_id:
        arxiv_note = f"arXiv: {paper.arxiv_id}"
        item["note"] = f"{note}\n{arxiv_note}" if note else arxiv_note
        item["archive"] = "arXiv"
        item["archive_location"] = paper.arxiv_id
        if preprint:
            item["number"] = f"arXiv:{paper.arxiv_id}"
            item.setdefault("publisher", "arXiv")
            if paper.arxiv_version:
                item["version"] = str(paper.arxiv_version)
    if paper.abstract:
        item["abstract"] = paper.abstract
    if view.tags:
        item["keyword"] = ", ".join(view.tags)
    if view.annotation_markdown.strip():
        item["annote"] = view.annotation_markdown
    return item


def csl_title(title: str, original: object) -> str:
    """The title, its brace-protected words marked ``<span class="nocase">`` (from the input)."""
    if not isinstance(original, str) or "{" not in original:
        return title
    parts: list[str] = []
    depth, start, protected = 0, 0, False
    i = 0
    while i < len(original):
        c = original[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            if depth == 0:
                # A group right after a command (``\emph{..}``) is its argument, not a guard.
                before = original[:i].rstrip()
                protected = not re.search(r"\\[A-Za-z]+\*?$|\\.$", before)
                # ``{\"U}`` is a special character, not a case guard.
                protected = protected and original[i + 1 : i + 2] != "\\"
                parts.append(_piece(original[start:i], False))
                start = i
            depth += 1
        elif c == "}" and depth:
            depth -= 1
            if depth == 0:
                parts.append(_piece(original[start : i + 1], protected))
                start = i + 1
        i += 1
    parts.append(_piece(original[start:], False))
    marked = "".join(parts).strip()
    plain = re.sub(r"</?span[^>]*>", "", marked)
    return marked if " ".join(plain.split()) == title else title


def _piece(latex: str, protected: bool) -> str:
    """Decoded text of a piece of a title, keeping the spaces around it."""
    if not latex:
        return ""
    text = latex_to_unicode(latex)
    lead = " " if latex[:1].isspace() else ""
    trail = " " if latex[-1:].isspace() else ""
    if protected and text:
        text = f'<span class="nocase">{text}</span>'
    return f"{lead}{text}{trail}"


def csl_name(person: Person) -> dict[str, str]:
    """A CSL name: family/given, a particle apart, or ``literal`` for a one-part name."""
    family = " ".join(person.family.split())
    given = " ".join(person.given.split())
    if not given:
        return {"literal": family or " ".join(person.name.split())}
    name = {"family": family, "given": given}
    words = family.split(" ")
    particle = []
    while len(words) > 1 and words[0].islower():
        particle.append(words.pop(0))
    if particle:
        name["non-dropping-particle"] = " ".join(particle)
        name["family"] = " ".join(words)
    return name


def _issued(date: str | None, year: int | None, month: object) -> list[int] | None:
    found = _DATE.match(date) if date else None
    if found:
        parts = [int(p) for p in found.groups() if p is not None]
        if len(parts) > 1 and not 1 <= parts[1] <= 12:
            parts = parts[:1]
        if len(parts) > 2 and not 1 <= parts[2] <= 31:
            parts = parts[:2]
        return parts
    if year is None:
        return None
    number = MONTHS.get(month.strip().lower()[:3]) if isinstance(month, str) else None
    if number is None and isinstance(month, str) and month.strip().isdigit():
        number = int(month) if 1 <= int(month) <= 12 else None
    return [year, number] if number else [year]


def _extra(item: dict[str, Any], extra: dict[str, Any], csl_type: str) -> None:
    """Fields kept from BibTeX, decoded; the first of several names for a variable wins."""
    number = _decoded(extra.get("number"))
    if number:
        item["issue" if csl_type == "article-journal" else "number"] = number
    for name, variable in EXTRA_FIELDS.items():
        text = _decoded(extra.get(name))
        if text and variable == "language":
            text = LANGUAGES.get(text.lower(), text)
        if text:
            item.setdefault(variable, text)


def _decoded(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(latex_to_unicode(value).split())
