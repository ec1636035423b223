"""The research-area tree: create, rename, move (never into its own subtree), order among
siblings, status, delete (lifting or dropping the subtree, told beforehand), paths, stances."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.choices import ChildrenChoice as ChildrenChoice
from litreview.errors import Conflict, InvalidInput, NotFound
from litreview.library.attribution import acting_name
from litreview.library.papers_base import bump, get_paper
from litreview.models import Area, AreaLink, AreaStatus, PaperArea, Stance, utcnow

PATH_SEPARATOR = "/"


def clean_area_name(name: str) -> str:
    """An area name with spacing tidied; rejects empty names and the path separator."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("an area name must not be empty", field="name")
    if PATH_SEPARATOR in cleaned:
        raise InvalidInput(
            f"an area name must not contain {PATH_SEPARATOR!r}: {name!r}", field="name"
        )
    return cleaned


def split_area_path(path: str) -> list[str]:
    """``"A/B/C"`` -> ``["A", "B", "C"]``; rejects empty parts."""
    parts = [" ".join(p.split()) for p in path.split(PATH_SEPARATOR)]
    if not path.strip() or any(not p for p in parts):
        raise InvalidInput(f"not an area path (names joined by '/'): {path!r}", field="area")
    return parts


def get_area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound(f"no area with id {area_id}", area_id=area_id)
    return area


def _child(session: Session, parent_id: int | None, name: str) -> Area | None:
    stmt = select(Area).where(Area.name == name)
    stmt = stmt.where(
        col(Area.parent_id).is_(None) if parent_id is None else Area.parent_id == parent_id
    )
    return session.exec(stmt).first()


def _next_position(session: Session, parent_id: int | None) -> int:
    cond = col(Area.parent_id).is_(None) if parent_id is None else Area.parent_id == parent_id
    top = session.exec(select(sa.func.max(Area.position)).where(cond)).one()
    return (top or 0) + 1


def create_area(
    session: Session, name: str, *, parent_id: int | None = None, description: str = ""
) -> Area:
    """A new area under ``parent_id`` (top level when None); names are unique among siblings."""
    name = clean_area_name(name)
    if parent_id is not None:
        get_area(session, parent_id)
    if _child(session, parent_id, name) is not None:
        raise Conflict(f"an area named {name!r} already exists there", field="name")
    area = Area(
        name=name,
        parent_id=parent_id,
        description=description,
        position=_next_position(session, parent_id),
    )
    stamp_area(session, area)
    session.flush()
    return area


def stamp_area(session: Session, area: Area) -> None:
    """Record that the area changed now, and by whom (see :mod:`litreview.library.attribution`)."""
    area.updated_at = utcnow()
    area.edited_by = acting_name(session)
    session.add(area)


def ensure_area_path(session: Session, path: str) -> Area:
    """The area at ``path`` ("A/B/C"), creating whichever of its areas are missing."""
    parent: Area | None = None
    for name in split_area_path(path):
        parent_id = parent.id if parent else None
        found = _child(session, parent_id, name)
        parent = found if found is not None else create_area(session, name, parent_id=parent_id)
    assert parent is not None
    return parent


