"""Mapping one BibTeX entry's evaluated fields onto a :class:`PaperRecord`.

Modelled fields (title, people, year/date, venue, DOI, arXiv id, url, abstract, keywords,
annotation) are decoded from LaTeX only when they contain any; their input text is kept in
``record.original`` when it differs from what an export would write for the decoded value.
Every other field goes to ``record.extra`` as written.
"""

from __future__ import annotations

from collections.abc import Sequence

from litreview.importers.bibnames import parse_names
from litreview.importers.latex import (
    MAX_NESTING,
    decode_annotation,
    latex_to_unicode,
    needs_latex_decoding,
    too_deep,
)
from litreview.importers.records import AuthorRecord, PaperRecord, Problem
from litreview.models import SourceKind
from litreview.normalize import clean_citation_key, normalize_doi, try_arxiv_id

VENUE_FIELDS = ("journal", "journaltitle", "booktitle")
ANNOTATION_FIELDS = ("annotation", "annote")
# Where a title comes from when an entry has none (e.g. a @proceedings with only a booktitle).
TITLE_FALLBACKS = ("booktitle", "maintitle", "journaltitle", "journal", "shorttitle")
MAX_TAG_LENGTH = 200
ARXIV_PREFIXES = ("archiveprefix", "eprinttype")
INHERITED_MARK = "_inherited"
TITLE_FROM_MARK = "_title_from"


def decode(value: str, original: dict[str, object], name: str) -> str:
    """The readable text of a field; its LaTeX input is kept in ``original``."""
    if needs_latex_decoding(value):
        original[name] = value
        return latex_to_unicode(value)
    text = " ".join(value.split())
    if text != value:
        original[name] = value  # its line breaks and runs of spaces, for the export
    return text


