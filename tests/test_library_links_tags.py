"""Typed relations between papers, and tags."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from litreview.errors import Conflict, InvalidInput, NotFound
from litreview.importers.records import PaperRecord
from litreview.library.links import add_link, paper_links, remove_link
from litreview.library.papers import import_records
from litreview.library.tags import add_tags, delete_tag, remove_tag, tag_counts
from litreview.models import Relation, SourceKind

pytestmark = pytest.mark.both_dialects


def two_papers(session: Session) -> tuple[int, int]:
    records = [
        PaperRecord(title="Adversarial Logit Pairing", source=SourceKind.manual, year=2018),
        PaperRecord(title="Evaluating logit pairing", source=SourceKind.manual, year=2018),
    ]
    a, b = (o.paper_id for o in import_records(session, records).outcomes)
    assert a is not None and b is not None
    return a, b


def test_relations_are_typed_and_seen_from_both_sides(session: Session) -> None:
    alp, critique = two_papers(session)
    link = add_link(session, critique, alp, "critiques", note="stronger attack")
    [outgoing] = paper_links(session, critique)
    [incoming] = paper_links(session, alp)
    assert (outgoing.relation, outgoing.direction, outgoing.other_id) == (
        Relation.critiques,
        "outgoing",
        alp,
    )
    assert (incoming.direction, incoming.other_title) == ("incoming", "Evaluating logit pairing")
    with pytest.raises(Conflict):
        add_link(session, critique, alp, Relation.critiques)
    with pytest.raises(InvalidInput, match="known: cites"):
        add_link(session, critique, alp, "hates")
    with pytest.raises(Conflict, match="itself"):
        add_link(session, alp, alp, "cites")
    with pytest.raises(NotFound):
        add_link(session, alp, 999, "cites")
    remove_link(session, link.id or 0)
    assert paper_links(session, alp) == []


def test_tags_add_remove_count(session: Session) -> None:
    a, b = two_papers(session)
    assert add_tags(session, a, ["robustness", "  to   read "]) == ["robustness", "to read"]
    add_tags(session, b, ["robustness"])
    assert {t.name: n for t, n in tag_counts(session)} == {"robustness": 2, "to read": 1}
    assert remove_tag(session, a, "robustness") == ["to read"]
    with pytest.raises(NotFound):
        remove_tag(session, a, "robustness")
    with pytest.raises(InvalidInput):
        add_tags(session, a, ["   "])
    delete_tag(session, "to read")
    assert {t.name for t, _ in tag_counts(session)} == {"robustness"}
