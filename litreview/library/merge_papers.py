"""Merging two stored papers into one, as the user decided (a possible duplicate).

The kept paper keeps what it has; a field comes from the other paper only when the user chose
it, or when the kept one has it empty and the field does not belong to another kind of entry
(a booktitle never becomes a journal). The other paper's annotation, notes, tags, areas,
relations, column values, provenance and citation keys (as aliases) all move to the kept one;
nothing points to itself afterwards, and provenance records the merge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.errors import InvalidInput
from litreview.importers.bibfields import VENUE_FIELDS
from litreview.library.aliases import add_aliases, move_aliases
from litreview.library.annotations import get_annotation, save_annotation
from litreview.library.attribution import acting_name
from litreview.library.papers_base import bump, get_paper
from litreview.library.reading import move_readings
from litreview.models import (
    AuthorRole,
    Paper,
    PaperArea,
    PaperAuthor,
    PaperLink,
    PaperNote,
    PaperTag,
    PaperValue,
    Provenance,
    ReadingStatus,
    SourceKind,
    utcnow,
)
from litreview.normalize import title_fingerprint

# Fields a user may choose between, and the input texts (``original``) that go with each.
CHOOSABLE: dict[str, tuple[str, ...]] = {
    "entry_type": (),
    "title": ("title",),
    "authors": ("author",),
    "year": ("year",),
    "date": (),
    "venue": VENUE_FIELDS,
    "doi": ("doi",),
    "arxiv_id": ("eprint", "arxivid", "archiveprefix", "eprinttype"),
    "url": ("url",),
    "pdf_url": (),
    "abstract": ("abstract",),
    "journal_ref": (),
    "arxiv_comment": (),
}
# Fields that belong to one kind of entry: never filled across kinds unless chosen.
TYPE_SPECIFIC = frozenset(
    {
        "venue",
        "journal",
        "journaltitle",
        "booktitle",
        "chapter",
        "isbn",
        "issn",
        "publisher",
        "series",
        "volume",
        "number",
        "issue",
        "pages",
        "edition",
        "school",
        "institution",
        "organization",
        "address",
        "location",
        "howpublished",
        "type",
        "eventtitle",
        "maintitle",
        "crossref",
    }
)
_KINDS = {
    **dict.fromkeys(("article", "periodical", "suppperiodical"), "journal"),
    **dict.fromkeys(
        (
            "inproceedings",
            "conference",
            "incollection",
            "inbook",
            "inreference",
            "suppbook",
            "suppcollection",
            "bookinbook",
        ),
        "part",
    ),
    **dict.fromkeys(
        ("book", "mvbook", "collection", "mvcollection", "proceedings", "mvproceedings"), "book"
    ),
    **dict.fromkeys(("thesis", "phdthesis", "mastersthesis"), "thesis"),
    **dict.fromkeys(("report", "techreport"), "report"),
}


def entry_kind(entry_type: str) -> str:
    """Entry types whose fields mean the same (article/periodical, inproceedings/incollection)."""
    name = (entry_type or "misc").lower()
    return _KINDS.get(name, name)


def merge_papers(
    session: Session, keep_id: int, other_id: int, take: Mapping[str, int] | None = None
) -> Paper:
    """Merge paper ``other_id`` into ``keep_id`` (``take``: field -> the paper to take it from)."""
    if keep_id == other_id:
        raise InvalidInput("a paper cannot be merged with itself", field="keep")
    take = dict(take or {})
    for name, source in take.items():
        if name not in CHOOSABLE:
            known = ", ".join(CHOOSABLE)
            raise InvalidInput(f"cannot choose {name!r} (choose among: {known})", field=name)
        if source not in (keep_id, other_id):
            raise InvalidInput(f"{name}: paper {source} is not one of the two", field=name)
    keep, other = get_paper(session, keep_id), get_paper(session, other_id)
    other_key = other.key
    chosen = {n for n, source in take.items() if source == other_id}
    if "entry_type" in chosen:
        keep.entry_type = other.entry_type
    same_kind = entry_kind(keep.entry_type) == entry_kind(other.entry_type)
    _fields(session, keep, other, chosen, take, same_kind)
    _people(session, keep, other, chosen, take)
    _bags(keep, other, same_kind, other_key)
    if keep.status == ReadingStatus.unread and other.status != ReadingStatus.unread:
        keep.status = other.status
    if keep.rating is None and other.rating is not None:
        keep.rating = other.rating
    _annotation(session, keep_id, other_id)
    _move_rows(session, keep_id, other_id)
    move_readings(session, other_id, keep_id)
    move_aliases(session, other_id, keep_id)
    session.add(
        Provenance(
            paper_id=keep_id,
            source=SourceKind.manual,
            detail=f"merged paper {other_key!r} (id {other_id})",
            imported_at=utcnow(),
            created_by=acting_name(session),
        )
    )
    bump(session, keep)
    session.flush()
    session.delete(other)
    session.flush()
    add_aliases(session, keep_id, [other_key])
    session.refresh(keep)
    return keep


def _fields(
    session: Session,
    keep: Paper,
    other: Paper,
    chosen: set[str],
    take: Mapping[str, int],
    same_kind: bool,
) -> None:
    copied: list[str] = []
    for name in CHOOSABLE:
        if name in ("entry_type", "authors"):
            continue
        mine, theirs = getattr(keep, name), getattr(other, name)
        if name in chosen:
            use = True
        elif name in take or theirs in (None, "") or mine not in (None, ""):
            use = False
        else:
            use = same_kind or name not in TYPE_SPECIFIC
        if use and mine != theirs:
            copied.append(name)
    values = {name: getattr(other, name) for name in copied}
    if {"doi", "arxiv_id"} & set(copied):  # unique columns: free the values first
        for name in {"doi", "arxiv_id"} & set(copied):
            setattr(other, name, None)
        session.add(other)
        session.flush()
    original = dict(keep.original or {})
    for name, value in values.items():
        setattr(keep, name, value)
        _take_original(original, other.original or {}, CHOOSABLE[name])
    keep.original = original
    if "title" in copied:
        keep.title_fp = title_fingerprint(keep.title)
    if "arxiv_id" in copied:
        keep.arxiv_version = other.arxiv_version
    if copied:
        session.add(keep)


def _take_original(mine: dict[str, Any], theirs: Mapping[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        mine.pop(name, None)
        if name in theirs:
            mine[name] = theirs[name]


def _people(
    session: Session, keep: Paper, other: Paper, chosen: set[str], take: Mapping[str, int]
) -> None:
    for role in (AuthorRole.author, AuthorRole.editor):
        count = _count(session, PaperAuthor, keep.id, role)
        wanted = role == AuthorRole.author and "authors" in chosen
        if not wanted and (count or (role == AuthorRole.author and "authors" in take)):
            continue
        if not _count(session, PaperAuthor, other.id, role):
            continue
        session.execute(
            sa.delete(PaperAuthor).where(
                col(PaperAuthor.paper_id) == keep.id, col(PaperAuthor.role) == role
            )
        )
        session.execute(
            sa.update(PaperAuthor)
            .where(col(PaperAuthor.paper_id) == other.id, col(PaperAuthor.role) == role)
            .values(paper_id=keep.id)
        )
        if role == AuthorRole.author:
            keep.author_names = other.author_names
            original = dict(keep.original or {})
            _take_original(original, other.original or {}, ("author",))
            keep.original = original
        elif "editor" in (other.original or {}):
            keep.original = {**(keep.original or {}), "editor": other.original["editor"]}


def _bags(keep: Paper, other: Paper, same_kind: bool, other_key: str) -> None:
    """Fill the kept paper's missing extra fields; no crossref to itself."""
    extra = dict(keep.extra or {})
    for name, value in (other.extra or {}).items():
        if name in extra or (not same_kind and name in TYPE_SPECIFIC):
            continue
        extra[name] = value
    parent = extra.get("crossref")
    if isinstance(parent, str) and parent.strip() in (keep.key, other_key):
        del extra["crossref"]
    keep.extra = extra