class FieldMapper:
    """Builds records of one file; problems go to the shared list."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        self.people: dict[str, AuthorRecord | None] = {}

    def record(
        self,
        key: str,
        entry_type: str,
        fields: dict[str, str],
        line: int,
        inherited: Sequence[str],
    ) -> PaperRecord:
        rec = PaperRecord(
            title="",
            source=SourceKind.bibtex,
            source_detail=self.source,
            key=clean_citation_key(key) or None,
            entry_type=entry_type,
            line=line,
        )
        original = rec.original
        extra = rec.extra
        if key and rec.key != key:
            rec.aliases = [key]
            self._problem(
                rec,
                f"citation key {key!r} has characters BibTeX does not accept; stored as"
                f" {rec.key!r}, the original kept as an alias",
            )
        for name, value in fields.items():
            if too_deep(value):
                self._problem(
                    rec, f"{name} nests braces more than {MAX_NESTING} deep; kept as written"
                )
        venue_field = next((n for n in VENUE_FIELDS if n in fields), None)
        note_field = next((n for n in ANNOTATION_FIELDS if n in fields), None)
        for name, value in fields.items():
            if name == "title":
                rec.title = decode(value, original, name)
            elif name in ("author", "editor"):
                self._people(rec, name, value)
            elif name == "year":
                self._year(rec, value)
            elif name == "date":
                rec.date = value.strip() or None
                if rec.date and rec.date != value:
                    original[name] = value
            elif name == venue_field:
                rec.venue = latex_to_unicode(value) or None
                if rec.venue is None and value.strip():
                    extra[name] = value  # decodes to nothing (``{\TUB{}}``): kept as written
                elif rec.venue is not None:
                    original[name] = value
            elif name == "doi":
                rec.doi = normalize_doi(value)
                if rec.doi is None:
                    extra[name] = value
                elif rec.doi != value:
                    original[name] = value
            elif name == "url":
                rec.url = value.strip() or None
                if value != rec.url:
                    original[name] = value
            elif name == "abstract":
                rec.abstract = decode(value, original, name) or None
                if rec.abstract is None and value.strip():
                    original.pop(name, None)
                    extra[name] = value
            elif name == "keywords":
                self._tags(rec, value)
            elif name == "ids":
                rec.aliases = [k.strip() for k in value.split(",") if k.strip()]
            elif name == note_field and _arxiv_comment(name, value):
                # Zotero puts arXiv's comment in ``annote``: it is not the user's annotation.
                rec.arxiv_comment = _arxiv_comment(name, value)
                extra[name] = value
            elif name == note_field:
                original[name] = value
                rec.annotation = latex_to_unicode_keep_lines(value) or None
                if rec.annotation is None:
                    del original[name]
                    extra[name] = value  # empty (``annote = {}``): kept as written
            else:
                extra[name] = value
        if rec.year is None and rec.date and rec.date[:4].isdigit():
            rec.year = int(rec.date[:4])
        self._arxiv(rec, fields)
        if not rec.title:
            self._fallback_title(rec, fields)
        if inherited:
            original[INHERITED_MARK] = sorted(inherited)
        return rec

    def _problem(self, rec: PaperRecord, message: str, kind: str = "warning") -> None:
        self.problems.append(Problem(message, self.source, rec.line, rec.key, kind))

    def _people(self, rec: PaperRecord, name: str, value: str) -> None:
        names = parse_names(value, self.people)
        if not names.people:
            rec.extra[name] = value  # no one in it (``editor = ""``): kept as written
            return
        rec.original[name] = value
        if name == "author":
            rec.authors = names.people
        else:
            rec.editors = names.people

    def _year(self, rec: PaperRecord, value: str) -> None:
        text = value.strip()
        if text.isdigit() and len(text) <= 4:
            rec.year = int(text)
            if text != value:
                rec.original["year"] = value
            return
        rec.original["year"] = value
        digits = ""
        for c in text:
            digits = digits + c if c.isdigit() else ("" if len(digits) < 4 else digits)
            if len(digits) == 4:
                rec.year = int(digits)
                return
        # No year in it (``19xx``, ``in press``): kept as written.
        del rec.original["year"]
        rec.extra["year"] = value

    def _tags(self, rec: PaperRecord, value: str) -> None:
        rec.original["keywords"] = value
        text = latex_to_unicode(value) if needs_latex_decoding(value) else value
        tags: dict[str, None] = {}
        for part in text.replace(";", ",").split(","):
            tag = " ".join(part.split())
            if not tag or tag in tags:
                continue
            if len(tag) > MAX_TAG_LENGTH:
                self._problem(rec, f"keyword longer than {MAX_TAG_LENGTH} characters not tagged")
                continue
            tags[tag] = None
        if tags:
            rec.tags = list(tags)

    def _arxiv(self, rec: PaperRecord, fields: dict[str, str]) -> None:
        eprint = fields.get("eprint") or fields.get("arxivid")
        prefix_field = next((n for n in ARXIV_PREFIXES if n in fields), None)
        prefix = fields[prefix_field].strip().lower() if prefix_field else None
        # An eprint without a type is arXiv's by the original convention; Mendeley's arxivId too.
        typed = prefix in ("arxiv", None) or ("arxivid" in fields and "eprint" not in fields)
        parsed = try_arxiv_id(eprint) if eprint and typed else None
        if parsed is not None:
            used = "eprint" if "eprint" in fields else "arxivid"
            for name in (used, *ARXIV_PREFIXES):
                if name == used or fields.get(name, "").strip().lower() == "arxiv":
                    rec.extra.pop(name, None)
                    rec.original[name] = fields[name]
        elif rec.url:
            parsed = try_arxiv_id(rec.url)
        if parsed is not None:
            rec.arxiv_id = parsed.id
            rec.arxiv_version = parsed.version

    def _fallback_title(self, rec: PaperRecord, fields: dict[str, str]) -> None:
        for name in TITLE_FALLBACKS:
            if fields.get(name, "").strip():
                rec.title = latex_to_unicode(fields[name])
                rec.original[TITLE_FROM_MARK] = name
                self._problem(rec, f"entry has no title; its {name} is used as the title")
                return


def _arxiv_comment(name: str, value: str) -> str | None:
    """arXiv's comment when a Zotero ``annote`` holds only that (``Comment: 24 pages``)."""
    text = value.strip()
    if name != "annote" or not text.startswith("Comment:") or "\n" in text:
        return None
    return text.removeprefix("Comment:").strip() or None


def latex_to_unicode_keep_lines(value: str) -> str:
    """An annotation's Markdown: only accents and escaped specials decoded, lines kept."""
    return decode_annotation(value.replace("\r\n", "\n")).strip("\n")
