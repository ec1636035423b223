"""Tags: free labels on papers, created on first use."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.choices import MAX_TAG_LENGTH as MAX_TAG_LENGTH
from litreview.choices import TagOrder
from litreview.errors import InvalidInput, NotFound
from litreview.library.papers_base import bump, get_paper
from litreview.models import PaperTag, Tag


def tidy_tag(name: str) -> str:
    """A tag name with its spacing tidied ("" when there is nothing but space)."""
    return " ".join(name.split())


def clean_tags(names: Iterable[str]) -> set[str]:
    """The distinct tidied names, blank ones left out; over-long ones refused."""
    return {clean_tag(name) for name in names if name.strip()}


def clean_tag(name: str) -> str:
    """A tag name with spacing tidied; rejects empty and over-long names."""
    cleaned = tidy_tag(name)
    if not cleaned:
        raise InvalidInput("a tag must not be empty", field="tag")
    if len(cleaned) > MAX_TAG_LENGTH:
        raise InvalidInput(f"a tag is at most {MAX_TAG_LENGTH} characters", field="tag")
    return cleaned


def ensure_tags(session: Session, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named tags, creating the missing ones in one insert."""
    wanted = {clean_tag(n) for n in names}
    if not wanted:
        return {}
    found: dict[str, int] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        rows = session.execute(
            sa.select(col(Tag.name), col(Tag.id)).where(col(Tag.name).in_(chunk))
        )
        found.update({name: tag_id for name, tag_id in rows})
    missing = [{"name": n} for n in ordered if n not in found]
    if missing:
        table = Tag.__table__  # type: ignore[attr-defined]
        insert = sa.insert(table)
        if session.get_bind().dialect.name == "postgresql":
            # Another writer may be adding the same tag (SQLite's write lock keeps them apart):
            # theirs stands, and is read below once they commit. (The dialect is imported
            # here: it costs every SQLite command ~20 ms.)
            from sqlalchemy.dialects import postgresql

            insert = postgresql.insert(table).on_conflict_do_nothing(index_elements=["name"])
        rows = session.execute(insert.returning(table.c.name, table.c.id), missing)
        found.update({name: tag_id for name, tag_id in rows})
        if len(found) < len(wanted):
            taken = [n for n in ordered if n not in found]
            rows = session.execute(
                sa.select(col(Tag.name), col(Tag.id)).where(col(Tag.name).in_(taken))
            )
            found.update({name: tag_id for name, tag_id in rows})
    return found


def add_tags(session: Session, paper_id: int, names: Iterable[str]) -> list[str]:
    """Tag a paper (tags it already has are left alone); returns its tags afterwards."""
    paper = get_paper(session, paper_id)
    ids = ensure_tags(session, names)
    have = set(session.exec(select(PaperTag.tag_id).where(PaperTag.paper_id == paper_id)).all())
    new = [tag_id for tag_id in ids.values() if tag_id not in have]
    for tag_id in new:
        session.add(PaperTag(paper_id=paper_id, tag_id=tag_id))
    if new:
        bump(session, paper)
    session.flush()
    return paper_tags(session, paper_id)


def remove_tag(session: Session, paper_id: int, name: str) -> list[str]:
    """Take a tag off a paper; NotFound when the paper does not have it."""
    paper = get_paper(session, paper_id)
    tag = session.exec(select(Tag).where(Tag.name == clean_tag(name))).first()
    link = session.get(PaperTag, (paper_id, tag.id)) if tag else None
    if link is None:
        raise NotFound(f"paper {paper_id} has no tag {name!r}", tag=name)
    session.delete(link)
    bump(session, paper)
    session.flush()
    return paper_tags(session, paper_id)


def paper_tags(session: Session, paper_id: int) -> list[str]:
    stmt = (
        select(Tag.name)
        .join(PaperTag, col(PaperTag.tag_id) == col(Tag.id))
        .where(PaperTag.paper_id == paper_id)
        .order_by(col(Tag.name))
    )
    return list(session.exec(stmt).all())


def tag_counts(
    session: Session,
    *,
    contains: str = "",
    order: TagOrder = TagOrder.by_name,
    limit: int | None = None,
) -> list[tuple[Tag, int]]:
    """Tags with the number of papers carrying each: those whose name contains ``contains``
    (any case), by name or the most used first, the first ``limit`` of them (all when None)."""
    count = sa.func.count(col(PaperTag.paper_id))
    stmt = (
        select(Tag, count)
        .join(PaperTag, col(PaperTag.tag_id) == col(Tag.id), isouter=True)
        .where(_name_contains(contains))
        .group_by(col(Tag.id))
    )
    ordering = [col(Tag.name)] if order is TagOrder.by_name else [count.desc(), col(Tag.name)]
    stmt = stmt.order_by(*ordering).limit(limit)
    return [(tag, n) for tag, n in session.exec(stmt).all()]


def count_tags(session: Session, *, contains: str = "") -> int:
    """How many tags' names contain ``contains`` (any case)."""
    stmt = sa.select(sa.func.count()).select_from(Tag).where(_name_contains(contains))
    return int(session.execute(stmt).scalar_one())


def _name_contains(text: str) -> sa.ColumnElement[bool]:
    tidy = tidy_tag(text)
    if not tidy:
        return sa.true()
    escaped = tidy.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return col(Tag.name).ilike(f"%{escaped}%", escape="\\")


def set_tag_private(session: Session, name: str, private: bool) -> Tag:
    """Mark a tag private (left out of exports that print only public tags) or public."""
    tag = session.exec(select(Tag).where(Tag.name == clean_tag(name))).first()
    if tag is None:
        raise NotFound(f"no tag {name!r}", tag=name)
    tag.private = private
    session.add(tag)
    session.flush()
    return tag


def private_tag_names(session: Session) -> frozenset[str]:
    """The names of the private tags."""
    return frozenset(session.exec(select(Tag.name).where(col(Tag.private))).all())


def delete_tag(session: Session, name: str) -> None:
    """Remove a tag from every paper and from the list of tags."""
    tag = session.exec(select(Tag).where(Tag.name == clean_tag(name))).first()
    if tag is None:
        raise NotFound(f"no tag {name!r}", tag=name)
    session.execute(sa.delete(PaperTag).where(col(PaperTag.tag_id) == tag.id))
    session.delete(tag)
    session.flush()