def ensure_area_paths(session: Session, paths: Iterable[str]) -> dict[str, int]:
    """The id of the area at each path, creating the missing areas of all of them: the tree
    read once, and the new areas of each depth added in one flush (a spreadsheet names many)."""
    wanted = {path: split_area_path(path) for path in dict.fromkeys(paths)}
    if not wanted:
        return {}
    known = {
        (parent_id, name): area_id
        for area_id, parent_id, name in session.execute(
            sa.select(col(Area.id), col(Area.parent_id), col(Area.name))
        )
    }
    last = dict(
        session.execute(
            sa.select(col(Area.parent_id), sa.func.max(col(Area.position))).group_by(
                col(Area.parent_id)
            )
        ).all()
    )
    parents: dict[str, int | None] = dict.fromkeys(wanted)
    for depth in range(max(len(parts) for parts in wanted.values())):
        new: dict[tuple[int | None, str], Area] = {}
        for path, parts in wanted.items():
            if depth < len(parts) and (parents[path], parts[depth]) not in known:
                parent_id, name = parents[path], clean_area_name(parts[depth])
                if (parent_id, name) not in new:
                    last[parent_id] = (last.get(parent_id) or 0) + 1
                    new[parent_id, name] = Area(
                        name=name,
                        parent_id=parent_id,
                        position=last[parent_id],
                        updated_at=utcnow(),
                        edited_by=acting_name(session),
                    )
        if new:
            session.add_all(new.values())
            session.flush()
            known.update({key: area.id for key, area in new.items() if area.id is not None})
        for path, parts in wanted.items():
            if depth < len(parts):
                parents[path] = known[parents[path], parts[depth]]
    return {path: area_id for path, area_id in parents.items() if area_id is not None}


def find_area_path(session: Session, path: str) -> Area:
    """The existing area at ``path``; NotFound names the first missing part."""
    parent: Area | None = None
    for name in split_area_path(path):
        found = _child(session, parent.id if parent else None, name)
        if found is None:
            raise NotFound(f"no area {name!r} in path {path!r}", area=path)
        parent = found
    assert parent is not None
    return parent


def update_area(
    session: Session,
    area_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    parent_id: int | None = None,
    move: bool = False,
    status: AreaStatus | str | None = None,
    position: int | None = None,
) -> Area:
    """Rename, describe, move (``move=True`` with ``parent_id`` None = top level), set the
    status, or put the area at ``position`` (from 0) among its siblings."""
    area = get_area(session, area_id)
    if status is not None:
        area.status = parse_enum(AreaStatus, status, "status")
    new_parent = parent_id if move else area.parent_id
    if move and parent_id is not None:
        get_area(session, parent_id)
        if parent_id in subtree_ids(session, area_id):
            raise Conflict(  # with the tree as it is (409)
                f"cannot move area {area.name!r} under itself or its own sub-area",
                field="parent_id",
            )
    new_name = clean_area_name(name) if name is not None else area.name
    if (new_name, new_parent) != (area.name, area.parent_id):
        clash = _child(session, new_parent, new_name)
        if clash is not None and clash.id != area.id:
            raise Conflict(f"an area named {new_name!r} already exists there", field="name")
    if move and new_parent != area.parent_id:
        area.position = _next_position(session, new_parent)
    changed = (area.name, area.parent_id) != (new_name, new_parent) or status is not None
    area.name = new_name
    area.parent_id = new_parent
    if description is not None:
        changed = changed or description != area.description
        area.description = description
    if changed or position is not None:
        stamp_area(session, area)
    session.flush()
    if position is not None:
        reorder_area(session, area_id, position)
    return area


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: E | str, name: str) -> E:
    """``value`` as a member of ``enum``; InvalidInput lists the known values otherwise."""
    try:
        return enum(value)
    except ValueError as exc:
        known = ", ".join(m.value for m in enum)
        raise InvalidInput(f"unknown {name} {value!r} (known: {known})", field=name) from exc


def _siblings(session: Session, parent_id: int | None) -> list[Area]:
    cond = col(Area.parent_id).is_(None) if parent_id is None else Area.parent_id == parent_id
    stmt = select(Area).where(cond).order_by(col(Area.position), col(Area.name))
    return list(session.exec(stmt).all())


def reorder_area(session: Session, area_id: int, index: int) -> None:
    """Put the area at ``index`` (from 0; past the end = last) among its siblings."""
    area = get_area(session, area_id)
    if index < 0:
        raise InvalidInput(f"a position counts from 0, not {index}", field="position")
    siblings = [a for a in _siblings(session, area.parent_id) if a.id != area_id]
    siblings.insert(min(index, len(siblings)), area)
    for number, sibling in enumerate(siblings, start=1):
        if sibling.position != number:
            sibling.position = number
            session.add(sibling)
    session.flush()


