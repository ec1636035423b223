"""Papers: the identity and merge rule, bulk import of records, and edits by hand.

Identity: one paper, one row. A record matches a stored paper by arXiv id (version stripped),
then DOI, then normalised title (+ year). A second arrival fills fields that are empty, updates
the arXiv metadata when its version is newer, unions tags and areas, and never overwrites what
the user wrote (annotation, status, rating, areas).
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.errors import Conflict, InvalidInput
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.areas import add_paper_to_areas, ensure_area_path
from litreview.library.fts import bulk_indexing
from litreview.library.papers_base import bump, check_version, get_paper
from litreview.library.tags import ensure_tags
from litreview.models import (
    Annotation,
    Area,
    Author,
    AuthorRole,
    Paper,
    PaperArea,
    PaperAuthor,
    PaperTag,
    Provenance,
    ReadingStatus,
    SourceKind,
    utcnow,
)
from litreview.normalize import (
    PersonName,
    key_stem,
    normalize_doi,
    split_display_name,
    title_fingerprint,
    try_arxiv_id,
)

T = TypeVar("T")
CHUNK = 500
# A title alone identifies a paper only when years agree, or when it is long enough to be unique.
MIN_FP_WITHOUT_YEAR = 24

# Fields a later arrival may fill when the stored paper has them empty.
FILLABLE = (
    "abstract",
    "year",
    "date",
    "venue",
    "url",
    "pdf_url",
    "journal_ref",
    "arxiv_comment",
    "published",
    "arxiv_updated",
    "primary_category",
)
# Fields a newer arXiv version replaces.
ARXIV_FIELDS = (
    "title",
    "abstract",
    "arxiv_version",
    "arxiv_updated",
    "arxiv_categories",
    "primary_category",
    "arxiv_comment",
    "pdf_url",
)


class Outcome(StrEnum):
    added = "added"
    updated = "updated"
    merged = "merged"
    unchanged = "unchanged"
    failed = "failed"


@dataclass
class RecordOutcome:
    """What became of one record of an import."""

    index: int
    status: Outcome
    title: str
    paper_id: int | None = None
    key: str | None = None
    message: str = ""
    changed: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass
class ImportReport:
    outcomes: list[RecordOutcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for outcome in self.outcomes:
            counts[outcome.status.value] += 1
        return counts


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def author_names(authors: Iterable[AuthorRecord]) -> str:
    """The denormalised author list kept on the paper for display and full-text search."""
    return "; ".join(a.name for a in authors)


@dataclass
class _Prepared:
    index: int
    record: PaperRecord
    arxiv_id: str | None
    doi: str | None
    fp: str
    note: str = ""


class _Matcher:
    """Finds the stored (or earlier-in-this-batch) paper a record is the same as."""

    def __init__(self, session: Session, prepared: Sequence[_Prepared]) -> None:
        self.by_arxiv: dict[str, int] = {}
        self.by_doi: dict[str, int] = {}
        self.by_fp: dict[str, list[tuple[int, int | None]]] = {}
        # The arXiv id of every candidate: two different arXiv ids are never the same paper.
        self.arxiv_of: dict[int, str | None] = {}
        self._load(session, col(Paper.arxiv_id), [p.arxiv_id for p in prepared if p.arxiv_id])
        self._load(session, col(Paper.doi), [p.doi for p in prepared if p.doi])
        fps = sorted({p.fp for p in prepared if p.fp})
        for chunk in _chunks(fps):
            stmt = sa.select(
                col(Paper.id), col(Paper.title_fp), col(Paper.year), col(Paper.arxiv_id)
            ).where(col(Paper.title_fp).in_(chunk))
            for paper_id, fp, year, arxiv_id in session.execute(stmt):
                self.by_fp.setdefault(fp, []).append((paper_id, year))
                self.arxiv_of[paper_id] = arxiv_id

    def _load(self, session: Session, column: Any, values: list[str]) -> None:
        target = self.by_arxiv if column.key == "arxiv_id" else self.by_doi
        for chunk in _chunks(sorted(set(values))):
            for paper_id, value, arxiv_id in session.execute(
                sa.select(col(Paper.id), column, col(Paper.arxiv_id)).where(column.in_(chunk))
            ):
                target[value] = paper_id
                self.arxiv_of[paper_id] = arxiv_id

    def _compatible(self, p: _Prepared, paper_id: int) -> bool:
        other = self.arxiv_of.get(paper_id)
        return not (p.arxiv_id and other and other != p.arxiv_id)

    def find(self, p: _Prepared) -> int | None:
        if p.arxiv_id and p.arxiv_id in self.by_arxiv:
            return self.by_arxiv[p.arxiv_id]
        if p.doi and p.doi in self.by_doi and self._compatible(p, self.by_doi[p.doi]):
            return self.by_doi[p.doi]
        year = p.record.year
        for paper_id, stored_year in self.by_fp.get(p.fp, []):
            if not self._compatible(p, paper_id):
                continue
            if year is not None and stored_year is not None:
                if year == stored_year:
                    return paper_id
            elif len(p.fp) >= MIN_FP_WITHOUT_YEAR:
                return paper_id
        return None

    def remember(self, p: _Prepared, paper_id: int) -> None:
        self.arxiv_of[paper_id] = p.arxiv_id
        if p.arxiv_id:
            self.by_arxiv.setdefault(p.arxiv_id, paper_id)
        if p.doi:
            self.by_doi.setdefault(p.doi, paper_id)
        if p.fp:
            self.by_fp.setdefault(p.fp, []).append((paper_id, p.record.year))


def _prepare(index: int, record: PaperRecord) -> _Prepared:
    parsed = try_arxiv_id(record.arxiv_id)
    if parsed is not None:
        record.arxiv_id = parsed.id
        record.arxiv_version = record.arxiv_version or parsed.version
    else:
        record.arxiv_id = None
    record.doi = normalize_doi(record.doi)
    record.title = " ".join((record.title or "").split())
    return _Prepared(index, record, record.arxiv_id, record.doi, title_fingerprint(record.title))


class KeyAllocator:
    """Hands out unique citation keys: incoming ones kept, missing ones generated."""

    def __init__(self, session: Session) -> None:
        self.taken: set[str] = set(session.exec(select(Paper.key)).all())

    def allocate(self, record: PaperRecord) -> tuple[str, str]:
        """A free key for ``record`` and a note when the incoming key had to change."""
        wanted = (record.key or "").strip()
        first = record.authors[0].family if record.authors else None
        if not first and record.editors:
            first = record.editors[0].family
        base = wanted or key_stem(first, record.year, record.title)
        key = base
        suffix = 0
        while key in self.taken:
            suffix += 1
            key = base + _letters(suffix)
        self.taken.add(key)
        note = (
            f"key {wanted!r} was already taken; stored as {key!r}"
            if wanted and key != wanted
            else ""
        )
        return key, note


def _letters(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa: the suffixes of clashing keys."""
    text = ""
    while n:
        n, rem = divmod(n - 1, 26)
        text = chr(ord("a") + rem) + text
    return text


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a bulk operation.

    A large import allocates hundreds of thousands of small objects that all stay alive, and the
    collector would rescan them again and again (about a third of an import's time). Nothing
    here creates reference cycles that must be freed before the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_records(
    session: Session,
    records: Sequence[PaperRecord],
    *,
    tags: Sequence[str] = (),
    area_path: str | None = None,
) -> ImportReport:
    """Store records by the identity and merge rule, in bulk; one outcome per record, in order."""
    with gc_paused():
        return _import_records(session, records, tags=tags, area_path=area_path)


def _import_records(
    session: Session,
    records: Sequence[PaperRecord],
    *,
    tags: Sequence[str],
    area_path: str | None,
) -> ImportReport:
    area_id = ensure_area_path(session, area_path).id if area_path else None
    extra_tags = [t for t in tags if t.strip()]
    report = ImportReport()
    prepared: list[_Prepared] = []
    by_index: dict[int, _Prepared] = {}
    for index, record in enumerate(records):
        p = _prepare(index, record)
        if not p.record.title:
            report.outcomes.append(
                RecordOutcome(
                    index, Outcome.failed, "", key=record.key, message="no title", line=record.line
                )
            )
            continue
        prepared.append(p)
        by_index[index] = p
    matcher = _Matcher(session, prepared)
    keys = KeyAllocator(session)
    new: list[_Prepared] = []
    new_by_index: dict[int, int] = {}
    merges: dict[int, list[_Prepared]] = {}
    for p in prepared:
        found = matcher.find(p)
        if found is None and p.doi and p.doi in matcher.by_doi:
            p.note = f"DOI {p.doi} already belongs to another paper; not stored on this one"
            p.doi = p.record.doi = None
        if found is None:
            matcher.remember(p, -(len(new) + 1))  # a placeholder id for papers of this batch
            new.append(p)
        elif found < 0:
            new_by_index[p.index] = -found - 1
        else:
            merges.setdefault(found, []).append(p)
    outcomes: dict[int, RecordOutcome] = {o.index: o for o in report.outcomes}
    new_ids = _insert_new(session, new, keys, extra_tags, area_id, outcomes)
    for index, position in new_by_index.items():
        # Later records of this batch that are the same paper as a new one merge into it.
        merges.setdefault(new_ids[position], []).append(by_index[index])
    for paper_id, group in merges.items():
        for p in sorted(group, key=lambda p: p.index):
            outcomes[p.index] = _merge_into(session, paper_id, p, matcher, extra_tags, area_id)
    report.outcomes = [outcomes[i] for i in sorted(outcomes)]
    session.flush()
    return report


def _paper_row(p: _Prepared, key: str) -> dict[str, Any]:
    r = p.record
    now = utcnow()
    return {
        "key": key,
        "entry_type": (r.entry_type or "article").lower()[:40],
        "title": r.title,
        "title_fp": p.fp,
        "author_names": author_names(r.authors or r.editors),
        "abstract": r.abstract,
        "year": r.year,
        "date": r.date,
        "venue": r.venue,
        "doi": r.doi,
        "arxiv_id": r.arxiv_id,
        "arxiv_version": r.arxiv_version,
        "arxiv_categories": list(r.arxiv_categories),
        "primary_category": r.primary_category,
        "arxiv_comment": r.arxiv_comment,
        "journal_ref": r.journal_ref,
        "published": r.published,
        "arxiv_updated": r.arxiv_updated,
        "url": r.url,
        "pdf_url": r.pdf_url,
        "status": ReadingStatus.unread.value,
        "rating": None,
        "extra": dict(r.extra),
        "original": dict(r.original),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _insert_new(
    session: Session,
    new: list[_Prepared],
    keys: KeyAllocator,
    extra_tags: Sequence[str],
    area_id: int | None,
    outcomes: dict[int, RecordOutcome],
) -> list[int]:
    if not new:
        return []
    rows, notes = [], []
    for p in new:
        key, note = keys.allocate(p.record)
        rows.append(_paper_row(p, key))
        notes.append(note)
    with bulk_indexing(session, []) as indexed:
        table = Paper.__table__  # type: ignore[attr-defined]
        # A plain executemany and a lookup by the unique key: INSERT .. RETURNING with
        # sort_by_parameter_order runs one statement per row on SQLite (~10x slower).
        id_of = _insert_and_read_ids(session, Paper, rows, table.c.key, table.c.id)
        ids = [id_of[row["key"]] for row in rows]
        _insert_people(session, [(pid, p.record) for pid, p in zip(ids, new, strict=True)])
        _insert_tags(
            session, [(pid, [*p.record.tags, *extra_tags]) for pid, p in zip(ids, new, strict=True)]
        )
        if area_id is not None:
            _bulk(
                session,
                PaperArea,
                [{"paper_id": pid, "area_id": area_id, "note": ""} for pid in ids],
            )
        now = utcnow()
        _bulk(
            session,
            Annotation,
            [
                {
                    "paper_id": pid,
                    "markdown": p.record.annotation,
                    "version": 1,
                    "arxiv_version": p.record.arxiv_version,
                    "updated_at": now,
                }
                for pid, p in zip(ids, new, strict=True)
                if p.record.annotation and p.record.annotation.strip()
            ],
        )
        _bulk(
            session,
            Provenance,
            [_provenance_row(pid, p.record) for pid, p in zip(ids, new, strict=True)],
        )
        indexed.extend(ids)
    for pid, p, row, note in zip(ids, new, rows, notes, strict=True):
        outcomes[p.index] = RecordOutcome(
            p.index,
            Outcome.added,
            p.record.title,
            pid,
            row["key"],
            message="; ".join(n for n in (note, p.note) if n),
            line=p.record.line,
        )
    return ids


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) in one driver-level executemany.

    The statement is compiled once and each column's type converts its values (JSON, dates,
    enums) exactly as the ORM would; skipping SQLAlchemy's per-row parameter handling makes a
    large import several times faster.
    """
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    statement = sa.insert(table).values({name: sa.bindparam(name) for name in names})
    compiled = statement.compile(dialect=dialect)
    # Enum columns get plain values from the callers (their CHECK constraint still applies).
    convert = {
        name: None
        if isinstance(table.c[name].type, sa.Enum)
        else table.c[name].type.bind_processor(dialect)
        for name in names
    }
    if compiled.positional:
        order = [(n, convert[n]) for n in compiled.positiontup or ()]
        params: list[Any]
        if any(f for _, f in order):
            params = [tuple(f(row[n]) if f else row[n] for n, f in order) for row in rows]
        else:
            pick = operator.itemgetter(*(n for n, _ in order))
            params = [pick(row) if len(order) > 1 else (pick(row),) for row in rows]
    else:
        params = [{n: (f(row[n]) if f else row[n]) for n, f in convert.items()} for row in rows]
    connection.exec_driver_sql(compiled.string, params)


def _provenance_row(paper_id: int, record: PaperRecord) -> dict[str, Any]:
    return {
        "paper_id": paper_id,
        "source": SourceKind(record.source).value,
        "detail": record.source_detail,
        "arxiv_version": record.arxiv_version if record.source == SourceKind.arxiv else None,
        "imported_at": utcnow(),
    }


def _insert_and_read_ids(
    session: Session, model: Any, rows: list[dict[str, Any]], key_column: Any, id_column: Any
) -> dict[str, int]:
    """Insert rows in bulk; their new ids by the value of a unique column.

    Ids only grow, so the new rows are those above the largest id before the insert (a row
    another writer slipped in there has a key that is not ours and is ignored).
    """
    if not rows:
        return {}
    before = session.execute(sa.select(sa.func.max(id_column))).scalar() or 0
    _bulk(session, model, rows)
    wanted = {row[key_column.key] for row in rows}
    found = session.execute(sa.select(key_column, id_column).where(id_column > before))
    return {key: row_id for key, row_id in found if key in wanted}


def _name_keys(people: Iterable[AuthorRecord]) -> dict[tuple[str, str], str]:
    """Each distinct (family, given) and its author name key, folded once."""
    keys: dict[tuple[str, str], str] = {}
    for person in people:
        pair = (person.family, person.given)
        if pair not in keys:
            keys[pair] = PersonName(person.family, person.given).key
    return keys


def _author_ids(
    session: Session, people: Iterable[AuthorRecord], name_keys: dict[tuple[str, str], str]
) -> dict[str, int]:
    """Author ids by name key, creating the authors not stored yet."""
    wanted: dict[str, AuthorRecord] = {}
    for person in people:
        wanted.setdefault(name_keys[(person.family, person.given)], person)
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(wanted)):
        rows = session.execute(
            sa.select(col(Author.name_key), col(Author.id)).where(col(Author.name_key).in_(chunk))
        )
        found.update({k: i for k, i in rows})
    missing = [
        {"name_key": k, "name": a.name[:300], "family": a.family[:200], "given": a.given[:200]}
        for k, a in wanted.items()
        if k not in found
    ]
    table = Author.__table__  # type: ignore[attr-defined]
    found.update(_insert_and_read_ids(session, Author, missing, table.c.name_key, table.c.id))
    return found


def _insert_people(session: Session, papers: list[tuple[int, PaperRecord]]) -> None:
    everyone = [a for _, r in papers for a in (*r.authors, *r.editors)]
    name_keys = _name_keys(everyone)
    ids = _author_ids(session, everyone, name_keys)
    rows = []
    for paper_id, record in papers:
        for role, people in (
            (AuthorRole.author, record.authors),
            (AuthorRole.editor, record.editors),
        ):
            for position, person in enumerate(people):
                rows.append(
                    {
                        "paper_id": paper_id,
                        "role": role.value,
                        "position": position,
                        "author_id": ids[name_keys[(person.family, person.given)]],
                        "affiliation": person.affiliation,
                    }
                )
    _bulk(session, PaperAuthor, rows)


def _insert_tags(session: Session, papers: list[tuple[int, list[str]]]) -> None:
    cleaned = [(pid, {" ".join(t.split()) for t in names if t.strip()}) for pid, names in papers]
    ids = ensure_tags(session, {t for _, names in cleaned for t in names})
    _bulk(
        session,
        PaperTag,
        [{"paper_id": pid, "tag_id": ids[t]} for pid, names in cleaned for t in sorted(names)],
    )


def replace_people(
    session: Session, paper: Paper, role: AuthorRole, people: Sequence[AuthorRecord]
) -> None:
    """Set a paper's authors (or editors) to ``people``, in order."""
    assert paper.id is not None
    session.execute(
        sa.delete(PaperAuthor).where(
            col(PaperAuthor.paper_id) == paper.id, col(PaperAuthor.role) == role
        )
    )
    record = PaperRecord(title=paper.title, source=SourceKind.manual)
    if role == AuthorRole.author:
        record.authors = list(people)
        paper.author_names = author_names(people)
    else:
        record.editors = list(people)
    _insert_people(session, [(paper.id, record)])


