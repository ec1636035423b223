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

from litreview.exporters.csltext import (
    SINGLE_QUOTES,
    Piece,
    csl_text,
    csl_title,
    title_pieces,
)
from litreview.exporters.mdtext import safe_url
from litreview.exporters.written import borrowed_title, written_doi, written_people
from litreview.importers.bibnames import name_particles, name_suffix, parse_names
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
    # BibLaTeX's further types, as pandoc reads them.
    "artwork": "graphic",
    "audio": "song",
    "commentary": "book",
    "image": "graphic",
    "jurisdiction": "legal_case",
    "legal": "treaty",
    "legislation": "legislation",
    "letter": "personal_communication",
    "movie": "motion_picture",
    "music": "song",
    "mvreference": "book",
    "newsarticle": "article-newspaper",
    "performance": "speech",
    "review": "review",
    "standard": "legislation",
    "video": "motion_picture",
}
# An article's ``entrysubtype`` -> its CSL type.
ARTICLE_SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}
# ``eprinttype`` -> where the ``eprint`` is found (when the entry has no url of its own).
EPRINT_URLS = {
    "jstor": "https://www.jstor.org/stable/",
    "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/",
    "googlebooks": "https://books.google.com?id=",
    "hdl": "https://hdl.handle.net/",
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
    "afrikaans": "af-ZA", "icelandic": "is-IS", "norsk": "nb-NO", "nynorsk": "nn-NO",
    "bokmal": "nb-NO", "slovak": "sk-SK", "slovene": "sl-SI", "slovenian": "sl-SI",
    "serbian": "sr-RS", "bulgarian": "bg-BG", "estonian": "et-EE", "latvian": "lv-LV",
    "lithuanian": "lt-LT", "magyar": "hu-HU", "basque": "eu-ES", "galician": "gl-ES",
    "irish": "ga-IE", "welsh": "cy-GB", "indonesian": "id-ID", "thai": "th-TH",
    "vietnamese": "vi-VN", "persian": "fa-IR", "farsi": "fa-IR", "hindi": "hi-IN",
    "brazil": "pt-BR", "portuges": "pt-PT", "francais": "fr-FR", "frenchb": "fr-FR",
    "germanb": "de-DE", "albanian": "sq-AL", "mongolian": "mn-MN", "swiss": "de-CH",
    # ISO 639-2 codes that Zotero and library catalogues write.
    "eng": "en-US", "ger": "de-DE", "deu": "de-DE", "fre": "fr-FR", "fra": "fr-FR",
    "spa": "es-ES", "ita": "it-IT", "dut": "nl-NL", "nld": "nl-NL", "por": "pt-PT",
    "rus": "ru-RU", "jpn": "ja-JP", "chi": "zh-CN", "zho": "zh-CN",
}  # fmt: skip
# A language tag as CSL expects it (BCP 47): a name we cannot map is not written, since citeproc
# would take it for a language other than English.
_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Entry types whose ``number`` is the number in their series.
SERIES_NUMBERED = frozenset({"book", "chapter", "paper-conference", "entry-encyclopedia"})
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
    "chapter": "chapter-number",
    "type": "genre",
    "issue": "issue",
    "school": "publisher",
    "institution": "publisher",
    "organization": "publisher",
    "howpublished": "publisher",
    "doi": "DOI",  # one that is not a DOI the library knows (``fg6rf9``): as written
    "pubstate": "status",
    "volumes": "number-of-volumes",
}
# biblatex's localisation keys (its english.lbx) that ``type``, ``pubstate`` and ``series`` give.
BIBSTRINGS = {
    "mathesis": "Master’s thesis", "phdthesis": "PhD thesis", "candthesis": "Candidate thesis",
    "techreport": "technical report", "resreport": "research report",
    "software": "computer software", "datacd": "CD-ROM", "audiocd": "audio CD",
    "patent": "patent", "patentde": "German patent", "patenteu": "European patent",
    "patentfr": "French patent", "patentuk": "British patent", "patentus": "U.S. patent",
    "patreq": "patent request", "patreqde": "German patent request",
    "patreqeu": "European patent request", "patreqfr": "French patent request",
    "patrequk": "British patent request", "patrequs": "U.S. patent request",
    "newseries": "new series", "oldseries": "old series", "inpress": "in press",
    "forthcoming": "forthcoming", "submitted": "submitted", "prepublished": "pre-published",
}  # fmt: skip
_KEYED_FIELDS = frozenset({"type", "pubstate", "series"})
THESIS_GENRES = {"phdthesis": BIBSTRINGS["phdthesis"], "mastersthesis": BIBSTRINGS["mathesis"]}
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
# An initial run together with the next one ("E.H.", not "Yu.Yu." or "Ch.M."): both single capitals.
_INITIALS = re.compile(r"(?<![^\s.])([^\W\d_])\.(?=([^\W\d_])(?:[.\s]|$))")
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
# biblatex's (EDTF) dates: ``2016-07-18T20:26``, ``-0876`` (877 BC), ``y-51234``, ``199u`` (the
# 1990s), ``1999-uu``, ``2004-22`` (summer), ``1723?~`` (circa); ``unknown`` is no date.
_EDTF = re.compile(
    r"^y?(-?)(\d+|\d{1,3}[uX]{1,3})(?:-(\d\d|[uX]{2}))?(?:-(\d\d|[uX]{2}))?(?:T[\d:.+Z-]*)?([?~%]*)$"
)
_FIRST_DIGIT, _LAST_DIGIT = str.maketrans("uX", "00"), str.maketrans("uX", "99")


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
    extra = paper.extra or {}
    original = paper.original or {}
    csl_type = _csl_type(paper)
    item: dict[str, Any] = {"id": paper.key, "type": csl_type}
    language = _language(extra)
    if language:
        item["language"] = language
    # Sentence case for English titles from BibTeX (see csltext).
    english = bool(paper.original) and (language is None or language.lower().startswith("en"))
    # A title taken from another field (a title-less entry) is not given as the title.
    own_title = paper.title and not borrowed_title(paper)
    pieces = title_pieces(paper.title, original.get("title")) if own_title else []
    if pieces:
        pieces += _title_parts(extra, "subtitle", "titleaddon")
    if pieces:
        item["title"] = csl_text(pieces, english=english)
    for role, people in (("author", view.authors), ("editor", view.editors)):
        names = _csl_names(original.get(role), people)
        if names:
            item[role] = names
    issued = _csl_date(paper.date, paper.year, _decoded(extra.get("month")))
    written_year = _decoded(original.get("year") or extra.get("year"))
    if not paper.date and written_year and not written_year.isdigit():
        item["issued"] = {"literal": written_year}  # ``Autumn 2001``, ``1989 [1987]``
    elif issued:
        item["issued"] = issued
    _venue(item, paper, csl_type, english)
    if (paper.entry_type or "").lower() in THESIS_GENRES and not _decoded(extra.get("type")):
        item["genre"] = THESIS_GENRES[paper.entry_type.lower()]  # a ``type`` says it otherwise
    doi = written_doi(paper)
    if doi:
        item["DOI"] = doi.strip()
    url = paper.url if safe_url(paper.url) else _eprint_url(paper)
    if url:
        item["URL"] = url
    _extra(item, extra, csl_type, english)
    if csl_type in ("post", "post-weblog") and "publisher" in item and not paper.venue:
        item["container-title"] = item.pop("publisher")  # the forum or blog posted on
    _people_and_dates(item, extra)
    _arxiv(item, paper, _decoded(extra.get("note")))
    if paper.abstract:
        item["abstract"] = paper.abstract
    if view.tags:
        item["keyword"] = ", ".join(view.tags)
    if view.annotation_markdown.strip():
        item["annote"] = view.annotation_markdown
    return item


