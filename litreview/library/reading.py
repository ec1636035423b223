"""Reading status and rating: each member's own on a shared library.

The paper's own ``status`` and ``rating`` columns are the member-less values: the single-user
default reads and writes them as it always has. A session working for a member
(:mod:`litreview.library.attribution`) reads and writes that member's row of ``member_paper``
instead; a paper the member never marked is unread and unrated for them. Every reader and writer
of a status or a rating goes through here: the paper views (the API's paper shape, the
exports), the edits, the status filter and the rating sort of the one paper query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.library.attribution import acting_member
from litreview.library.bulk import chunks, insert_columns
from litreview.models import MemberPaper, Paper, ReadingStatus

# The fields of a paper that are each member's own.
OWN_FIELDS = ("status", "rating")
Reading = tuple[ReadingStatus, int | None]
UNMARKED: Reading = (ReadingStatus.unread, None)


def readings(session: Session, paper_ids: Sequence[int]) -> dict[int, Reading] | None:
    """The session's member's status and rating of these papers (unmarked ones left out), or
    None when nobody is acting: then the papers' own columns are the values."""
    member = acting_member(session)
    if member is None:
        return None
    found: dict[int, Reading] = {}
    for chunk in chunks(list(paper_ids)):
        rows = session.execute(
            sa.select(col(MemberPaper.paper_id), col(MemberPaper.status), col(MemberPaper.rating))
            .where(col(MemberPaper.member_id) == member.id)
            .where(col(MemberPaper.paper_id).in_(chunk))
        )
        found.update((pid, (ReadingStatus(status), rating)) for pid, status, rating in rows)
    return found


def set_reading(session: Session, paper: Paper, values: Mapping[str, Any]) -> bool:
    """Write the status and rating given (keys among ``OWN_FIELDS``, already checked) as the
    session's member's own, or on the paper when nobody is acting. True when the paper row
    itself changed (its version moves then; a member's own marks are nobody else's edit)."""
    if not values:
        return False
    member = acting_member(session)
    if member is None:
        for name, value in values.items():
            setattr(paper, name, value)
        session.add(paper)
        return True
    assert paper.id is not None
    row = session.get(MemberPaper, (member.id, paper.id))
    if row is None:
        row = MemberPaper(member_id=member.id, paper_id=paper.id)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return False


def set_readings(session: Session, marks: Mapping[int, Mapping[str, Any]]) -> None:
    """:func:`set_reading` of many papers (an import's rows), by paper id: a statement for each
    set of fields written, no paper loaded (a sheet's status column names thousands)."""
    member = acting_member(session)
    if member is None:
        table = Paper.__table__  # type: ignore[attr-defined]
        key, where = table.c.id, table.c.id == sa.bindparam("marked")
    else:
        table = MemberPaper.__table__  # type: ignore[attr-defined]
        key, where = (
            table.c.paper_id,
            sa.and_(table.c.member_id == member.id, table.c.paper_id == sa.bindparam("marked")),
        )
        # A member's first mark of a paper is a new row (unread and unrated until now).
        held = {
            paper_id
            for chunk in chunks(sorted(marks))
            for (paper_id,) in session.execute(
                sa.select(key).where(table.c.member_id == member.id, key.in_(chunk))
            )
        }
        new = [paper_id for paper_id in marks if paper_id not in held]
        insert_columns(
            session,
            MemberPaper,
            {
                "member_id": [member.id] * len(new),
                "paper_id": new,
                "status": [ReadingStatus(marks[p].get("status", "unread")).value for p in new],
                "rating": [marks[p].get("rating") for p in new],
            },
        )
        marks = {p: v for p, v in marks.items() if p in held}
    by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for paper_id, values in marks.items():
        params = {f"new_{name}": value for name, value in values.items()}
        by_fields.setdefault(tuple(sorted(values)), []).append({"marked": paper_id, **params})
    for names, rows in by_fields.items():
        update = sa.update(table).where(where)
        update = update.values({name: sa.bindparam(f"new_{name}") for name in names})
        session.execute(update, rows)


def status_condition(session: Session, status: ReadingStatus) -> tuple[Any, Any] | None:
    """For a member: (the ids of the papers with this status for them, the same as a test of a
    paper row). None when nobody is acting (the paper's own column is filtered)."""
    member = acting_member(session)
    if member is None:
        return None
    mine = col(MemberPaper.member_id) == member.id
    paper_id = col(Paper.id)
    if status != ReadingStatus.unread:
        marked = col(MemberPaper.status) == status.value
        ids = sa.select(col(MemberPaper.paper_id)).where(mine, marked)
        test = sa.exists().where(col(MemberPaper.paper_id) == paper_id, mine, marked)
        return ids, test
    # Unread: every paper the member has not marked otherwise.
    other = col(MemberPaper.status) != ReadingStatus.unread.value
    marked_ids = sa.select(col(MemberPaper.paper_id)).where(mine, other)
    unmarked = ~sa.exists().where(col(MemberPaper.paper_id) == paper_id, mine, other)
    return sa.select(paper_id).where(paper_id.not_in(marked_ids)), unmarked


def rating_key(session: Session) -> Any:
    """What the rating sort orders by: the session's member's rating, else the paper's own."""
    member = acting_member(session)
    if member is None:
        return col(Paper.rating)
    return (
        sa.select(col(MemberPaper.rating))
        .where(col(MemberPaper.member_id) == member.id, col(MemberPaper.paper_id) == col(Paper.id))
        .scalar_subquery()
    )


def status_key(session: Session) -> Any:
    """What the status sort orders by: the session's member's status (unread where they never
    marked the paper), else the paper's own."""
    member = acting_member(session)
    if member is None:
        return col(Paper.status)
    marked = (
        sa.select(col(MemberPaper.status))
        .where(col(MemberPaper.member_id) == member.id, col(MemberPaper.paper_id) == col(Paper.id))
        .scalar_subquery()
    )
    return sa.func.coalesce(marked, ReadingStatus.unread.value)


def move_readings(session: Session, from_id: int, to_id: int) -> None:
    """A merge: members' marks of the absorbed paper go to the kept one where they had none."""
    kept = sa.select(col(MemberPaper.member_id)).where(col(MemberPaper.paper_id) == to_id)
    session.execute(
        sa.update(MemberPaper)
        .where(col(MemberPaper.paper_id) == from_id, col(MemberPaper.member_id).not_in(kept))
        .values(paper_id=to_id)
    )


def hand_over_readings(session: Session, member_id: int) -> None:
    """The library's first owner takes the member-less marks as their own: until accounts were
    turned on, they were the one person reading it (revision 0016 does the same)."""
    session.execute(
        sa.insert(MemberPaper).from_select(
            ["member_id", "paper_id", "status", "rating"],
            sa.select(
                sa.literal(member_id), col(Paper.id), col(Paper.status), col(Paper.rating)
            ).where(
                sa.or_(
                    col(Paper.status) != ReadingStatus.unread.value, col(Paper.rating).is_not(None)
                )
            ),
        )
    )