def _has_people(session: Session, paper_id: int, role: AuthorRole) -> bool:
    stmt = sa.select(sa.func.count()).where(
        col(PaperAuthor.paper_id) == paper_id, col(PaperAuthor.role) == role
    )
    return bool(session.execute(stmt).scalar_one())


def _merge_into(
    session: Session,
    paper_id: int,
    p: _Prepared,
    matcher: _Matcher,
    extra_tags: Sequence[str],
    area_id: int | None,
) -> RecordOutcome:
    paper = get_paper(session, paper_id)
    record = p.record
    changed: list[str] = []
    notes: list[str] = []
    newer = (
        record.source == SourceKind.arxiv
        and record.arxiv_version is not None
        and (paper.arxiv_version is None or record.arxiv_version > paper.arxiv_version)
        and (paper.arxiv_id is None or paper.arxiv_id == record.arxiv_id)
    )
    if newer:
        for name in ARXIV_FIELDS:
            value = getattr(record, name)
            if value not in (None, "", []) and getattr(paper, name) != value:
                setattr(paper, name, value)
                changed.append(name)
        if "title" in changed:
            paper.title_fp = p.fp
            paper.original = {k: v for k, v in paper.original.items() if k != "title"}
        if record.authors and paper.author_names != author_names(record.authors):
            replace_people(session, paper, AuthorRole.author, record.authors)
            changed.append("authors")
    for name in FILLABLE:
        value = getattr(record, name)
        if value not in (None, "") and getattr(paper, name) in (None, ""):
            setattr(paper, name, value)
            changed.append(name)
    if record.arxiv_categories and not paper.arxiv_categories:
        paper.arxiv_categories = list(record.arxiv_categories)
        changed.append("arxiv_categories")
    for name, index in (("arxiv_id", matcher.by_arxiv), ("doi", matcher.by_doi)):
        value = getattr(record, name)
        if value and getattr(paper, name) is None:
            owner = index.get(value, paper_id)
            if owner not in (paper_id,) and owner > 0:
                notes.append(f"{name} {value} belongs to another paper; not copied")
                continue
            if _owned_elsewhere(session, name, value, paper_id):
                notes.append(f"{name} {value} belongs to another paper; not copied")
                continue
            setattr(paper, name, value)
            changed.append(name)
            if name == "arxiv_id" and paper.arxiv_version is None:
                paper.arxiv_version = record.arxiv_version
    for bag in ("extra", "original"):
        stored: dict[str, Any] = getattr(paper, bag)
        incoming = {k: v for k, v in getattr(record, bag).items() if k not in stored}
        if incoming:
            setattr(paper, bag, {**stored, **incoming})
            changed.append(bag)
    if (
        record.authors
        and not paper.author_names
        and not _has_people(session, paper_id, AuthorRole.author)
    ):
        replace_people(session, paper, AuthorRole.author, record.authors)
        changed.append("authors")
    if record.editors and not _has_people(session, paper_id, AuthorRole.editor):
        replace_people(session, paper, AuthorRole.editor, record.editors)
        changed.append("editors")
    changed += _union_links(session, paper_id, [*record.tags, *extra_tags], area_id)
    if record.annotation and record.annotation.strip():
        existing = session.exec(select(Annotation).where(Annotation.paper_id == paper_id)).first()
        if existing is None or not existing.markdown.strip():
            if existing is None:
                existing = Annotation(paper_id=paper_id, arxiv_version=paper.arxiv_version)
            else:
                existing.version += 1
            existing.markdown = record.annotation
            existing.updated_at = utcnow()
            session.add(existing)
            changed.append("annotation")
    if changed:
        bump(session, paper)
        session.add(Provenance(**_provenance_row(paper_id, record)))
        status = Outcome.updated if newer else Outcome.merged
    else:
        status = Outcome.unchanged
    session.flush()
    return RecordOutcome(
        p.index, status, record.title, paper_id, paper.key, "; ".join(notes), changed, record.line
    )