def _csl_type(paper: Any) -> str:
    entry_type = (paper.entry_type or "misc").lower()
    extra = paper.extra or {}
    if bool(paper.arxiv_id) and not paper.venue and entry_type in ("article", "misc"):
        return "article"  # a preprint
    kind = web_kind(entry_type, extra)
    if kind is not None:
        return KIND_FORMS[kind].csl_type
    subtype = str(extra.get("entrysubtype", "")).strip().lower()
    if entry_type == "article" and subtype in ARTICLE_SUBTYPES:
        return ARTICLE_SUBTYPES[subtype]
    return CSL_TYPES.get(entry_type, "document")


def _language(extra: dict[str, Any]) -> str | None:
    """The BCP 47 tag of ``langid`` or ``language`` (None when there is none)."""
    for name in ("langid", "language"):
        text = _decoded(extra.get(name))
        tag = LANGUAGES.get(text.lower(), text) if text else None
        if tag and _TAG.match(tag):
            return tag
    return None


def _venue(item: dict[str, Any], paper: Any, csl_type: str, english: bool) -> None:
    """The venue: a journal as it is; a book's, a series' or a proceedings' title as a title."""
    venue = paper.venue
    if not venue or (csl_type == "book" and venue == paper.title):
        return  # a book's own booktitle is its title, not a container
    journal = csl_type.startswith("article") or csl_type == "periodical"
    original = (paper.original or {}).get("booktitle")
    text = csl_title(venue, None if journal else original, english=english and not journal)
    subtitle = _decoded((paper.extra or {}).get("journalsubtitle"))
    if journal and subtitle:
        text = f"{text}: {csl_title(subtitle, None, english=False)}"
    parts = [] if journal else _title_parts(paper.extra or {}, "booksubtitle", "booktitleaddon")
    if parts:
        text = f"{text}{csl_text(parts, english=english)}"
    item["container-title" if csl_type != "book" else "collection-title"] = text


