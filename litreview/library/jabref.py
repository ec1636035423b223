"""A JabRef file's groups as areas: the tree from ``jabref-meta: grouping``, each entry placed by
its ``groups`` field (or, in JabRef 2's ``groupstree``, by the keys a group lists)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.importers.groups import GroupNode
from litreview.importers.jabref import GROUPS_FIELD, entry_group_names, parse_jabref_groups
from litreview.importers.records import Problem
from litreview.library.bulk import chunks
from litreview.library.groups import GroupAreas, make_group_areas, place_members
from litreview.library.outcomes import RecordOutcome
from litreview.models import Paper


def apply_jabref_groups(
    session: Session,
    text: str,
    outcomes: Sequence[RecordOutcome],
    *,
    under: str | None = None,
) -> tuple[GroupAreas | None, list[Problem]]:
    """Make areas of the file's static groups and place the imported papers in them."""
    groups = parse_jabref_groups(text)
    if not groups.roots:
        return None, groups.problems
    made = make_group_areas(session, groups.roots, under=under)
    by_name: dict[str, list[GroupNode]] = {}
    by_key: dict[str, list[GroupNode]] = {}
    for root in groups.roots:
        for _, node in root.walk():
            if node.static:
                by_name.setdefault(node.name, []).append(node)
                for key in node.members:
                    by_key.setdefault(key, []).append(node)
    members: dict[int, set[int]] = {}
    unknown: set[str] = set()
    ids = sorted({o.paper_id for o in outcomes if o.paper_id is not None})
    for chunk in chunks(ids):
        rows = session.execute(
            sa.select(col(Paper.id), col(Paper.key), col(Paper.extra)).where(
                col(Paper.id).in_(chunk)
            )
        )
        for paper_id, key, extra in rows:
            nodes = list(by_key.get(key, []))
            for name in entry_group_names((extra or {}).get(GROUPS_FIELD)):
                found = by_name.get(name)
                if found is None:
                    unknown.add(name)
                nodes.extend(found or [])
            for node in nodes:
                members.setdefault(id(node), set()).add(paper_id)
    place_members(session, made, members)
    problems = groups.problems + made.problems
    problems += [
        Problem(f"entries name JabRef group {name!r}, which is not a static group of the file")
        for name in sorted(unknown)
    ]
    for problem in problems[len(groups.problems) + len(made.problems) :]:
        problem.kind = "warning"
    return made, problems