def _owned_elsewhere(session: Session, name: str, value: str, paper_id: int) -> bool:
    column = col(Paper.arxiv_id) if name == "arxiv_id" else col(Paper.doi)
    stmt = sa.select(col(Paper.id)).where(column == value, col(Paper.id) != paper_id)
    return session.execute(stmt).first() is not None


def _union_links(
    session: Session, paper_id: int, tag_names: Sequence[str], area_id: int | None
) -> list[str]:
    changed = []
    names = {" ".join(t.split()) for t in tag_names if t.strip()}
    if names:
        ids = ensure_tags(session, names)
        have = set(session.exec(select(PaperTag.tag_id).where(PaperTag.paper_id == paper_id)).all())
        for tag_id in sorted(set(ids.values()) - have):
            session.add(PaperTag(paper_id=paper_id, tag_id=tag_id))
            changed.append("tags")
    if area_id is not None and session.get(PaperArea, (paper_id, area_id)) is None:
        session.add(PaperArea(paper_id=paper_id, area_id=area_id))
        changed.append("areas")
    return sorted(set(changed))


# Edits by hand -----------------------------------------------------------------------------

EDITABLE = {
    "key",
    "entry_type",
    "title",
    "abstract",
    "year",
    "date",
    "venue",
    "doi",
    "arxiv_id",
    "url",
    "pdf_url",
    "status",
    "rating",
    "journal_ref",
}
MAX_RATING = 5


