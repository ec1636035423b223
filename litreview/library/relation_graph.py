"""A paper's relations some hops out (critiques, extends, responds to ...), as a small graph.

One query per hop, whatever the number of papers: the frontier's links are read together.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.library.papers_base import get_paper
from litreview.models import Paper, PaperLink, Relation

MAX_HOPS = 3
MAX_NODES = 200


@dataclass(frozen=True)
class GraphPaper:
    id: int
    key: str
    title: str
    year: int | None
    hops: int


@dataclass(frozen=True)
class GraphLink:
    source_id: int
    target_id: int
    relation: Relation


def relation_graph(
    session: Session, paper_id: int, *, hops: int = 2
) -> tuple[list[GraphPaper], list[GraphLink]]:
    """The papers within ``hops`` relations of the paper (either direction), and their links."""
    get_paper(session, paper_id)
    distance = {paper_id: 0}
    links: dict[int, GraphLink] = {}
    frontier = {paper_id}
    for hop in range(1, min(hops, MAX_HOPS) + 1):
        if not frontier or len(distance) >= MAX_NODES:
            break
        rows = session.execute(
            sa.select(
                col(PaperLink.id),
                col(PaperLink.source_id),
                col(PaperLink.target_id),
                col(PaperLink.relation),
            ).where(col(PaperLink.source_id).in_(frontier) | col(PaperLink.target_id).in_(frontier))
        ).all()
        reached: set[int] = set()
        for link_id, source, target, relation in rows:
            for end in (source, target):
                if end not in distance and len(distance) < MAX_NODES:
                    distance[end] = hop
                    reached.add(end)
            if source in distance and target in distance:
                links[link_id] = GraphLink(source, target, Relation(relation))
        frontier = reached
    papers = session.execute(
        sa.select(col(Paper.id), col(Paper.key), col(Paper.title), col(Paper.year)).where(
            col(Paper.id).in_(distance)
        )
    ).all()
    nodes = sorted(
        (GraphPaper(i, k, t, y, distance[i]) for i, k, t, y in papers),
        key=lambda p: (p.hops, p.key),
    )
    return nodes, [links[i] for i in sorted(links)]
