"""Identity: which stored (or earlier-in-this-import) paper a record is the same as.

One paper, one row, but only on a strong identifier: the same arXiv id (version stripped), the
same DOI (normalised), or the same citation key with the same normalised title (re-importing a
file). Title, year and authors never merge anything by themselves: different works share titles
("Calendar", "Editor's introduction"), so a close match is only a possible duplicate
(:mod:`litreview.library.duplicates`). Two different arXiv ids are never the same paper, and a
record is never merged into the entry its ``crossref`` names. Also: unique citation keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.importers.records import PaperRecord
from litreview.library.bulk import chunks
from litreview.library.people import author_names, person_key
from litreview.models import (
    Paper,
    PaperAlias,
    SourceKind,
)
from litreview.normalize import (
    key_stem,
    normalize_doi,
    title_fingerprint,
    try_arxiv_id,
)


@dataclass
class Prepared:
    index: int
    record: PaperRecord
    arxiv_id: str | None
    doi: str | None
    fp: str
    # The key the record asks for, or the one it would be given: what a re-import finds it by.
    key: str = ""
    note: str = ""
    # A new paper's values that take work to make, made here, before any write: JSON texts of
    # the JSON columns (``extra``, ``original``, ``arxiv_categories``) and the author list.
    extra_json: str = "{}"
    original_json: str = "{}"
    categories_json: str = "[]"
    author_names: str = ""
    # The name key of each author, then each editor (see :class:`~litreview.normalize.PersonName`).
    people_keys: tuple[str, ...] = ()


class Matcher:
    """Finds the stored (or earlier-in-this-batch) paper a record is the same as.

    It reads the candidates of a batch from the database; an import into a small library
    instead reads every stored paper once (:meth:`every_paper`) and keeps it across batches.
    """

    def __init__(self, session: Session, prepared: Sequence[Prepared]) -> None:
        self.by_arxiv: dict[str, int] = {}
        self.by_doi: dict[str, int] = {}
        # Citation key -> (paper, title fingerprint): a re-imported entry is the same paper.
        self.by_key: dict[str, tuple[int, str]] = {}
        # The arXiv id of every candidate: two different arXiv ids are never the same paper.
        self.arxiv_of: dict[int, str | None] = {}
        # The DOI and key of each stored paper a matcher of every paper knows.
        self.doi_of: dict[int, str | None] = {}
        self.key_of: dict[int, str] = {}
        values = {
            "arxiv": sorted({p.arxiv_id for p in prepared if p.arxiv_id}),
            "doi": sorted({p.doi for p in prepared if p.doi}),
            "key": sorted({p.key for p in prepared if p.key}),
        }
        connection = session.connection()
        for name, wanted in values.items():
            for chunk in chunks(wanted):
                for row in connection.execute(_IDENTIFIED_BY[name], {"values": list(chunk)}):
                    self.add(*row)
        # A key taken by another title: the paper an earlier import stored under the key with a
        # letter added ("K" -> "Ka") may be this one (read only for such keys, which are few).
        for p in prepared:
            stored = self.by_key.get(p.key)
            if stored is not None and stored[1] != p.fp:
                stmt = _identity_select().where(suffixed(col(Paper.key), p.key, session))
                for row in session.execute(stmt):
                    self.add(*row)

    @classmethod
    def every_paper(cls, session: Session) -> Matcher:
        """A matcher that knows every stored paper."""
        matcher = cls(session, [])
        matcher.refresh(session, None)
        return matcher

    def refresh(self, session: Session, paper_ids: Sequence[int] | None) -> None:
        """Read again what identifies these papers (every paper when None), e.g. after a merge."""
        stmt = _identity_select()
        params: dict[str, Any] = {}
        if paper_ids is not None:
            for stored in paper_ids:
                self._forget(stored)
            stmt = stmt.where(col(Paper.id).in_(sa.bindparam("ids", expanding=True)))
            params = {"ids": list(paper_ids)}
        for row in session.connection().execute(stmt, params):
            if row[0] is not None:
                self.add(*row)

    def settle(self, new: Sequence[Prepared], ids: Sequence[int], keys: Sequence[str]) -> None:
        """Give the papers of a batch their stored ids (and keys) in place of placeholders."""
        for position, (p, paper_id) in enumerate(zip(new, ids, strict=True)):
            self._forget(-(position + 1))
            self.add(paper_id, p.arxiv_id, p.doi, keys[position], p.fp)

    def add(
        self, paper_id: int, arxiv_id: str | None, doi: str | None, key: str | None, fp: str
    ) -> None:
        """Know a stored paper (or a placeholder of this batch)."""
        self.arxiv_of[paper_id] = arxiv_id
        self.doi_of[paper_id] = doi
        if arxiv_id:
            self.by_arxiv.setdefault(arxiv_id, paper_id)
        if doi:
            self.by_doi.setdefault(doi, paper_id)
        if key:
            self.key_of[paper_id] = key
            self.by_key.setdefault(key, (paper_id, fp or ""))

    def _forget(self, paper_id: int) -> None:
        """Drop a paper from every index (before reading it again)."""
        for index, value in (
            (self.by_arxiv, self.arxiv_of.pop(paper_id, None)),
            (self.by_doi, self.doi_of.pop(paper_id, None)),
        ):
            if value and index.get(value) == paper_id:
                del index[value]
        key = self.key_of.pop(paper_id, None)
        if key and self.by_key.get(key, (None, ""))[0] == paper_id:
            del self.by_key[key]

    def _compatible(self, p: Prepared, paper_id: int) -> bool:
        other = self.arxiv_of.get(paper_id)
        if p.arxiv_id and other and other != p.arxiv_id:
            return False
        # A chapter carrying its book's DOI is not the book.
        parent = str(p.record.extra.get("crossref", "")).strip()
        return not (parent and parent == self.key_of.get(paper_id))

    def find(self, p: Prepared) -> int | None:
        """The paper ``p`` is the same as: arXiv id, then DOI, then key + title."""
        if p.arxiv_id and p.arxiv_id in self.by_arxiv:
            found = self.by_arxiv[p.arxiv_id]
            if self._compatible(p, found):
                return found
        if p.doi and p.doi in self.by_doi and self._compatible(p, self.by_doi[p.doi]):
            return self.by_doi[p.doi]
        key = p.key
        if key and key in self.by_key:
            paper_id, fp = self.by_key[key]
            if fp == p.fp and self._compatible(p, paper_id):
                return paper_id
            # The entry stored under the key with a letter added, when the key was taken.
            suffix = 1
            while (candidate := key + _letters(suffix)) in self.by_key:
                paper_id, fp = self.by_key[candidate]
                if fp == p.fp and self._compatible(p, paper_id):
                    return paper_id
                suffix += 1
        return None

    def remember(self, p: Prepared, paper_id: int) -> None:
        """Know a new paper of this batch under a placeholder id."""
        self.add(paper_id, p.arxiv_id, p.doi, p.key, p.fp)


def _identity_select() -> Any:
    return sa.select(
        col(Paper.id), col(Paper.arxiv_id), col(Paper.doi), col(Paper.key), col(Paper.title_fp)
    )


# The papers with one of the identifiers bound as ``values``, by kind (built once).
_IDENTIFIED_BY = {
    name: _identity_select().where(column.in_(sa.bindparam("values", expanding=True)))
    for name, column in (
        ("arxiv", col(Paper.arxiv_id)),
        ("doi", col(Paper.doi)),
        ("key", col(Paper.key)),
    )
}


def prepare_batch(records: Sequence[PaperRecord]) -> list[Prepared]:
    """:func:`prepare` each record, indexed by position.

    Pure (no database), so an import can run it in the process that parses the file.
    """
    # A person's name key, by (family, given): a large file names the same people again and again.
    names: dict[tuple[str, str], str] = {}
    return [prepare(index, record, names) for index, record in enumerate(records)]


def prepare(
    index: int, record: PaperRecord, names: dict[tuple[str, str], str] | None = None
) -> Prepared:
    """The record with its identifiers normalised and its new row's costly values made."""
    names = {} if names is None else names
    people = (*record.authors, *record.editors)
    for person in people:
        if (person.family, person.given) not in names:
            names[person.family, person.given] = person_key(person)
    parsed = try_arxiv_id(record.arxiv_id)
    if parsed is not None:
        record.arxiv_id = parsed.id
        record.arxiv_version = record.arxiv_version or parsed.version
    else:
        record.arxiv_id = None
    record.doi = normalize_doi(record.doi)
    record.title = " ".join((record.title or "").split())
    fp = title_fingerprint(record.title)
    # A BibTeX entry without a key finds itself again by the key it was given (a re-import);
    # a paper added by hand is never matched by a key made from its title.
    key = record.key or (base_key(record) if record.source == SourceKind.bibtex else "")
    categories = record.arxiv_categories
    return Prepared(
        index,
        record,
        record.arxiv_id,
        record.doi,
        fp,
        key,
        extra_json=json.dumps(record.extra) if record.extra else "{}",
        original_json=json.dumps(record.original) if record.original else "{}",
        categories_json=json.dumps(list(categories)) if categories else "[]",
        author_names=author_names(record.authors or record.editors),
        people_keys=tuple([names[p.family, p.given] for p in people]),
    )