def create_paper(
    session: Session,
    record: PaperRecord,
    *,
    tags: Sequence[str] = (),
    area_path: str | None = None,
    area_ids: Sequence[int] = (),
    status: ReadingStatus | None = None,
    rating: int | None = None,
) -> Paper:
    """Add a paper by hand; Conflict when it is the same paper as one already stored."""
    for area_id in area_ids:
        if session.get(Area, area_id) is None:
            raise InvalidInput(f"no area with id {area_id}", field="area_ids")
    report = import_records(session, [record], tags=tags, area_path=area_path)
    outcome = report.outcomes[0]
    if outcome.status == Outcome.failed:
        raise InvalidInput(f"cannot add the paper: {outcome.message}", field="title")
    if outcome.status != Outcome.added:
        raise Conflict(
            f"this paper is already in the library as {outcome.key!r}",
            paper_id=outcome.paper_id,
            key=outcome.key,
        )
    assert outcome.paper_id is not None
    paper = get_paper(session, outcome.paper_id)
    add_paper_to_areas(session, outcome.paper_id, area_ids)
    if status is not None:
        paper.status = ReadingStatus(status)
    if rating is not None:
        paper.rating = _clean_field("rating", rating)
    session.add(paper)
    session.flush()
    return paper


def update_paper(
    session: Session,
    paper_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    authors: Sequence[str] | None = None,
) -> Paper:
    """Apply edits made by a person; refuses a stale ``expected_version`` and changes nothing."""
    paper = get_paper(session, paper_id)
    check_version(paper, expected_version)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    values = {name: _clean_field(name, value) for name, value in changes.items()}
    for name in ("key", "doi", "arxiv_id"):
        if values.get(name) and values[name] != getattr(paper, name):
            column = getattr(Paper, name)
            clash = session.exec(select(Paper.key).where(column == values[name])).first()
            if clash is not None:
                raise Conflict(
                    f"{name} {values[name]!r} is already used by paper {clash!r}", field=name
                )
    for name, value in values.items():
        setattr(paper, name, value)
    if "title" in values:
        paper.title_fp = title_fingerprint(paper.title)
    if authors is not None:
        people = [_person(name) for name in authors if name.strip()]
        replace_people(session, paper, AuthorRole.author, people)
    bump(session, paper)
    session.flush()
    return paper


