"""Links between areas across the tree (enables / applies_to / alternative_to / related), and
the research map: areas with their status and paper counts, tree edges and links.

``enables`` links never form a cycle: a link that would close one is refused with the path.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.errors import Conflict, NotFound
from litreview.library.areas import (
    AreaNode,
    area_paths,
    area_tree,
    get_area,
    parse_enum,
    subtree_ids,
    walk_tree,
)
from litreview.models import AreaLink, AreaRelation


def _enables_successors(session: Session) -> dict[int, list[int]]:
    rows = session.execute(
        sa.select(col(AreaLink.source_id), col(AreaLink.target_id))
        .where(col(AreaLink.relation) == AreaRelation.enables)
        .order_by(col(AreaLink.source_id), col(AreaLink.target_id))
    )
    succ: dict[int, list[int]] = {}
    for source, target in rows:
        succ.setdefault(source, []).append(target)
    return succ


def enables_path(session: Session, start: int, goal: int) -> list[int] | None:
    """The shortest chain of ``enables`` links from ``start`` to ``goal`` (area ids), if any."""
    succ = _enables_successors(session)
    came_from: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == goal:
            path = [here]
            while (prev := came_from[path[-1]]) is not None:
                path.append(prev)
            return path[::-1]
        for nxt in succ.get(here, []):
            if nxt not in came_from:
                came_from[nxt] = here
                queue.append(nxt)
    return None


def link_areas(
    session: Session,
    source_id: int,
    target_id: int,
    relation: AreaRelation | str,
    *,
    note: str = "",
) -> AreaLink:
    """Link two areas; an ``enables`` link that would close a cycle is refused with the path."""
    kind = parse_enum(AreaRelation, relation, "relation")
    get_area(session, source_id)
    get_area(session, target_id)
    if source_id == target_id:
        raise Conflict("an area cannot be linked to itself", field="target_id")
    existing = session.exec(
        select(AreaLink).where(
            AreaLink.source_id == source_id,
            AreaLink.target_id == target_id,
            AreaLink.relation == kind,
        )
    ).first()
    if existing is not None:
        raise Conflict("these areas are already linked that way", link_id=existing.id)
    if kind is AreaRelation.enables:
        back = enables_path(session, target_id, source_id)
        if back is not None:
            paths = area_paths(session)
            cycle = [paths[i] for i in [source_id, *back]]
            raise Conflict(  # with the links already there (409, the path named)
                "an enables link may not form a cycle: " + " -> ".join(cycle),
                field="target_id",
                cycle=cycle,
                cycle_ids=[source_id, *back],
            )
    link = AreaLink(source_id=source_id, target_id=target_id, relation=kind, note=note)
    session.add(link)
    session.flush()
    return link


def get_area_link(session: Session, link_id: int) -> AreaLink:
    link = session.get(AreaLink, link_id)
    if link is None:
        raise NotFound(f"no area link with id {link_id}", link_id=link_id)
    return link


def update_area_link(session: Session, link_id: int, *, note: str) -> AreaLink:
    """Change a link's note (a different type or direction is a new link)."""
    link = get_area_link(session, link_id)
    link.note = note
    session.add(link)
    session.flush()
    return link


def unlink_areas(session: Session, link_id: int) -> None:
    session.delete(get_area_link(session, link_id))
    session.flush()


def find_area_links(
    session: Session, source_id: int, target_id: int, relation: AreaRelation | str | None = None
) -> list[AreaLink]:
    """The links from one area to another (of one type when given)."""
    stmt = select(AreaLink).where(AreaLink.source_id == source_id, AreaLink.target_id == target_id)
    if relation is not None:
        stmt = stmt.where(AreaLink.relation == parse_enum(AreaRelation, relation, "relation"))
    return list(session.exec(stmt.order_by(col(AreaLink.id))).all())


@dataclass
class AreaMap:
    """The areas to draw (display order, parents first) and the links among them."""

    nodes: list[AreaNode]
    links: list[AreaLink] = field(default_factory=list)

    @property
    def node_ids(self) -> set[int]:
        return {n.area.id for n in self.nodes if n.area.id is not None}


def area_links_among(session: Session, area_ids: set[int] | None = None) -> list[AreaLink]:
    """The links with both ends among ``area_ids`` (all links when None)."""
    links = session.exec(
        select(AreaLink).order_by(
            col(AreaLink.source_id), col(AreaLink.target_id), col(AreaLink.relation)
        )
    ).all()
    if area_ids is None:
        return list(links)
    return [lk for lk in links if lk.source_id in area_ids and lk.target_id in area_ids]


def load_map(session: Session, *, root_id: int | None = None) -> AreaMap:
    """The whole map, or the subtree under ``root_id``; links with both ends inside it."""
    nodes = walk_tree(area_tree(session))
    if root_id is not None:
        get_area(session, root_id)
        keep = subtree_ids(session, root_id)
        nodes = [n for n in nodes if n.area.id in keep]
    ids = {n.area.id for n in nodes if n.area.id is not None}
    return AreaMap(nodes, area_links_among(session, ids if root_id is not None else None))
