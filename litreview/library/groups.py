"""Group trees of other reference managers (JabRef groups, Zotero collections) become areas.

The tree is made under the import's own area (``--area``) or at the top level; existing areas of
the same path are reused, so importing the file again adds nothing. A name with the area path
separator in it has it replaced (and a warning says so). Papers are placed by the caller's
resolution of each group's members to paper ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from litreview.importers.groups import GroupNode
from litreview.importers.records import Problem
from litreview.library.areas import (
    PATH_SEPARATOR,
    add_paper_to_areas,
    ensure_area_path,
    split_area_path,
)

SEPARATOR_STAND_IN = "-"


@dataclass
class GroupAreas:
    """What a group tree did to the library: area of each group (by ``id(node)``), counts."""

    area_of: dict[int, int] = field(default_factory=dict)
    areas: int = 0
    placements: int = 0
    problems: list[Problem] = field(default_factory=list)

    def info(self) -> dict[str, int]:
        return {"group_areas": self.areas, "group_placements": self.placements}


def _name(node: GroupNode, problems: list[Problem]) -> str:
    if PATH_SEPARATOR not in node.name:
        return node.name
    name = node.name.replace(PATH_SEPARATOR, SEPARATOR_STAND_IN)
    problems.append(
        Problem(f"group {node.name!r} becomes area {name!r} ('/' separates areas)", kind="warning")
    )
    return name


def make_group_areas(
    session: Session, roots: Iterable[GroupNode], *, under: str | None = None
) -> GroupAreas:
    """An area for every group of the tree (the missing ones are created)."""
    made = GroupAreas()
    base = split_area_path(under) if under else []
    for root in roots:
        _make(session, root, base, made)
    return made


def _make(session: Session, node: GroupNode, parents: list[str], made: GroupAreas) -> None:
    names = [*parents, _name(node, made.problems)]
    area = ensure_area_path(session, PATH_SEPARATOR.join(names))
    assert area.id is not None
    if node.description and not area.description:
        area.description = node.description
        session.add(area)
    made.area_of[id(node)] = area.id
    made.areas += 1
    for child in node.children:
        _make(session, child, names, made)


def place_members(session: Session, made: GroupAreas, members: Mapping[int, Iterable[int]]) -> None:
    """Put papers in their groups' areas: ``members`` maps ``id(node)`` to paper ids."""
    by_paper: dict[int, set[int]] = {}
    for node_id, paper_ids in members.items():
        area_id = made.area_of.get(node_id)
        if area_id is None:
            continue
        for paper_id in paper_ids:
            by_paper.setdefault(paper_id, set()).add(area_id)
    for paper_id, area_ids in by_paper.items():
        add_paper_to_areas(session, paper_id, sorted(area_ids))
        made.placements += len(area_ids)