def _person(name: str) -> AuthorRecord:
    split = split_display_name(name)
    return AuthorRecord(name=split.display, family=split.family, given=split.given)


def _clean_field(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip() or None
    if name in ("title", "key", "entry_type") and not value:
        raise InvalidInput(f"{name} must not be empty", field=name)
    if name == "doi" and value is not None:
        doi = normalize_doi(value)
        if doi is None:
            raise InvalidInput(f"not a DOI: {value!r}", field="doi")
        return doi
    if name == "arxiv_id" and value is not None:
        parsed = try_arxiv_id(value)
        if parsed is None:
            raise InvalidInput(f"not an arXiv identifier: {value!r}", field="arxiv_id")
        return parsed.id
    if name == "status":
        try:
            return ReadingStatus(value)
        except ValueError as exc:
            known = ", ".join(s.value for s in ReadingStatus)
            raise InvalidInput(
                f"unknown status {value!r} (known: {known})", field="status"
            ) from exc
    if (
        name == "rating"
        and value is not None
        and not (isinstance(value, int) and 0 <= value <= MAX_RATING)
    ):
        raise InvalidInput(f"rating must be a whole number from 0 to {MAX_RATING}", field="rating")
    if name == "year" and value is not None and not isinstance(value, int):
        raise InvalidInput("year must be a whole number", field="year")
    return value


def delete_paper(session: Session, paper_id: int, *, expected_version: int | None = None) -> None:
    """Delete a paper with its annotation, tags links, area links and relations."""
    paper = get_paper(session, paper_id)
    check_version(paper, expected_version)
    session.delete(paper)
    session.flush()
