"""BibTeX export: papers (loaded as views) to BibTeX text that bibtexparser parses back.

A field whose stored value is still what its input text (``paper.original``) decodes to is
written as that input text, so an import followed by an export gives back what came in. A
changed or non-BibTeX value is written from its Unicode with the LaTeX specials escaped. The
annotation goes in ``annotation`` (and ``annote`` on request), tags in ``keywords``, and every
extra field as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from litreview.exporters.written import borrowed_title, written_doi, written_people
from litreview.importers.bibfields import (
    ANNOTATION_FIELDS,
    ARXIV_PREFIXES,
    VENUE_FIELDS,
    latex_to_unicode_keep_lines,
)
from litreview.importers.bibvalues import MONTHS
from litreview.importers.latex import encode_annotation, latex_to_unicode, unicode_to_latex
from litreview.library.export import ExportData
from litreview.library.views import PaperView, Person
from litreview.normalize import (
    clean_citation_key,
    try_arxiv_id,
)

_BOOKTITLE_TYPES = frozenset({"inproceedings", "incollection", "inbook", "conference"})


def render_bibtex_export(data: ExportData) -> str:
    """An export's papers as BibTeX (the registry's entry point)."""
    head = "".join(f"@preamble{{ {{{text}}} }}\n\n" for text in dict.fromkeys(data.preambles))
    return head + render_bibtex(data.papers, annote=data.options.annote)


def render_bibtex(papers: Sequence[PaperView], *, annote: bool = False) -> str:
    """The papers as one BibTeX file (entries in the order given)."""
    return "\n".join(_entry(view, annote) for view in papers)


def _entry(view: PaperView, annote: bool) -> str:
    paper = view.paper
    key = clean_citation_key(paper.key) or "_"  # a key typed through the API never injects
    if _arxiv_only(paper):
        lines = [f"@misc{{{key},"]
        fields: Iterator[tuple[str, str, bool]] = _arxiv_fields(view, annote)
    else:
        lines = [f"@{paper.entry_type or 'misc'}{{{key},"]
        fields = _fields(view, annote)
    seen: set[str] = set()
    for name, value, bare in fields:
        if name in seen:  # a kept input field (``year = {19xx}``) behind a stored value
            continue
        seen.add(name)
        text = value if bare else f"{{{_safe(value)}}}"
        lines.append(f"  {name} = {text},")
    lines.append("}\n")
    return "\n".join(lines)


def _arxiv_only(paper: Any) -> bool:
    """A preprint known only from arXiv (not from a BibTeX entry, no venue, no DOI)."""
    return bool(
        paper.arxiv_id
        and not paper.original
        and not paper.venue
        and not paper.doi
        and not paper.journal_ref
        and (paper.entry_type or "article") in ("article", "misc", "unpublished", "online")
    )


# Words whose capitals a style must keep: acronyms (GPT, LLMs), inner capitals (ImageNet), digits
# in a capitalised word (GPT-4, BERT2).
_KEEP_CASE = re.compile(r"(?<![\\\w{])([A-Za-z]*[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*)")


def protect_capitals(latex: str) -> str:
    """Brace the words of a title whose capitals BibTeX styles would lowercase."""

    def brace(match: re.Match[str]) -> str:
        word = match.group(1)
        return f"{{{word}}}" if word[1:] != word[1:].lower() else word

    return _KEEP_CASE.sub(brace, latex)


def _arxiv_fields(view: PaperView, annote: bool) -> Iterator[tuple[str, str, bool]]:
    """arXiv's own BibTeX: @misc with eprint, archivePrefix, primaryClass and url."""
    paper = view.paper
    for name, value, bare in _fields(view, annote):
        if name == "title":
            yield name, protect_capitals(value), bare
        elif name in ("archiveprefix", "eprinttype"):
            continue
        elif name == "eprint":
            yield "eprint", paper.arxiv_id or "", False
            yield "archivePrefix", "arXiv", False
            if paper.primary_category:
                yield "primaryClass", paper.primary_category, False
            if not paper.url:
                yield "url", f"https://arxiv.org/abs/{paper.arxiv_id}", False
        else:
            yield name, value, bare


