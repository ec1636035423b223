"""Sources that are not papers: blog posts, forum posts, reports, videos found on the web.

A web source is an ordinary entry (annotated, filed, tagged, related and exported like any
paper); only how it is made and how its kind is written differ. The kind lives where BibLaTeX
keeps it, so a BibTeX round trip carries it: ``@online`` with ``entrysubtype`` (blog post,
forum post, video), ``@report`` for a report, plain ``@online`` for anything else. The site
(LessWrong, a blog's name, the publishing institution) is BibLaTeX's ``organization``
(``institution`` for a report); that mapping, CSL types included, is importers.web_kinds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from litreview.errors import InvalidInput
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.importers.web_kinds import KIND_FORMS, SUBTYPE_FIELD, WebSourceKind
from litreview.library.papers import create_paper
from litreview.library.papers_base import get_paper
from litreview.models import WEB_ADDRESS, Paper, SourceKind
from litreview.normalize import split_display_name

# An ISO date or nothing, as the API's schema states it (library checks the stripped text).
DATE_PATTERN = r"^([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?$"
_DATE = re.compile(DATE_PATTERN)


@dataclass
class WebSource:
    """What a person types to add a web source."""

    title: str
    url: str
    kind: WebSourceKind = WebSourceKind.other
    authors: Sequence[str] = ()
    date: str | None = None
    site: str | None = None
    tags: Sequence[str] = ()
    area_ids: Sequence[int] = ()
    area_path: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_date(text: str | None) -> tuple[str | None, int | None]:
    """An ISO date (``2024``, ``2024-03`` or ``2024-03-15``) and its year; refuses others."""
    if text is None or not text.strip():
        return None, None
    match = _DATE.match(text.strip())
    if match is None:
        raise InvalidInput(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}", field="date")
    return match.group(0), int(match.group(1))


def web_source_record(source: WebSource) -> PaperRecord:
    """The entry a web source becomes."""
    if not source.title.strip():
        raise InvalidInput("a web source needs a title", field="title")
    if not re.match(WEB_ADDRESS, source.url):
        raise InvalidInput(f"not a web address: {source.url!r}", field="url")
    date, year = parse_date(source.date)
    form = KIND_FORMS[source.kind]
    extra = dict(source.extra)
    if form.subtype:
        extra[SUBTYPE_FIELD] = form.subtype
    if source.site and source.site.strip():
        extra[form.site_field] = source.site.strip()
    people = [split_display_name(name) for name in source.authors if name.strip()]
    return PaperRecord(
        title=source.title.strip(),
        source=SourceKind.manual,
        source_detail="web source added by hand",
        entry_type=form.entry_type,
        authors=[AuthorRecord(p.display, p.family, p.given) for p in people],
        year=year,
        date=date,
        url=source.url.strip(),
        extra=extra,
    )


def add_web_source(session: Session, source: WebSource) -> Paper:
    """Store a web source (Conflict when its entry is already there)."""
    paper_id = create_paper(
        session,
        web_source_record(source),
        tags=source.tags,
        area_ids=source.area_ids,
        area_path=source.area_path,
    )
    return get_paper(session, paper_id)
