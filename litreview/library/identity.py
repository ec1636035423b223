"""Identity: which stored (or earlier-in-this-import) paper a record is the same as.

One paper, one row: a record matches by arXiv id (version stripped), then DOI, then normalised
title (+ year); two different arXiv ids are never the same paper. Also: unique citation keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.importers.records import PaperRecord
from litreview.library.bulk import chunks
from litreview.models import (
    Paper,
)
from litreview.normalize import (
    key_stem,
    normalize_doi,
    title_fingerprint,
    try_arxiv_id,
)

# A title alone identifies a paper only when years agree, or when it is long enough to be unique.
MIN_FP_WITHOUT_YEAR = 24


@dataclass
class Prepared:
    index: int
    record: PaperRecord
    arxiv_id: str | None
    doi: str | None
    fp: str
    note: str = ""


class Matcher:
    """Finds the stored (or earlier-in-this-batch) paper a record is the same as.

    It reads the candidates of a batch from the database; an import into a small library
    instead reads every stored paper once (:meth:`every_paper`) and keeps it across batches.
    """

    def __init__(self, session: Session, prepared: Sequence[Prepared]) -> None:
        self.by_arxiv: dict[str, int] = {}
        self.by_doi: dict[str, int] = {}
        self.by_fp: dict[str, list[tuple[int, int | None]]] = {}
        # The arXiv id of every candidate: two different arXiv ids are never the same paper.
        self.arxiv_of: dict[int, str | None] = {}
        # The DOI and title of each stored paper a matcher of every paper knows.
        self.doi_of: dict[int, str | None] = {}
        self.fp_of: dict[int, str] = {}
        self._load(session, col(Paper.arxiv_id), [p.arxiv_id for p in prepared if p.arxiv_id])
        self._load(session, col(Paper.doi), [p.doi for p in prepared if p.doi])
        fps = sorted({p.fp for p in prepared if p.fp})
        stmt = sa.select(
            col(Paper.id), col(Paper.title_fp), col(Paper.year), col(Paper.arxiv_id)
        ).where(col(Paper.title_fp).in_(sa.bindparam("values", expanding=True)))
        for chunk in chunks(fps):
            for paper_id, fp, year, arxiv_id in session.execute(stmt, {"values": list(chunk)}):
                self.by_fp.setdefault(fp, []).append((paper_id, year))
                self.arxiv_of[paper_id] = arxiv_id

    @classmethod
    def every_paper(cls, session: Session) -> Matcher:
        """A matcher that knows every stored paper."""
        matcher = cls(session, [])
        matcher.refresh(session, None)
        return matcher

    def refresh(self, session: Session, paper_ids: Sequence[int] | None) -> None:
        """Read again what identifies these papers (every paper when None), e.g. after a merge."""
        stmt = sa.select(
            col(Paper.id), col(Paper.arxiv_id), col(Paper.doi), col(Paper.title_fp), col(Paper.year)
        )
        params: dict[str, Any] = {}
        if paper_ids is not None:
            for stored in paper_ids:
                self._forget(stored)
            stmt = stmt.where(col(Paper.id).in_(sa.bindparam("ids", expanding=True)))
            params = {"ids": list(paper_ids)}
        for paper_id, arxiv_id, doi, fp, year in session.connection().execute(stmt, params):
            if paper_id is not None:
                self.add(paper_id, arxiv_id, doi, fp, year)

    def settle(self, new: Sequence[Prepared], ids: Sequence[int]) -> None:
        """Give the papers of a batch their stored ids in place of their placeholders."""
        for position, (p, paper_id) in enumerate(zip(new, ids, strict=True)):
            placeholder = -(position + 1)
            del self.arxiv_of[placeholder]
            self.arxiv_of[paper_id] = p.arxiv_id
            self.doi_of[paper_id], self.fp_of[paper_id] = p.doi, p.fp
            for index, value in ((self.by_arxiv, p.arxiv_id), (self.by_doi, p.doi)):
                if value and index.get(value) == placeholder:
                    index[value] = paper_id
            if p.fp:
                papers = self.by_fp[p.fp]
                self.by_fp[p.fp] = [(paper_id if i == placeholder else i, y) for i, y in papers]

    def add(
        self, paper_id: int, arxiv_id: str | None, doi: str | None, fp: str, year: int | None
    ) -> None:
        """Know a stored paper."""
        self.arxiv_of[paper_id] = arxiv_id
        self.doi_of[paper_id], self.fp_of[paper_id] = doi, fp
        if arxiv_id:
            self.by_arxiv[arxiv_id] = paper_id
        if doi:
            self.by_doi[doi] = paper_id
        if fp:
            self.by_fp.setdefault(fp, []).append((paper_id, year))

    def _forget(self, paper_id: int) -> None:
        """Drop a paper from every index (before reading it again)."""
        for index, value in (
            (self.by_arxiv, self.arxiv_of.pop(paper_id, None)),
            (self.by_doi, self.doi_of.pop(paper_id, None)),
        ):
            if value and index.get(value) == paper_id:
                del index[value]
        fp = self.fp_of.pop(paper_id, "")
        if fp in self.by_fp:
            self.by_fp[fp] = [(i, y) for i, y in self.by_fp[fp] if i != paper_id]

    def _load(self, session: Session, column: Any, values: list[str]) -> None:
        target = self.by_arxiv if column.key == "arxiv_id" else self.by_doi
        stmt = sa.select(col(Paper.id), column, col(Paper.arxiv_id)).where(
            column.in_(sa.bindparam("values", expanding=True))
        )
        for chunk in chunks(sorted(set(values))):
            for paper_id, value, arxiv_id in session.execute(stmt, {"values": list(chunk)}):
                target[value] = paper_id
                self.arxiv_of[paper_id] = arxiv_id

    def _compatible(self, p: Prepared, paper_id: int) -> bool:
        other = self.arxiv_of.get(paper_id)
        return not (p.arxiv_id and other and other != p.arxiv_id)

    def find(self, p: Prepared) -> int | None:
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

    def remember(self, p: Prepared, paper_id: int) -> None:
        self.arxiv_of[paper_id] = p.arxiv_id
        if p.arxiv_id:
            self.by_arxiv.setdefault(p.arxiv_id, paper_id)
        if p.doi:
            self.by_doi.setdefault(p.doi, paper_id)
        if p.fp:
            self.by_fp.setdefault(p.fp, []).append((paper_id, p.record.year))


def prepare_batch(records: Sequence[PaperRecord]) -> list[Prepared]:
    """:func:`prepare` each record, indexed by position.

    Pure (no database), so an import can run it in the process that parses the file.
    """
    return [prepare(index, record) for index, record in enumerate(records)]


def prepare(index: int, record: PaperRecord) -> Prepared:
    parsed = try_arxiv_id(record.arxiv_id)
    if parsed is not None:
        record.arxiv_id = parsed.id
        record.arxiv_version = record.arxiv_version or parsed.version
    else:
        record.arxiv_id = None
    record.doi = normalize_doi(record.doi)
    record.title = " ".join((record.title or "").split())
    return Prepared(index, record, record.arxiv_id, record.doi, title_fingerprint(record.title))


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
