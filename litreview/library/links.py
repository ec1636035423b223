"""Typed paper-to-paper relations: this paper critiques / extends / cites ... that one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from litreview.errors import Conflict, InvalidInput, NotFound
from litreview.library.papers_base import get_paper
from litreview.models import Paper, PaperLink, Relation


def add_link(
    session: Session, source_id: int, target_id: int, relation: Relation | str, *, note: str = ""
) -> PaperLink:
    """Relate two papers; the same relation twice is a Conflict, a paper to itself is invalid."""
    try:
        relation = Relation(relation)
    except ValueError as exc:
        known = ", ".join(r.value for r in Relation)
        raise InvalidInput(
            f"unknown relation {relation!r} (known: {known})", field="relation"
        ) from exc
    get_paper(session, source_id)
    get_paper(session, target_id)
    if source_id == target_id:
        # 409: the request is well formed; it conflicts with the paper itself
        raise Conflict("a paper cannot be related to itself", field="target_id")
    existing = session.exec(
        select(PaperLink).where(
            PaperLink.source_id == source_id,
            PaperLink.target_id == target_id,
            PaperLink.relation == relation,
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"paper {source_id} already {relation.value} paper {target_id}", link_id=existing.id
        )
    link = PaperLink(source_id=source_id, target_id=target_id, relation=relation, note=note)
    session.add(link)
    session.flush()
    return link


def remove_link(session: Session, link_id: int) -> None:
    link = session.get(PaperLink, link_id)
    if link is None:
        raise NotFound(f"no relation with id {link_id}", link_id=link_id)
    session.delete(link)
    session.flush()


@dataclass
class LinkView:
    """A relation seen from one paper: outgoing ("critiques X") or incoming ("critiqued by X")."""

    id: int
    relation: Relation
    direction: str
    other_id: int
    other_key: str
    other_title: str
    note: str


def paper_links(session: Session, paper_id: int) -> list[LinkView]:
    """Every relation the paper takes part in, outgoing first."""
    get_paper(session, paper_id)
    links = session.exec(
        select(PaperLink)
        .where(or_(PaperLink.source_id == paper_id, PaperLink.target_id == paper_id))
        .order_by(col(PaperLink.id))
    ).all()
    return link_views(session, paper_id, list(links))


def link_views(session: Session, paper_id: int, links: list[PaperLink]) -> list[LinkView]:
    others = {lk.target_id if lk.source_id == paper_id else lk.source_id for lk in links}
    papers = {p.id: p for p in session.exec(select(Paper).where(col(Paper.id).in_(others))).all()}
    views = []
    for link in links:
        outgoing = link.source_id == paper_id
        other = papers[link.target_id if outgoing else link.source_id]
        assert link.id is not None and other.id is not None
        views.append(
            LinkView(
                link.id,
                link.relation,
                "outgoing" if outgoing else "incoming",
                other.id,
                other.key,
                other.title,
                link.note,
            )
        )
    views.sort(key=lambda v: (v.direction != "outgoing", v.id))
    return views
