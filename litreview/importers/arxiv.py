"""Parse arXiv API answers (Atom feeds) into paper records. Pure: bytes in, records out.

Both API generations are understood: the legacy one (2007-2024: per-element ``xmlns:arxiv``,
hard-wrapped titles and abstracts, ``http://`` links) and the 2026 one (namespaces on the root,
no wrapping, ``https://`` links, ``<published>`` after ``<category>``). arXiv reports a malformed
id as an *error feed*: one entry whose ``<id>`` lies under ``/api/errors``; those become
:class:`FeedError` values, never records. The XML parser is defusedxml's, which refuses entity
expansion and external references.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from defusedxml import DefusedXmlException  # type: ignore[import-untyped, unused-ignore]
from defusedxml.ElementTree import (  # type: ignore[import-untyped, unused-ignore]
    fromstring as _safe_fromstring,
)

from litreview.errors import InvalidInput, UpstreamError
from litreview.importers.records import AuthorRecord, PaperRecord, Problem
from litreview.models import SourceKind
from litreview.normalize import ArxivId, normalize_doi, parse_arxiv_id, split_display_name

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ABS_URL = "https://arxiv.org/abs/"
ERROR_MARK = "/api/errors"
# arXiv's own taxonomy ("cs.LG", "hep-th", "cond-mat.str-el"); the legacy API also lists MSC
# and ACM classes ("53C", "I.2.6") as categories, which are kept apart.
_CATEGORY_RE = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$")
_ERROR_ID_RE = re.compile(r"#incorrect_id_format_for_(?P<id>.+)$")


@dataclass(frozen=True)
class FeedError:
    """An error entry of arXiv's: its message and, when it names one, the id it refused."""

    message: str
    refused_id: str | None = None


@dataclass
class ArxivFeed:
    """One parsed answer: records, error entries, entries we could not use, and paging facts."""

    records: list[PaperRecord] = field(default_factory=list)
    errors: list[FeedError] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None

    @property
    def entry_count(self) -> int:
        return len(self.records) + len(self.errors) + len(self.problems)


def clean_text(text: str | None) -> str | None:
    """Whitespace collapsed to single spaces (arXiv hard-wraps legacy titles); None if empty."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned or None


def parse_feed(data: bytes | str) -> ArxivFeed:
    """Parse one arXiv API answer; raises :class:`UpstreamError` when it is not an Atom feed."""
    try:
        root = cast(ET.Element, _safe_fromstring(data))
    except ET.ParseError as exc:
        raise UpstreamError(f"arXiv answered with something that is not XML: {exc}") from exc
    except DefusedXmlException as exc:
        raise UpstreamError(f"arXiv answered with XML we refuse to read: {exc}") from exc
    if root.tag != f"{ATOM}feed":
        raise UpstreamError(f"arXiv answered with {root.tag!r}, not an Atom feed")
    feed = ArxivFeed(
        total_results=_int(root.findtext(f"{OPENSEARCH}totalResults")),
        start_index=_int(root.findtext(f"{OPENSEARCH}startIndex")),
        items_per_page=_int(root.findtext(f"{OPENSEARCH}itemsPerPage")),
    )
    for position, entry in enumerate(root.iter(f"{ATOM}entry"), start=1):
        entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
        if ERROR_MARK in entry_id:
            feed.errors.append(_feed_error(entry, entry_id))
            continue
        try:
            feed.records.append(parse_entry(entry))
        except InvalidInput as exc:
            feed.problems.append(Problem(exc.message, source="arXiv feed", line=position))
    return feed


def _int(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


def _feed_error(entry: ET.Element, entry_id: str) -> FeedError:
    message = clean_text(entry.findtext(f"{ATOM}summary")) or "arXiv reported an error"
    named = _ERROR_ID_RE.search(entry_id)
    return FeedError(message, named.group("id") if named else None)


def parse_entry(entry: ET.Element) -> PaperRecord:
    """One ``<entry>`` as a record; raises :class:`InvalidInput` when it lacks an id or title."""
    entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
    arxiv_id = parse_arxiv_id(entry_id)
    title = clean_text(entry.findtext(f"{ATOM}title"))
    if not title:
        raise InvalidInput(f"arXiv entry {arxiv_id} has no title", input=entry_id)
    published = _timestamp(entry.findtext(f"{ATOM}published"))
    journal_ref = clean_text(entry.findtext(f"{ARXIV}journal_ref"))
    categories, other_classes = _categories(entry)
    record = PaperRecord(
        title=title,
        source=SourceKind.arxiv,
        source_detail=f"arXiv API {arxiv_id}",
        entry_type="article",
        authors=[_author(a) for a in entry.findall(f"{ATOM}author")],
        abstract=clean_text(entry.findtext(f"{ATOM}summary")),
        year=_year(published),
        date=published[:10] if published else None,
        venue=journal_ref,
        doi=normalize_doi(entry.findtext(f"{ARXIV}doi")),
        arxiv_id=arxiv_id.id,
        arxiv_version=arxiv_id.version,
        arxiv_categories=categories,
        primary_category=_primary_category(entry, categories),
        arxiv_comment=clean_text(entry.findtext(f"{ARXIV}comment")),
        journal_ref=journal_ref,
        published=published,
        arxiv_updated=_timestamp(entry.findtext(f"{ATOM}updated")),
        url=ABS_URL + arxiv_id.id,
        pdf_url=_pdf_link(entry, arxiv_id),
    )
    if other_classes:
        record.extra["classification"] = "; ".join(other_classes)
    return record


def _year(published: str | None) -> int | None:
    return int(published[:4]) if published and published[:4].isdigit() else None


def _author(element: ET.Element) -> AuthorRecord:
    name = clean_text(element.findtext(f"{ATOM}name")) or ""
    parts = split_display_name(name)
    affiliations = [
        text
        for text in (clean_text(a.text) for a in element.findall(f"{ARXIV}affiliation"))
        if text
    ]
    return AuthorRecord(
        name=parts.display or name,
        family=parts.family,
        given=parts.given,
        affiliation="; ".join(affiliations) or None,
    )


def _categories(entry: ET.Element) -> tuple[list[str], list[str]]:
    categories: list[str] = []
    others: list[str] = []
    for element in entry.findall(f"{ATOM}category"):
        term = clean_text(element.get("term"))
        if not term:
            continue
        target = categories if _CATEGORY_RE.match(term) else others
        if term not in target:
            target.append(term)
    return categories, others


def _primary_category(entry: ET.Element, categories: list[str]) -> str | None:
    element = entry.find(f"{ARXIV}primary_category")
    term = clean_text(element.get("term")) if element is not None else None
    return term or (categories[0] if categories else None)


def _pdf_link(entry: ET.Element, arxiv_id: ArxivId) -> str:
    for link in entry.findall(f"{ATOM}link"):
        href = link.get("href")
        if href and (link.get("title") == "pdf" or link.get("type") == "application/pdf"):
            return re.sub(r"^http://", "https://", href.strip())
    return f"https://arxiv.org/pdf/{arxiv_id}"


def _timestamp(text: str | None) -> str | None:
    """An ISO 8601 timestamp in UTC (``2011-11-08T18:48:36Z``); the text as given if odd."""
    cleaned = clean_text(text)
    if cleaned is None:
        return None
    try:
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        return cleaned[:40]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
