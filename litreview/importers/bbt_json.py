"""Better BibTeX JSON (Zotero's "BetterBibTeX JSON" export): items and their collections.

Pure: text in, records + the collection tree + problems out. The file is one object:
``items`` (Zotero fields: ``itemID``, ``itemType``, ``title``, ``creators``, ``date``, ``DOI``,
``url``, ``publicationTitle``, ``abstractNote``, ``tags``, ``citationKey``, ``extra`` ...) and
``collections`` (by key: ``name``, ``parent``, ``collections`` (children), ``items`` (item ids)).
Collections become areas; each item's record is in ``records`` at the same index as its id in
``item_ids``. Notes (Zotero HTML) and attachments are not imported, and the report says how many.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from litreview.importers.groups import GroupNode
from litreview.importers.records import AuthorRecord, PaperRecord, Problem
from litreview.importers.web_kinds import KIND_FORMS, SUBTYPE_FIELD, WebSourceKind
from litreview.models import SourceKind
from litreview.normalize import normalize_doi, try_arxiv_id

# Zotero item type -> BibTeX entry type (as Better BibTeX maps them).
ENTRY_TYPES = {
    "journalArticle": "article",
    "magazineArticle": "article",
    "newspaperArticle": "article",
    "book": "book",
    "bookSection": "incollection",
    "encyclopediaArticle": "incollection",
    "conferencePaper": "inproceedings",
    "thesis": "phdthesis",
    "report": "report",
    "manuscript": "unpublished",
    "preprint": "misc",
    "computerProgram": "software",
    "dataset": "dataset",
    "patent": "patent",
    "webpage": "online",
}
# Zotero's web types are web sources of a kind (see library.web_sources).
WEB_KINDS = {
    "blogPost": WebSourceKind.blog_post,
    "forumPost": WebSourceKind.forum_post,
    "videoRecording": WebSourceKind.video,
}
VENUE_FIELDS = (
    "publicationTitle",
    "proceedingsTitle",
    "bookTitle",
    "blogTitle",
    "forumTitle",
    "websiteTitle",
)
_YEAR = re.compile(r"\b(\d{4})\b")
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_ARXIV_EXTRA = re.compile(r"arxiv:\s*(\S+)", re.IGNORECASE)


@dataclass
class BbtImport:
    """Records (with their Zotero item ids, same order), the collection tree, and problems."""

    records: list[PaperRecord] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    roots: list[GroupNode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_bbt_json(text: str, *, source: str) -> BbtImport:
    """Read a Better BibTeX JSON export; a file that is not one fails with a clear problem."""
    found = BbtImport()
    try:
        data = json.loads(text)
    except ValueError as exc:
        found.problems.append(Problem(f"not JSON: {exc}", source=source))
        return found
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        found.problems.append(
            Problem("not a Better BibTeX JSON export (no 'items' list)", source=source)
        )
        return found
    skipped_notes = 0
    for index, item in enumerate(data["items"], 1):
        if not isinstance(item, dict) or item.get("itemType") in ("note", "attachment"):
            continue
        record = _record(item, source)
        if record is None:
            found.problems.append(
                Problem(f"item {index} has no title; skipped", source=source, key=_key(item))
            )
            continue
        found.records.append(record)
        found.item_ids.append(str(item.get("itemID", item.get("key", index))))
        skipped_notes += len(item.get("notes") or [])
    if skipped_notes:
        found.problems.append(
            Problem(f"{skipped_notes} Zotero notes not imported", source=source, kind="warning")
        )
    found.roots = _collections(data.get("collections"), found.problems, source)
    return found


def _key(item: dict[str, Any]) -> str | None:
    key = item.get("citationKey") or item.get("citekey")
    return str(key).strip() or None if key else None


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return " ".join(str(value).split()) or None if value else None


def _record(item: dict[str, Any], source: str) -> PaperRecord | None:
    title = _text(item, "title")
    if not title:
        return None
    item_type = str(item.get("itemType", ""))
    entry_type = ENTRY_TYPES.get(item_type, "misc")
    extra: dict[str, Any] = {}
    kind = WEB_KINDS.get(item_type)
    if kind is not None:
        form = KIND_FORMS[kind]
        entry_type = form.entry_type
        if form.subtype:
            extra[SUBTYPE_FIELD] = form.subtype
    people = [p for p in item.get("creators") or [] if isinstance(p, dict)]
    date = _text(item, "date")
    year_match = _YEAR.search(date or "")
    arxiv = _arxiv(item)
    return PaperRecord(
        title=title,
        source=SourceKind.bibtex,
        source_detail=f"{source} (Better BibTeX JSON)",
        key=_key(item),
        entry_type=entry_type,
        authors=[_person(p) for p in people if p.get("creatorType", "author") == "author"],
        editors=[_person(p) for p in people if p.get("creatorType") == "editor"],
        abstract=_text(item, "abstractNote"),
        year=int(year_match.group(1)) if year_match else None,
        date=date if date and _ISO_DATE.match(date) else None,
        venue=next((v for v in (_text(item, n) for n in VENUE_FIELDS) if v), None),
        doi=normalize_doi(_text(item, "DOI")),
        arxiv_id=arxiv.id if arxiv else None,
        arxiv_version=arxiv.version if arxiv else None,
        url=_text(item, "url"),
        tags=[
            str(t["tag"]) for t in item.get("tags") or [] if isinstance(t, dict) and t.get("tag")
        ],
        extra=extra,
    )


def _person(creator: dict[str, Any]) -> AuthorRecord:
    if creator.get("name"):
        name = " ".join(str(creator["name"]).split())
        return AuthorRecord(name, name, "")
    family = " ".join(str(creator.get("lastName", "")).split())
    given = " ".join(str(creator.get("firstName", "")).split())
    return AuthorRecord(" ".join(p for p in (given, family) if p), family, given)


def _arxiv(item: dict[str, Any]) -> Any:
    extra = _ARXIV_EXTRA.search(str(item.get("extra") or ""))
    for candidate in (
        str(item.get("archiveID") or ""),
        extra.group(1) if extra else "",
        str(item.get("url") or "") if "arxiv.org" in str(item.get("url") or "") else "",
    ):
        found = try_arxiv_id(candidate.removeprefix("arXiv:"))
        if found is not None:
            return found
    return None


def _collections(raw: object, problems: list[Problem], source: str) -> list[GroupNode]:
    """The collection tree (roots: collections without a parent)."""
    if not isinstance(raw, dict):
        return []
    nodes: dict[str, GroupNode] = {}
    for key, value in raw.items():
        if isinstance(value, dict) and value.get("name"):
            members = [str(i) for i in value.get("items") or []]
            nodes[str(key)] = GroupNode(name=" ".join(str(value["name"]).split()), members=members)
    roots: list[GroupNode] = []
    for key, value in raw.items():
        node = nodes.get(str(key))
        if node is None:
            continue
        parent = value.get("parent")
        if parent and str(parent) in nodes:
            nodes[str(parent)].children.append(node)
        else:
            if parent:
                problems.append(
                    Problem(
                        f"collection {node.name!r} names a missing parent; kept at the top",
                        source=source,
                        kind="warning",
                    )
                )
            roots.append(node)
    return roots