@dataclass
class DeletionPlan:
    """What deleting an area would do, told before it is done."""

    area_id: int
    path: str
    sub_areas: list[str]
    papers_placed: int
    papers_in_subtree: int
    links: int
    lift_clashes: list[str]

    def describe(self, choice: ChildrenChoice | None) -> str:
        """One sentence for the user: what is deleted, what moves, what stays."""
        said = f"Deleting {self.path!r} removes {self.papers_placed} paper placement(s) there"
        if self.sub_areas and choice is ChildrenChoice.delete:
            said += (
                f" and its {len(self.sub_areas)} sub-area(s) with their"
                f" {self.papers_in_subtree} paper(s) placed below"
            )
        elif self.sub_areas:
            said += f"; its {len(self.sub_areas)} sub-area(s) move up one level"
        if self.links:
            said += f"; {self.links} link(s) between areas go"
        return said + ". Papers stay in the library."


def deletion_plan(session: Session, area_id: int) -> DeletionPlan:
    """What :func:`delete_area` would do to sub-areas, papers and links."""
    area = get_area(session, area_id)
    subtree = subtree_ids(session, area_id)
    paths = area_paths(session)
    sub_areas = sorted(paths[i] for i in subtree if i != area_id)
    children = session.exec(select(Area).where(Area.parent_id == area_id)).all()
    clashes = [c.name for c in children if _child(session, area.parent_id, c.name) is not None]
    count = sa.select(sa.func.count(sa.distinct(col(PaperArea.paper_id))))
    placed = session.execute(count.where(col(PaperArea.area_id) == area_id)).scalar_one()
    below = session.execute(count.where(col(PaperArea.area_id).in_(subtree))).scalar_one()
    touching = col(AreaLink.source_id).in_(subtree) | col(AreaLink.target_id).in_(subtree)
    links = session.execute(sa.select(sa.func.count()).where(touching)).scalar_one()
    return DeletionPlan(area_id, paths[area_id], sub_areas, placed, below, links, clashes)


def delete_area(
    session: Session, area_id: int, *, children: ChildrenChoice | str | None = None
) -> DeletionPlan:
    """Delete an area (papers stay in the library). An area with sub-areas needs a choice:
    ``lift`` moves them up one level, ``delete`` deletes the whole subtree; without one the
    Conflict carries the plan, so the caller can say what would happen."""
    plan = deletion_plan(session, area_id)
    choice = parse_enum(ChildrenChoice, children, "children") if children else None
    if plan.sub_areas and choice is None:
        raise Conflict(
            f"{plan.path!r} has {len(plan.sub_areas)} sub-area(s): choose children=lift"
            " (move them up one level) or children=delete (delete the whole subtree)",
            plan=plan.describe(ChildrenChoice.lift),
            sub_areas=plan.sub_areas,
        )
    if choice is ChildrenChoice.delete:
        doomed = subtree_ids(session, area_id)
    else:
        doomed = {area_id}
        _lift_children(session, area_id, plan)
    session.execute(sa.delete(PaperArea).where(col(PaperArea.area_id).in_(doomed)))
    touching = col(AreaLink.source_id).in_(doomed) | col(AreaLink.target_id).in_(doomed)
    session.execute(sa.delete(AreaLink).where(touching))
    # Detached first: the parent key restricts deleting a parent before its children.
    ids = col(Area.id).in_(doomed)
    session.execute(sa.update(Area).where(ids).values(parent_id=None))
    session.execute(sa.delete(Area).where(ids))
    session.expire_all()
    session.flush()
    return plan


