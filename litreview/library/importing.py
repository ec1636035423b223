"""Bulk import of records: identity, merge and insertion in a few statements per table."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from litreview.importers.records import PaperRecord
from litreview.library.aliases import add_aliases, clash_note, owners_of_keys
from litreview.library.areas import ensure_area_path
from litreview.library.bulk import (
    FEW_WANTED,
    bulk_insert,
    hold_all,
    insert_and_read_ids,
    insert_columns,
)
from litreview.library.duplicates import record_possible_duplicates
from litreview.library.fts import bulk_indexing
from litreview.library.identity import KeyAllocator, Matcher, Prepared, base_key, prepare_batch
from litreview.library.merge import merge_into, provenance_columns
from litreview.library.outcomes import ImportReport, Outcome, RecordOutcome
from litreview.library.papers_base import get_paper
from litreview.library.people import AuthorIds, insert_people
from litreview.library.suggestions import suggest_after_import
from litreview.library.tags import clean_tags, ensure_tags
from litreview.library.views import papers_by_id
from litreview.models import (
    Annotation,
    Paper,
    PaperAlias,
    PaperArea,
    PaperTag,
    Provenance,
    ReadingStatus,
    utcnow,
)

# A batch reads every stored citation key at once when the library holds at most this many
# keys for each record of it (else it looks up the few keys each new paper could clash with).
KEYS_PER_RECORD = 25


def import_records(
    session: Session,
    records: Sequence[PaperRecord],
    *,
    tags: Sequence[str] = (),
    area_path: str | None = None,
) -> ImportReport:
    """Store records by the identity and merge rule, in bulk; one outcome per record, in order."""
    importer = RecordImporter(session, tags=tags, area_path=area_path)
    importer.add(records)
    report = importer.report()
    suggest_after_import(session, report.paper_ids())
    return report


class RecordImporter:
    """Stores records batch by batch in the caller's transaction, as they come.

    A later batch sees the papers of earlier ones as stored papers, so a record that is the same
    paper as one of an earlier batch merges into it, as within one batch.
    """

    def __init__(
        self, session: Session, *, tags: Sequence[str] = (), area_path: str | None = None
    ) -> None:
        self.session = session
        self.area_id = ensure_area_path(session, area_path).id if area_path else None
        self.extra_tags = [t for t in tags if t.strip()]
        self.keys = KeyAllocator(session)
        self.authors = AuthorIds()
        # Every stored paper, when the library was small enough to hold (see add_prepared).
        self.known: Matcher | None = None
        self.checked = False
        self.outcomes: dict[int, RecordOutcome] = {}
        self.count = 0

    def report(self) -> ImportReport:
        """Every outcome so far, in the order the records came."""
        report = ImportReport()
        report.outcomes = [self.outcomes[i] for i in sorted(self.outcomes)]
        return report

    def add(self, records: Sequence[PaperRecord]) -> None:
        self.add_prepared(prepare_batch(records))

    def add_prepared(self, batch: Sequence[Prepared]) -> None:
        """Store records already through :func:`prepare_batch` (e.g. in the parsing process)."""
        session = self.session
        outcomes = self.outcomes
        prepared: list[Prepared] = []
        by_index: dict[int, Prepared] = {}
        for p in batch:
            p.index += self.count
            prepared.append(p)
            by_index[p.index] = p
        self.count += len(batch)
        if not self.checked and len(prepared) >= FEW_WANTED:
            self.checked = True
            stored = session.execute(sa.select(sa.func.count()).select_from(Paper)).scalar_one()
            if hold_all(stored, len(prepared)):
                self.known = Matcher.every_paper(session)
            if stored <= KEYS_PER_RECORD * len(prepared):
                self.keys.read_all()  # one statement, not one lookup a new paper
        matcher = self.known or Matcher(session, prepared)
        new: list[Prepared] = []
        new_by_index: dict[int, int] = {}
        merges: dict[int, list[Prepared]] = {}
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
        new_ids, new_keys = _insert_new(
            session, new, self.keys, self.extra_tags, self.area_id, outcomes, self.authors
        )
        for index, position in new_by_index.items():
            # Later records of this batch that are the same paper as a new one merge into it.
            merges.setdefault(new_ids[position], []).append(by_index[index])
        # The papers merged into, read a chunk of them at a time, not each alone (a file
        # imported again merges every entry).
        held = papers_by_id(session, list(merges))
        # Which paper has each stored key these entries bring besides their paper's own (their
        # key, their ``ids``), read at once: an alias of another paper is a clash.
        brought = {
            k for paper_id, group in merges.items() for p in group
            for k in _own_keys(p) if paper_id not in held or k != held[paper_id].key
        }  # fmt: skip
        self.keys.look_up(brought)
        owners = owners_of_keys(session, [k for k in brought if self.keys.in_use(k)])
        for paper_id, group in merges.items():
            paper = held.get(paper_id) or get_paper(session, paper_id)
            for p in sorted(group, key=lambda p: p.index):
                outcome = merge_into(
                    session, paper, p, matcher, self.extra_tags, self.area_id, self.authors
                )
                self._keep_key(p, outcome, owners)
                outcomes[p.index] = outcome
        session.flush()
        record_possible_duplicates(session, new_ids)
        if self.known is not None:
            self.known.settle(new, new_ids, new_keys)
            if merges:
                self.known.refresh(session, list(merges))

    def _keep_key(self, p: Prepared, outcome: RecordOutcome, owners: dict[str, int]) -> None:
        """A merged entry's own citation key stays findable, as an alias of its paper.

        ``owners``: the paper of each of the entry's keys that has one (kept up to date here).
        """
        if outcome.paper_id is None:
            return
        own = (p.record.key or "").strip()
        # (The paper's own key is not looked up: a re-import of a file merges every entry.)
        wanted = [k for k in _own_keys(p) if k != outcome.key]
        kept = [k for k in wanted if not self.keys.in_use(k)]
        # A key another paper has is not this paper's alias: said, not dropped silently.
        clashes = [
            k for k in wanted if k not in kept and owners.get(k) not in (outcome.paper_id, None)
        ]
        notes = [f"key {own!r} kept as an alias"] if own in kept else []
        if clashes:
            notes.append(clash_note(clashes))
        outcome.message = "; ".join(n for n in (outcome.message, *notes) if n)
        if kept:
            self.keys.taken.update(kept)
            skipped = add_aliases(self.session, outcome.paper_id, kept)
            owners.update((k, outcome.paper_id) for k in kept if k not in skipped)


def _own_keys(p: Prepared) -> list[str]:
    """The citation keys an entry brings: its own and its other names (``ids``)."""
    return [k for k in dict.fromkeys([(p.record.key or "").strip(), *p.record.aliases]) if k]


# Columns an import record fills as it is: those of the paper table the record also has
# (a new field of both needs nothing here); the rest are set below.
_SET_APART = {"key", "entry_type", "extra", "original", "arxiv_categories"}
_RECORD_COLUMNS = [
    column.name
    for column in Paper.__table__.columns  # type: ignore[attr-defined]
    if column.name in {f.name for f in dataclasses.fields(PaperRecord)}
    and column.name not in _SET_APART
]
_RECORD_VALUES = operator.attrgetter(*_RECORD_COLUMNS)
# JSON made by prepare(), not by the column type: the insert skips its converter.
_ENCODED = ("extra", "original", "arxiv_categories")


def _paper_columns(new: list[Prepared], keys: list[str], now: datetime) -> dict[str, list[Any]]:
    """The new papers' rows, column by column (no object a row: a large import's are many)."""
    records = [p.record for p in new]
    values = zip(*map(_RECORD_VALUES, records), strict=True)
    columns = dict(zip(_RECORD_COLUMNS, map(list, values), strict=True))
    count = len(new)
    columns.update(
        key=keys,
        entry_type=[(r.entry_type or "article").lower()[:40] for r in records],
        title_fp=[p.fp for p in new],
        author_names=[p.author_names for p in new],
        arxiv_categories=[p.categories_json for p in new],
        status=[ReadingStatus.unread.value] * count,
        rating=[None] * count,
        extra=[p.extra_json for p in new],
        original=[p.original_json for p in new],
        created_at=[now] * count,
        updated_at=[now] * count,
        version=[1] * count,
    )
    return columns


def _insert_new(
    session: Session,
    new: list[Prepared],
    keys: KeyAllocator,
    extra_tags: Sequence[str],
    area_id: int | None,
    outcomes: dict[int, RecordOutcome],
    authors: AuthorIds,
) -> tuple[list[int], list[str]]:
    """Insert the new papers of a batch; their ids and keys, in order."""
    if not new:
        return [], []
    if len(new) >= FEW_WANTED:
        keys.look_up(base_key(p.record) for p in new)  # else each base with its lettered forms
    allocated = [keys.allocate(p.record) for p in new]
    new_keys = [key for key, _ in allocated]
    now = utcnow()
    with bulk_indexing(session, [], pause=len(new) >= FEW_WANTED) as indexed:
        table = Paper.__table__  # type: ignore[attr-defined]
        # A plain executemany and a lookup by the unique key: INSERT .. RETURNING with
        # sort_by_parameter_order runs one statement per row on SQLite (~10x slower).
        id_of = insert_and_read_ids(
            session, Paper, _paper_columns(new, new_keys, now), table.c.key, table.c.id, _ENCODED
        )
        ids = [id_of[key] for key in new_keys]
        records = [p.record for p in new]
        insert_people(session, ids, records, authors, [p.people_keys for p in new])
        _insert_tags(session, ids, [(*r.tags, *extra_tags) for r in records])
        if area_id is not None:
            insert_columns(
                session,
                PaperArea,
                {"paper_id": ids, "area_id": [area_id] * len(ids), "note": [""] * len(ids)},
            )
        annotated = [
            (pid, r) for pid, r in zip(ids, records, strict=True)
            if r.annotation and r.annotation.strip()
        ]  # fmt: skip
        insert_columns(
            session,
            Annotation,
            {
                "paper_id": [pid for pid, _ in annotated],
                "markdown": [r.annotation for _, r in annotated],
                "version": [1] * len(annotated),
                "arxiv_version": [r.arxiv_version for _, r in annotated],
                "updated_at": [now] * len(annotated),
            },
        )
        insert_columns(session, Provenance, provenance_columns(session, ids, records, now))
        clashes = _insert_aliases(session, new, ids, new_keys, keys)
        indexed.extend(ids)
    for pid, p, (key, note) in zip(ids, new, allocated, strict=True):
        clash = clash_note(clashes[pid]) if pid in clashes else ""
        outcomes[p.index] = RecordOutcome(
            p.index,
            Outcome.added,
            p.record.title,
            pid,
            key,
            message="; ".join(n for n in (note, p.note, clash) if n),
            line=p.record.line,
        )
    return ids, new_keys


def _insert_aliases(
    session: Session,
    new: list[Prepared],
    ids: list[int],
    new_keys: list[str],
    keys: KeyAllocator,
) -> dict[int, list[str]]:
    """The entries' other keys (``ids``) as aliases; those another paper has, by paper."""
    aliases = []
    clashes: dict[int, list[str]] = {}
    keys.look_up(key for p in new for key in p.record.aliases)
    for pid, p, own in zip(ids, new, new_keys, strict=True):
        for key in dict.fromkeys(p.record.aliases):
            if key == own:
                continue
            if keys.in_use(key):
                clashes.setdefault(pid, []).append(key)
                continue
            keys.taken.add(key)
            aliases.append({"key": key[:200], "paper_id": pid})
    bulk_insert(session, PaperAlias, aliases)
    return clashes


def _insert_tags(session: Session, paper_ids: list[int], names: Sequence[Sequence[str]]) -> None:
    """Tag each paper with its names (most papers of a file have none)."""
    cleaned = [(pid, clean_tags(n)) for pid, n in zip(paper_ids, names, strict=True) if n]
    ids = ensure_tags(session, {t for _, tags in cleaned for t in tags})
    bulk_insert(
        session,
        PaperTag,
        [{"paper_id": pid, "tag_id": ids[t]} for pid, tags in cleaned for t in sorted(tags)],
    )