def base_key(record: PaperRecord) -> str:
    """The key a record asks for, or (without one) the readable key made from it."""
    wanted = (record.key or "").strip()
    if wanted:
        return wanted
    first = record.authors[0].family if record.authors else None
    if not first and record.editors:
        first = record.editors[0].family
    return key_stem(first, record.year, record.title)


# The keys a citation key can clash with: papers' keys and aliases, read in one statement.
_KEY_COLUMNS = (col(Paper.key), col(PaperAlias.key))
_KEYS: sa.BindParameter[list[str]] = sa.bindparam("keys", expanding=True)
_KEYS_IN = sa.union_all(*(sa.select(c).where(c.in_(_KEYS)) for c in _KEY_COLUMNS))


class KeyAllocator:
    """Hands out unique citation keys: incoming ones kept, missing ones generated.

    Only the stored keys a new one could clash with are read: the wanted keys of a whole
    import at once (:meth:`look_up`, ``key IN (...)`` through the unique indexes), and the
    keys with letters added (``key GLOB base || '[a-z]*'``) only for a base that is taken; a
    base not looked up before (a paper made by hand) is read with its lettered forms in one
    statement. A large import into a small library calls :meth:`read_all` to read every key
    instead.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.taken: set[str] = set()
        self.looked_up: set[str] | None = set()  # None: every stored key is in taken
        self.suffixes_read: set[str] = set()

    def read_all(self) -> None:
        if self.looked_up is not None:
            self.taken.update(self.session.exec(select(Paper.key)).all())
            self.taken.update(self.session.exec(select(PaperAlias.key)).all())
            self.looked_up = None

    def look_up(self, keys: Iterable[str]) -> None:
        """Read which of these keys are stored keys or aliases, a few statements in all."""
        if self.looked_up is None:
            return
        wanted = sorted({k for k in keys if k not in self.looked_up})
        if not wanted:
            return
        self.looked_up.update(wanted)
        connection = self.session.connection()
        for chunk in chunks(wanted):
            self.taken.update(connection.execute(_KEYS_IN, {"keys": list(chunk)}).scalars().all())

    def _look_up_suffixed(self, base: str) -> None:
        """Read the stored keys and aliases that are ``base`` or ``base`` and letters."""
        if self.looked_up is None or base in self.suffixes_read:
            return
        self.suffixes_read.add(base)
        self.looked_up.add(base)
        connection = self.session.connection()
        dialect = connection.dialect.name
        stmt = _LETTERED_KEYS.get(dialect, _LETTERED_KEYS[""])
        params = {"base": base, "pattern": _lettered_pattern(base, dialect)}
        self.taken.update(connection.execute(stmt, params).scalars().all())

    def in_use(self, key: str) -> bool:
        """Whether ``key`` is a stored (or already handed out) key or alias."""
        self.look_up([key])
        return key in self.taken

    def allocate(self, record: PaperRecord) -> tuple[str, str]:
        """A free key for ``record`` and a note when the incoming key had to change."""
        wanted = (record.key or "").strip()
        base = base_key(record)
        key = base
        if self.looked_up is not None and base not in self.looked_up:
            self._look_up_suffixed(base)  # one statement: the base and its lettered forms
        if key in self.taken:
            self._look_up_suffixed(base)
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


def _lettered(column: Any, dialect: str, base: Any, pattern: Any) -> Any:
    """``column`` is ``base`` or ``base`` and letters (the keys a clash on ``base`` gives);
    ``pattern`` is :func:`_lettered_pattern` of ``base``.

    GLOB (SQLite) reads the index range of the base; elsewhere a prefix LIKE, whose extra rows
    callers treat as the keys they also are.
    """
    if dialect == "sqlite":
        return sa.or_(column == base, column.op("GLOB")(pattern))
    return sa.or_(column == base, column.like(pattern, escape="/"))


def _lettered_pattern(base: str, dialect: str) -> str:
    """The GLOB (SQLite) or LIKE pattern of ``base`` followed by letters; its own wildcards
    literal."""
    if dialect == "sqlite":
        return re.sub(r"([*?\[])", r"[\1]", base) + "[a-z]*"
    return re.sub(r"([/%_])", r"/\1", base) + "%"


def suffixed(column: Any, base: str, session: Session) -> Any:
    """``column`` is ``base`` or ``base`` and letters (see :func:`_lettered`)."""
    dialect = session.get_bind().dialect.name
    return _lettered(column, dialect, base, _lettered_pattern(base, dialect))


# The stored keys and aliases that are a base or the base and letters, by dialect (SQLite's,
# and everyone else's under ""), built once: building it cost more than running it.
_LETTERED_KEYS = {
    dialect: sa.union_all(
        *(
            sa.select(c).where(_lettered(c, dialect, sa.bindparam("base"), sa.bindparam("pattern")))
            for c in _KEY_COLUMNS
        )
    )
    for dialect in ("sqlite", "")
}


def _letters(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa: the suffixes of clashing keys."""
    text = ""
    while n:
        n, rem = divmod(n - 1, 26)
        text = chr(ord("a") + rem) + text
    return text