def _lift_children(session: Session, area_id: int, plan: DeletionPlan) -> None:
    if plan.lift_clashes:
        raise Conflict(
            f"cannot lift the sub-areas of {plan.path!r}: {plan.lift_clashes[0]!r} would clash"
            " with a sibling of the same name",
            area_id=area_id,
        )
    parent_id = get_area(session, area_id).parent_id
    for child in session.exec(select(Area).where(Area.parent_id == area_id)).all():
        child.parent_id = parent_id
        child.position = _next_position(session, parent_id)
        session.add(child)
        session.flush()


def subtree_ids(session: Session, area_id: int) -> set[int]:
    """The area and all its descendants."""
    tree = sa.select(col(Area.id)).where(col(Area.id) == area_id).cte("subtree", recursive=True)
    tree = tree.union_all(sa.select(col(Area.id)).where(col(Area.parent_id) == tree.c.id))
    return {row[0] for row in session.execute(sa.select(tree.c.id))}


# Up to this many areas, their paths are read with their ancestors; beyond, the whole map.
FEW_AREAS = 500
# These areas and the areas above them (a few rows, however large the map).
_WITH_ANCESTORS = sa.text(
    """
    WITH RECURSIVE up(id) AS (
        SELECT id FROM area WHERE id IN :ids
        UNION SELECT area.parent_id FROM area JOIN up ON area.id = up.id
        WHERE area.parent_id IS NOT NULL
    )
    SELECT area.id, area.parent_id, area.name FROM area JOIN up ON area.id = up.id
    """
).bindparams(sa.bindparam("ids", expanding=True))


def area_paths(session: Session, ids: Collection[int] | None = None) -> dict[int, str]:
    """Every area's path ("A/B/C") by id; given ``ids``, only those areas' paths (and their
    ancestors'), read without reading the whole map."""
    if ids is not None and not ids:
        return {}
    if ids is not None and len(ids) <= FEW_AREAS:
        rows = session.execute(_WITH_ANCESTORS, {"ids": sorted(ids)}).all()
    else:
        rows = session.execute(sa.select(col(Area.id), col(Area.parent_id), col(Area.name))).all()
    by_id = {r[0]: (r[1], r[2]) for r in rows}
    paths: dict[int, str] = {}

    def path_of(area_id: int) -> str:
        if area_id not in paths:
            parent_id, name = by_id[area_id]
            paths[area_id] = name if parent_id is None else f"{path_of(parent_id)}/{name}"
        return paths[area_id]

    for area_id in by_id:
        path_of(area_id)
    return paths


@dataclass
class AreaNode:
    """An area with its children and the number of papers in it and its sub-areas."""

    area: Area
    path: str
    paper_count: int = 0
    direct_count: int = 0
    children: list[AreaNode] = field(default_factory=list)
    child_count: int = 0  # direct sub-areas, also when ``children`` was cut by a depth


# Papers per area, and distinct papers per area with all its sub-areas (a paper filed in an area
# and in its sub-area counts once), counted by the database rather than by reading every link.
# ``:all`` true counts every area; otherwise only the areas in ``:ids`` (a level of the tree).
_DIRECT_COUNTS = sa.text(
    "SELECT area_id, COUNT(*) FROM paper_area WHERE :all OR area_id IN :ids GROUP BY area_id"
).bindparams(sa.bindparam("ids", expanding=True))
_SUBTREE_COUNTS = sa.text(
    """
    WITH RECURSIVE closure(ancestor, descendant) AS (
        SELECT id, id FROM area WHERE :all OR id IN :ids
        UNION ALL
        SELECT closure.ancestor, area.id
        FROM closure JOIN area ON area.parent_id = closure.descendant
    )
    SELECT closure.ancestor, COUNT(DISTINCT paper_area.paper_id)
    FROM closure JOIN paper_area ON paper_area.area_id = closure.descendant
    GROUP BY closure.ancestor
    """
).bindparams(sa.bindparam("ids", expanding=True))


