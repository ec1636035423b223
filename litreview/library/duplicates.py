"""Possible duplicates: papers that look alike, for the user to merge or to keep apart.

Identity never merges on a title (see :mod:`.identity`): a close match, the same normalised
title with years at most one apart and a family name in common (Zotero's duplicate finder), is
recorded here. The user merges the pair (:func:`merge_pair`, field by field) or says "not a
duplicate" (:func:`dismiss_pair`), which is remembered so the pair is not proposed again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.errors import InvalidInput, NotFound
from litreview.library.bulk import bulk_insert, chunks
from litreview.models import (
    Author,
    DuplicateStatus,
    Paper,
    PaperAuthor,
    PossibleDuplicate,
    utcnow,
)
from litreview.normalize import fold

# Titles shorter than this (after normalising) are too common to suggest anything ("Notes").
MIN_TITLE_FP = 4


@dataclass
class DuplicatePair:
    id: int
    paper_a_id: int
    paper_b_id: int
    reason: str
    status: DuplicateStatus


def _look_alikes() -> sa.Select[Any]:
    """Each given paper (``:ids``) with every other paper of its normalised title and a year
    at most one apart (or unknown)."""
    table: Any = Paper.__table__  # type: ignore[attr-defined]
    new, old = table.alias("new"), table.alias("old")
    return (
        sa.select(new.c.id, old.c.id, new.c.year, old.c.year)
        .join(old, (old.c.title_fp == new.c.title_fp) & (old.c.id != new.c.id))
        .where(
            new.c.id.in_(sa.bindparam("ids", expanding=True)),
            sa.func.length(new.c.title_fp) >= MIN_TITLE_FP,
            sa.or_(
                new.c.year.is_(None),
                old.c.year.is_(None),
                sa.func.abs(new.c.year - old.c.year) <= 1,
            ),
        )
    )


# Built once: building it (two aliases of the paper table) cost more than running it for the
# one paper added by hand.
_LOOK_ALIKES = _look_alikes()


def record_possible_duplicates(session: Session, paper_ids: Sequence[int]) -> int:
    """Record the look-alikes of these papers not recorded yet; how many pairs were added."""
    if not paper_ids:
        return 0
    candidates: dict[tuple[int, int], str] = {}
    for chunk in chunks(sorted(set(paper_ids))):
        for a, b, year_a, year_b in session.execute(_LOOK_ALIKES, {"ids": list(chunk)}):
            if a > b:  # the pair in id order, whichever row came first (PostgreSQL: any)
                a, b, year_a, year_b = b, a, year_b, year_a
            pair = (a, b)
            years = "same year" if year_a == year_b else f"years {year_a} and {year_b}"
            candidates.setdefault(pair, f"same title, {years}")
    if not candidates:
        return 0
    families = _families(session, {i for pair in candidates for i in pair})
    known = _recorded(session, candidates)
    rows = []
    now = utcnow()
    for (a, b), why in sorted(candidates.items()):
        shared = families.get(a, {}).keys() & families.get(b, {}).keys()
        if not shared or (a, b) in known:
            continue
        name = families[a][min(shared)]
        rows.append(
            {
                "paper_a_id": a,
                "paper_b_id": b,
                "reason": f"{why}, both by {name}",
                "status": DuplicateStatus.open.value,
                "created_at": now,
            }
        )
    bulk_insert(session, PossibleDuplicate, rows)
    return len(rows)


def _families(session: Session, paper_ids: set[int]) -> dict[int, dict[str, str]]:
    """Each paper's people (authors and editors) by folded family name -> family name."""
    stmt = (
        sa.select(col(PaperAuthor.paper_id), col(Author.family))
        .join(Author, col(Author.id) == col(PaperAuthor.author_id))
        .where(col(PaperAuthor.paper_id).in_(sa.bindparam("ids", expanding=True)))
    )
    found: dict[int, dict[str, str]] = {}
    for chunk in chunks(sorted(paper_ids)):
        for paper_id, family in session.execute(stmt, {"ids": list(chunk)}):
            key = fold(family)
            if key:
                found.setdefault(paper_id, {})[key] = family
    return found


def _recorded(session: Session, pairs: dict[tuple[int, int], str]) -> set[tuple[int, int]]:
    firsts = sorted({a for a, _ in pairs})
    stmt = sa.select(col(PossibleDuplicate.paper_a_id), col(PossibleDuplicate.paper_b_id)).where(
        col(PossibleDuplicate.paper_a_id).in_(sa.bindparam("ids", expanding=True))
    )
    known: set[tuple[int, int]] = set()
    for chunk in chunks(firsts):
        known.update((a, b) for a, b in session.execute(stmt, {"ids": list(chunk)}))
    return known


def list_pairs(
    session: Session, status: DuplicateStatus | None = DuplicateStatus.open
) -> list[DuplicatePair]:
    """The recorded pairs (open ones by default), oldest first."""
    stmt = select(PossibleDuplicate).order_by(col(PossibleDuplicate.id))
    if status is not None:
        stmt = stmt.where(PossibleDuplicate.status == status)
    return [_pair(row) for row in session.exec(stmt).all()]


def count_open(session: Session) -> int:
    stmt = sa.select(sa.func.count()).where(
        col(PossibleDuplicate.status) == DuplicateStatus.open.value
    )
    return int(session.execute(stmt).scalar_one())


def get_pair(session: Session, pair_id: int) -> DuplicatePair:
    row = session.get(PossibleDuplicate, pair_id)
    if row is None:
        raise NotFound(f"no possible duplicate with id {pair_id}", pair_id=pair_id)
    return _pair(row)


def dismiss_pair(session: Session, pair_id: int) -> DuplicatePair:
    """Remember that the two papers are different works."""
    row = session.get(PossibleDuplicate, pair_id)
    if row is None:
        raise NotFound(f"no possible duplicate with id {pair_id}", pair_id=pair_id)
    row.status = DuplicateStatus.dismissed
    session.add(row)
    session.flush()
    return _pair(row)


def pair_paper(pair: DuplicatePair, keep: int | None) -> tuple[int, int]:
    """(kept, absorbed) paper ids of a pair; ``keep`` must be one of its two (default: a)."""
    keep = pair.paper_a_id if keep is None else keep
    if keep not in (pair.paper_a_id, pair.paper_b_id):
        raise InvalidInput(
            f"paper {keep} is not in pair {pair.id} ({pair.paper_a_id}, {pair.paper_b_id})",
            field="keep",
        )
    other = pair.paper_b_id if keep == pair.paper_a_id else pair.paper_a_id
    return keep, other


def _pair(row: PossibleDuplicate) -> DuplicatePair:
    assert row.id is not None
    return DuplicatePair(
        row.id, row.paper_a_id, row.paper_b_id, row.reason, DuplicateStatus(row.status)
    )


def merge_pair(
    session: Session,
    pair_id: int,
    *,
    keep: int | None = None,
    take: Mapping[str, int] | None = None,
) -> int:
    """Merge a recorded pair (the other paper into ``keep``); the kept paper's id."""
    from litreview.library.merge_papers import merge_papers

    keep_id, other_id = pair_paper(get_pair(session, pair_id), keep)
    merge_papers(session, keep_id, other_id, take)
    return keep_id