def _annotation(session: Session, keep_id: int, other_id: int) -> None:
    theirs = get_annotation(session, other_id).markdown
    if not theirs.strip():
        return
    mine = get_annotation(session, keep_id)
    text = f"{mine.markdown.rstrip()}\n\n{theirs}" if mine.markdown.strip() else theirs
    save_annotation(session, keep_id, text, expected_version=mine.version)


def _move_rows(session: Session, keep_id: int, other_id: int) -> None:
    """Notes, tags, areas, column values, relations and provenance go to the kept paper."""
    last = session.execute(
        sa.select(sa.func.max(col(PaperNote.position))).where(col(PaperNote.paper_id) == keep_id)
    ).scalar()
    offset = 0 if last is None else last + 1
    session.execute(
        sa.update(PaperNote)
        .where(col(PaperNote.paper_id) == other_id)
        .values(paper_id=keep_id, position=col(PaperNote.position) + offset)
    )
    linked: tuple[tuple[Any, str], ...] = (
        (PaperTag, "tag_id"),
        (PaperArea, "area_id"),
        (PaperValue, "column_id"),
    )
    for model, key in linked:
        table: Any = model.__table__
        names = [c.name for c in table.c]
        mine = sa.select(table.c[key]).where(table.c.paper_id == keep_id)
        moved = sa.select(
            *[sa.literal(keep_id) if n == "paper_id" else table.c[n] for n in names]
        ).where(table.c.paper_id == other_id, table.c[key].not_in(mine))
        session.execute(sa.insert(table).from_select(names, moved))
    for link in session.exec(
        select(PaperLink).where(
            (PaperLink.source_id == other_id) | (PaperLink.target_id == other_id)
        )
    ).all():
        source = keep_id if link.source_id == other_id else link.source_id
        target = keep_id if link.target_id == other_id else link.target_id
        clash = session.exec(
            select(PaperLink.id).where(
                PaperLink.source_id == source,
                PaperLink.target_id == target,
                PaperLink.relation == link.relation,
            )
        ).first()
        if source == target or clash is not None:
            session.delete(link)
        else:
            link.source_id, link.target_id = source, target
            session.add(link)
    session.execute(
        sa.update(Provenance).where(col(Provenance.paper_id) == other_id).values(paper_id=keep_id)
    )
    session.flush()


def _count(session: Session, model: Any, paper_id: int | None, role: AuthorRole) -> int:
    stmt = sa.select(sa.func.count()).where(model.paper_id == paper_id, model.role == role)
    return int(session.execute(stmt).scalar_one())