def area_tree(
    session: Session, *, parent_id: int | None = None, depth: int | None = None
) -> list[AreaNode]:
    """The tree in display order with paper counts (each paper counted once per node): the
    top-level areas, or the sub-areas of ``parent_id``; ``depth`` levels of them (all when
    None). Only the listed areas are counted, so a sidebar can load one level at a time."""
    if parent_id is not None:
        get_area(session, parent_id)
    areas = session.exec(select(Area).order_by(col(Area.position), col(Area.name))).all()
    paths = area_paths(session)
    nodes = {a.id: AreaNode(a, paths[a.id]) for a in areas if a.id is not None}
    roots: list[AreaNode] = []
    for node in nodes.values():
        parent = node.area.parent_id
        (nodes[parent].children if parent is not None else roots).append(node)
    for node in nodes.values():
        node.child_count = len(node.children)
    start = roots if parent_id is None else nodes[parent_id].children
    listed = _cut(start, depth)
    everything = parent_id is None and depth is None
    params = {"all": everything, "ids": [] if everything else [n.area.id for n in listed]}
    direct = {area_id: n for area_id, n in session.execute(_DIRECT_COUNTS, params)}
    subtree = {area_id: n for area_id, n in session.execute(_SUBTREE_COUNTS, params)}
    for node in listed:
        assert node.area.id is not None
        node.direct_count = direct.get(node.area.id, 0)
        node.paper_count = subtree.get(node.area.id, 0)
    return start


def _cut(nodes: list[AreaNode], depth: int | None) -> list[AreaNode]:
    """The nodes ``depth`` levels down from ``nodes`` (all when None); deeper ones dropped."""
    listed: list[AreaNode] = []
    for node in nodes:
        listed.append(node)
        if depth is not None and depth <= 1:
            node.children = []
        else:
            listed.extend(_cut(node.children, None if depth is None else depth - 1))
    return listed


def walk_tree(nodes: list[AreaNode]) -> list[AreaNode]:
    """Every node of the (sub)trees, parents before their children, in display order."""
    found: list[AreaNode] = []
    for node in nodes:
        found.append(node)
        found.extend(walk_tree(node.children))
    return found


def add_paper_to_areas(
    session: Session, paper_id: int, area_ids: Iterable[int], *, note: str = ""
) -> None:
    """Place a paper in areas (already there: the note is updated when one is given)."""
    for area_id in area_ids:
        get_area(session, area_id)
        link = session.get(PaperArea, (paper_id, area_id))
        if link is None:
            session.add(PaperArea(paper_id=paper_id, area_id=area_id, note=note))
        elif note:
            link.note = note
            session.add(link)
    session.flush()


def set_paper_area(
    session: Session,
    paper_id: int,
    area_id: int,
    *,
    note: str | None = None,
    stance: Stance | str | None = None,
    set_stance: bool = False,
) -> None:
    """Place a paper in an area; a given ``note`` replaces the stored one (None keeps it), and
    with ``set_stance`` the paper's stance there becomes ``stance`` (None clears it)."""
    paper = get_paper(session, paper_id)
    get_area(session, area_id)
    new_stance = parse_enum(Stance, stance, "stance") if stance is not None else None
    link = session.get(PaperArea, (paper_id, area_id))
    if link is None:
        link = PaperArea(paper_id=paper_id, area_id=area_id, note=note or "")
        link.stance = new_stance
    else:
        unchanged = note is None or note == link.note
        if unchanged and (not set_stance or new_stance == link.stance):
            return
        if note is not None:
            link.note = note
        if set_stance:
            link.stance = new_stance
    session.add(link)
    bump(session, paper)
    session.flush()


def remove_paper_from_area(session: Session, paper_id: int, area_id: int) -> None:
    paper = get_paper(session, paper_id)
    link = session.get(PaperArea, (paper_id, area_id))
    if link is None:
        raise NotFound(f"paper {paper_id} is not in area {area_id}", area_id=area_id)
    session.delete(link)
    bump(session, paper)
    session.flush()