def _title_parts(extra: dict[str, Any], subtitle: str, addon: str) -> list[Piece]:
    """A subtitle (after ": ") and a title addon (after ". "), as biblatex prints them."""
    pieces: list[Piece] = []
    for name, joint in ((subtitle, ": "), (addon, ". ")):
        text = _decoded(extra.get(name))
        if text:
            pieces += [Piece(joint), *title_pieces(text, extra[name])]
    return pieces


def _eprint_url(paper: Any) -> str | None:
    """The arXiv abstract page, or where an ``eprint`` of another archive is found."""
    if paper.arxiv_id:
        return f"https://arxiv.org/abs/{paper.arxiv_id}"
    extra = paper.extra or {}
    eprint = _decoded(extra.get("eprint"))
    base = EPRINT_URLS.get(str(extra.get("eprinttype", "")).strip().lower())
    return f"{base}{eprint}" if eprint and base else None


def _people_and_dates(item: dict[str, Any], extra: dict[str, Any]) -> None:
    """Translators, the date the source was accessed and the original's date."""
    translators = extra.get("translator")
    if isinstance(translators, str) and translators.strip():
        people = [Person(p.name, p.family, p.given) for p in parse_names(translators).people]
        item["translator"] = _csl_names(translators, people)
    for field, variable in (("urldate", "accessed"), ("origdate", "original-date")):
        value = extra.get(field)
        date = _csl_date(value, None, None) if isinstance(value, str) else None
        if date:
            item[variable] = date


def _arxiv(item: dict[str, Any], paper: Any, note: str | None) -> None:
    """The note, and an arXiv paper's archive, number and version."""
    if note:
        item["note"] = note
    if not paper.arxiv_id:
        return
    arxiv_note = f"arXiv: {paper.arxiv_id}"
    item["note"] = f"{note}\n{arxiv_note}" if note else arxiv_note
    item["archive"] = "arXiv"
    item["archive_location"] = paper.arxiv_id
    if item["type"] == "article" and not paper.venue:
        item["number"] = f"arXiv:{paper.arxiv_id}"
        item.setdefault("publisher", "arXiv")
        if paper.arxiv_version:
            item["version"] = str(paper.arxiv_version)


def _csl_names(written: object, people: list[Person]) -> list[dict[str, str]]:
    """CSL names of the people, as the entry's field wrote them while they are still its people."""
    spelled = written_people(written, people)
    if spelled is None or not isinstance(written, str):
        return [csl_name(p) for p in people]
    particles = name_particles(written)
    names = [csl_name(p, particle) for p, particle in zip(spelled, particles, strict=False)]
    if parse_names(written).et_al:
        names.append({"literal": "others"})  # "and others": citeproc (pandoc's) prints et al.
    return names