def _fields(view: PaperView, annote: bool) -> Iterator[tuple[str, str, bool]]:
    paper = view.paper
    original: dict[str, Any] = paper.original or {}
    if paper.title and not borrowed_title(paper):
        yield "title", _text(original.get("title"), paper.title), False
    elif isinstance(original.get("title"), str):
        yield "title", original["title"], False  # a title that decodes to nothing (``{}``)
    for role, people in (("author", view.authors), ("editor", view.editors)):
        if people:
            yield role, _people(original.get(role), people), False
    if paper.year is not None:
        year = original.get("year")
        same = isinstance(year, str) and _year_of(year) == paper.year
        yield "year", year if same and isinstance(year, str) else str(paper.year), False
    if paper.date:
        date = original.get("date")
        yield (
            "date",
            date if isinstance(date, str) and date.strip() == paper.date else paper.date,
            False,
        )
    if paper.venue:
        name = _venue_field(paper.entry_type, original)
        yield name, _text(original.get(name), paper.venue), False
    doi = written_doi(paper)
    if doi:
        yield "doi", doi, False
    yield from _arxiv(paper.arxiv_id, paper.arxiv_version, original, paper.extra or {})
    if paper.url:
        url = original.get("url")
        yield "url", url if isinstance(url, str) and url.strip() == paper.url else paper.url, False
    if paper.abstract:
        yield "abstract", _text(original.get("abstract"), paper.abstract), False
    if view.tags:
        yield "keywords", _keywords(original.get("keywords"), view.tags), False
    markdown = view.annotation_markdown
    if markdown.strip():
        name = next((n for n in ANNOTATION_FIELDS if n in original), "annotation")
        source = original.get(name)
        same = isinstance(source, str) and latex_to_unicode_keep_lines(source) == markdown
        text = source if same and isinstance(source, str) else _annotation(markdown)
        yield name, text, False  # under the name it came in (``annote`` stays ``annote``)
        if annote:
            yield "annote" if name == "annotation" else "annotation", text, False
    # A crossref to the entry itself would make BibTeX readers loop.
    extra = {k: v for k, v in (paper.extra or {}).items() if not _self_crossref(k, v, paper.key)}
    if view.aliases:
        # biblatex's ``ids``: the keys of entries merged into this one still resolve.
        extra["ids"] = ", ".join(view.aliases)
    yield from _extra(extra)


def _self_crossref(name: str, value: object, key: str) -> bool:
    return name == "crossref" and isinstance(value, str) and value.strip() == key


def _text(original: object, value: str) -> str:
    """The input text when it still decodes to ``value``, else ``value`` escaped."""
    if isinstance(original, str) and latex_to_unicode(original) == value:
        return original
    return unicode_to_latex(value)


def _annotation(markdown: str) -> str:
    """Markdown as it is, its LaTeX specials escaped (lines and indentation kept)."""
    return encode_annotation(markdown.strip("\n"))


def _people(original: object, people: list[Person]) -> str:
    if isinstance(original, str) and written_people(original, people) is not None:
        return original
    return " and ".join(_person(p) for p in people)


def _person(person: Person) -> str:
    family = unicode_to_latex(person.family)
    if not person.given:
        # A one-part name (corporate, or CJK as stored): braced so it stays whole.
        return f"{{{family}}}" if (" " in family or "," in family) else family
    if " " in person.family and not person.family.split(" ", 1)[0].islower():
        family = f"{{{family}}}"  # "Brinch Hansen": two words, both family
    return f"{family}, {unicode_to_latex(person.given)}"


def _year_of(text: object) -> int | None:
    if not isinstance(text, str):
        return None
    digits = "".join(c if c.isdigit() else " " for c in text).split()
    return next((int(d) for d in digits if len(d) == 4), None)


def _venue_field(entry_type: str, original: dict[str, Any]) -> str:
    for name in VENUE_FIELDS:
        if name in original:
            return name
    return "booktitle" if entry_type.lower() in _BOOKTITLE_TYPES else "journal"


def _arxiv(
    arxiv_id: str | None, version: int | None, original: dict[str, Any], extra: dict[str, Any]
) -> Iterator[tuple[str, str, bool]]:
    if not arxiv_id:
        return
    name = "arxivid" if "arxivid" in original and "eprint" not in original else "eprint"
    given = original.get(name)
    parsed = try_arxiv_id(given) if isinstance(given, str) else None
    if isinstance(given, str) and parsed is not None and parsed.id == arxiv_id:
        yield name, given, False
    else:
        yield name, f"{arxiv_id}v{version}" if version else arxiv_id, False
    if name != "eprint" or any(n in extra for n in ARXIV_PREFIXES):
        return
    given_prefixes = [n for n in ARXIV_PREFIXES if isinstance(original.get(n), str)]
    for prefix in given_prefixes or ["archiveprefix"]:
        yield prefix, original.get(prefix, "arXiv"), False


def _keywords(original: object, tags: list[str]) -> str:
    if isinstance(original, str):
        text = latex_to_unicode(original)
        words = {" ".join(p.split()) for p in text.replace(";", ",").split(",")} - {""}
        if words == set(tags):
            return original
    return ", ".join(unicode_to_latex(t) for t in tags)


def _extra(extra: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """Every other field as it came in (inherited ones too: the entry stands on its own)."""
    for name, value in extra.items():
        if not isinstance(value, str):
            continue
        # A month macro (``mar``) is written bare; a month written as text is stored braced.
        braced_month = value[:1] == "{" and value[-1:] == "}" and value[1:-1] in MONTHS
        yield name, value, name == "month" and (value in MONTHS or braced_month)


# What can unbalance a value's braces: a brace, or a backslash and the character it escapes.
_BRACE_OR_ESCAPE = re.compile(r"\\[\s\S]?|[{}]")


def _safe(value: str) -> str:
    """``value`` if its braces balance (so it can be braced), else with every brace escaped."""
    if value.endswith("\\"):
        return _escape_braces(value)
    if "{" not in value and "}" not in value:
        return value  # most values: nothing to count
    depth = 0
    for match in _BRACE_OR_ESCAPE.finditer(value):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                break
        # (an escaped character does not count)
    return value if depth == 0 else _escape_braces(value)


def _escape_braces(value: str) -> str:
    return value.replace("{", "\\{").replace("}", "\\}")
