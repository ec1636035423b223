"""How each kind of web source is written: BibTeX entry type, BibLaTeX ``entrysubtype``, CSL type.

The one table of it: the web-source form (library.web_sources), the Better BibTeX JSON importer
(Zotero's blog and forum posts, videos) and the CSL-JSON exporter all read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litreview.choices import WebSourceKind as WebSourceKind

SUBTYPE_FIELD = "entrysubtype"


@dataclass(frozen=True)
class KindForm:
    """How a kind is written: BibTeX entry type, ``entrysubtype`` (if any), CSL type."""

    entry_type: str
    subtype: str | None
    csl_type: str
    site_field: str = "organization"


KIND_FORMS: dict[WebSourceKind, KindForm] = {
    WebSourceKind.blog_post: KindForm("online", "blog-post", "post-weblog"),
    WebSourceKind.forum_post: KindForm("online", "forum-post", "post"),
    WebSourceKind.report: KindForm("report", None, "report", "institution"),
    WebSourceKind.video: KindForm("online", "video", "motion_picture"),
    WebSourceKind.other: KindForm("online", None, "webpage"),
}


def web_kind(entry_type: str, extra: Mapping[str, Any]) -> WebSourceKind | None:
    """The kind of an ``@online`` entry (None for every other entry type)."""
    if entry_type.lower() != "online":
        return None
    subtype = str(extra.get(SUBTYPE_FIELD, "")).strip().lower()
    for kind, form in KIND_FORMS.items():
        if form.entry_type == "online" and form.subtype == subtype:
            return kind
    return WebSourceKind.other


def web_site(entry_type: str, extra: Mapping[str, Any]) -> str | None:
    """Where a web source was published (its ``organization``; a report's ``institution``)."""
    kind = web_kind(entry_type, extra)
    if kind is None:
        if entry_type.lower() != "report":
            return None
        kind = WebSourceKind.report
    site = extra.get(KIND_FORMS[kind].site_field)
    return str(site) if site else None