def csl_name(person: Person, particle: str | None = None) -> dict[str, str]:
    """A CSL name: family/given (Jr as suffix, a particle apart), or ``literal`` for one part.

    ``particle`` is the von part as BibTeX read the name (none in a braced ``{da Silva}``);
    without it, the family name's leading lower-case words are taken for one.
    """
    family = " ".join(person.family.translate(SINGLE_QUOTES).split())
    # Initials one by one ("E.H." as "E. H."), as biblatex and pandoc print them.
    given = " ".join(_INITIALS.sub(_spaced_initial, person.given.translate(SINGLE_QUOTES)).split())
    if not given:
        return {"literal": family or " ".join(person.name.split())}
    name = {"family": family, "given": given}
    suffix = name_suffix(person.name, person.family, person.given)
    if suffix:
        name["suffix"] = " ".join(suffix.split())
    if particle is None:
        words = family.split(" ")
        leading = []
        while len(words) > 1 and words[0].islower():
            leading.append(words.pop(0))
        particle = " ".join(leading)
    particle = " ".join(particle.split())
    if particle and family.startswith(f"{particle} "):
        name["non-dropping-particle"] = particle
        name["family"] = family[len(particle) + 1 :]
    return name


def _spaced_initial(found: re.Match[str]) -> str:
    both = found.group(1).isupper() and found.group(2).isupper()
    return f"{found.group(1)}. " if both else found.group()


def _csl_date(date: str | None, year: int | None, month: object) -> dict[str, Any] | None:
    """A CSL date: biblatex's ranges, unspecified digits, years BC and circa; else the year."""
    if date and "/" not in date.strip("/"):
        edtf = _edtf(date)
        if edtf is not None:
            start, end, circa = edtf
            return {"date-parts": [start] if start == end else [start, end], **circa}
    elif date:
        first, last = (_edtf(part) for part in date.split("/", 1))
        if first is not None and (last is None or last[1] == first[0]):
            return {"date-parts": [first[0]], **first[2]}  # an open end (``2004/..``)
        if first is not None and last is not None:
            return {"date-parts": [first[0], last[1]], **first[2], **last[2]}
    parts = _issued(date, year, month)
    return {"date-parts": [parts]} if parts else None


def _edtf(text: str) -> tuple[list[int], list[int], dict[str, bool]] | None:
    """One biblatex date as its first and last date-parts (apart with ``199u``), and circa."""
    found = _EDTF.match(text.strip())
    if found is None:
        return None
    sign, digits, month, day, marks = found.groups()
    circa = {"circa": True} if "~" in marks or "%" in marks else {}
    if not digits.isdigit():  # unspecified digits: the decade or century
        low, high = (int(sign + digits.translate(t)) for t in (_FIRST_DIGIT, _LAST_DIGIT))
        return [_csl_year(low)], [_csl_year(high)], circa
    parts = [_csl_year(int(sign + digits))]
    if month and month.isdigit() and (1 <= int(month) <= 12 or 21 <= int(month) <= 24):
        parts.append(int(month))  # 21-24: the seasons
        if day and day.isdigit() and int(month) <= 12 and 1 <= int(day) <= 31:
            parts.append(int(day))
    return parts, parts, circa


def _csl_year(year: int) -> int:
    """ISO 8601's year 0 is 1 BC, CSL's year -1."""
    return year - 1 if year <= 0 else year


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


def _extra(item: dict[str, Any], extra: dict[str, Any], csl_type: str, english: bool) -> None:
    """Fields kept from BibTeX, decoded; the first of several names for a variable wins."""
    number = _decoded(extra.get("number"))
    series = next((n for n in ("series", "maintitle") if _decoded(extra.get(n))), None)
    if number:
        # A journal's number is its issue; a book's in a series is its number in the series.
        if csl_type == "article-journal":
            name = "issue"
            designation = _decoded(extra.get("issue"))  # biblatex's ``issue`` (``Spring``)
            number = f"{number}, {designation}" if designation else number
        else:
            name = "collection-number" if csl_type in SERIES_NUMBERED else "number"
        item[name] = number
    if series:
        name = _decoded(extra[series]) or ""
        item.setdefault(
            "collection-title", BIBSTRINGS.get(name) or csl_title(name, None, english=english)
        )
    for name, variable in EXTRA_FIELDS.items():
        text = _decoded(extra.get(name))
        if text:
            item.setdefault(variable, BIBSTRINGS.get(text, text) if name in _KEYED_FIELDS else text)


def _decoded(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(latex_to_unicode(value).split())
