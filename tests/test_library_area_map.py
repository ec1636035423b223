"""The research map in the library: links between areas, enables cycles refused with the path,
status, order among siblings, a paper's stance, and deletion told beforehand."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from litreview.errors import Conflict, InvalidInput
from litreview.importers.records import PaperRecord
from litreview.library.area_links import (
    enables_path,
    find_area_links,
    link_areas,
    load_map,
    unlink_areas,
    update_area_link,
)
from litreview.library.areas import (
    ChildrenChoice,
    area_paths,
    area_tree,
    delete_area,
    deletion_plan,
    ensure_area_path,
    set_paper_area,
    update_area,
)
from litreview.library.papers import import_records
from litreview.library.views import load_paper_views
from litreview.models import Area, AreaLink, AreaRelation, AreaStatus, Paper, SourceKind, Stance

pytestmark = pytest.mark.both_dialects


def area(session: Session, path: str) -> int:
    found = ensure_area_path(session, path)
    assert found.id is not None
    return found.id


def paper(session: Session, title: str, area_path: str | None = None) -> int:
    record = PaperRecord(title=title, source=SourceKind.manual, year=2024)
    outcome = import_records(session, [record], area_path=area_path).outcomes[0]
    assert outcome.paper_id is not None
    return outcome.paper_id


def test_links_are_typed_directed_and_unique(session: Session) -> None:
    a, b = area(session, "Circuits/Discovery"), area(session, "Capability removal")
    for relation in AreaRelation:
        link_areas(session, a, b, relation, note=f"{relation.value} note")
    link_areas(session, b, a, AreaRelation.related)
    with pytest.raises(Conflict):
        link_areas(session, a, b, "enables")
    with pytest.raises(Conflict, match="itself"):
        link_areas(session, a, a, "related")
    with pytest.raises(InvalidInput, match="known: enables, applies_to"):
        link_areas(session, a, b, "causes")
    found = find_area_links(session, a, b)
    assert [lk.relation for lk in found] == list(AreaRelation)
    assert update_area_link(session, found[0].id or 0, note="changed").note == "changed"
    unlink_areas(session, found[0].id or 0)
    assert len(find_area_links(session, a, b)) == 3
    assert [lk.relation for lk in find_area_links(session, b, a, "related")] == ["related"]


def test_an_enables_cycle_is_refused_with_the_path_that_would_close_it(session: Session) -> None:
    a, b, c = (area(session, p) for p in ("Tools/A", "B", "C"))
    link_areas(session, a, b, AreaRelation.enables)
    link_areas(session, b, c, AreaRelation.enables)
    assert enables_path(session, a, c) == [a, b, c]
    with pytest.raises(Conflict) as refused:
        link_areas(session, c, a, AreaRelation.enables)
    assert refused.value.message.endswith("cycle: C -> Tools/A -> B -> C")
    assert refused.value.details["cycle"] == ["C", "Tools/A", "B", "C"]
    # Other types may close loops: they do not order anything.
    link_areas(session, c, a, AreaRelation.related)
    link_areas(session, c, a, AreaRelation.applies_to)
    assert session.exec(select(AreaLink)).all().__len__() == 4


def test_status_and_order_among_siblings(session: Session) -> None:
    ids = [area(session, f"Top/{name}") for name in ("one", "two", "three")]
    update_area(session, ids[1], status=AreaStatus.promising)
    assert session.get(Area, ids[1]).status == AreaStatus.promising  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="unknown status 'great'"):
        update_area(session, ids[0], status="great")
    update_area(session, ids[2], position=0)
    names = [n.area.name for n in area_tree(session)[0].children]
    assert names == ["three", "one", "two"]
    update_area(session, ids[2], position=99)
    assert [n.area.name for n in area_tree(session)[0].children] == ["one", "two", "three"]
    with pytest.raises(InvalidInput, match="from 0"):
        update_area(session, ids[0], position=-1)


def test_a_papers_stance_sits_beside_its_note(session: Session) -> None:
    pid = paper(session, "Sparse autoencoders find features")
    aid = area(session, "Interpretability")
    set_paper_area(session, pid, aid, note="main evidence", stance=Stance.supports, set_stance=True)
    ref = load_paper_views(session, [pid])[0].areas[0]
    assert (ref.note, ref.stance) == ("main evidence", Stance.supports)
    set_paper_area(session, pid, aid, note="still")  # the stance stays when not given
    assert load_paper_views(session, [pid])[0].areas[0].stance == Stance.supports
    set_paper_area(session, pid, aid, stance=None, set_stance=True)
    ref = load_paper_views(session, [pid])[0].areas[0]
    assert (ref.note, ref.stance) == ("still", None)
    with pytest.raises(InvalidInput, match="unknown stance"):
        set_paper_area(session, pid, aid, stance="maybe", set_stance=True)


def test_deleting_an_area_with_sub_areas_needs_a_choice_told_beforehand(session: Session) -> None:
    top = area(session, "Top")
    mid = area(session, "Top/Mid")
    leaf = area(session, "Top/Mid/Leaf")
    other = area(session, "Other")
    pid = paper(session, "Placed below", "Top/Mid/Leaf")
    link_areas(session, leaf, other, AreaRelation.enables)
    plan = deletion_plan(session, mid)
    assert plan.sub_areas == ["Top/Mid/Leaf"] and plan.papers_in_subtree == 1
    assert plan.links == 1 and plan.papers_placed == 0
    assert "move up one level" in plan.describe(ChildrenChoice.lift)
    assert "1 sub-area(s) with their 1 paper(s)" in plan.describe(ChildrenChoice.delete)
    with pytest.raises(Conflict, match="children=lift") as refused:
        delete_area(session, mid)
    assert refused.value.details["sub_areas"] == ["Top/Mid/Leaf"]
    assert len(area_paths(session)) == 4  # nothing happened
    delete_area(session, mid, children="lift")
    assert area_paths(session)[leaf] == "Top/Leaf"
    delete_area(session, top, children=ChildrenChoice.delete)
    assert set(area_paths(session)) == {other}
    assert session.exec(select(AreaLink)).all() == []
    assert session.get(Paper, pid) is not None  # papers stay in the library
    assert load_paper_views(session, [pid])[0].areas == []


def test_lifting_refuses_a_name_clash_and_changes_nothing(session: Session) -> None:
    top = area(session, "Top")
    area(session, "Top/Same")
    area(session, "Same")
    with pytest.raises(Conflict, match="'Same' would clash"):
        delete_area(session, top, children="lift")
    assert len(area_paths(session)) == 3


def test_the_map_of_a_subtree_keeps_links_inside_it(session: Session) -> None:
    a, b = area(session, "Root/A"), area(session, "Root/B")
    outside = area(session, "Elsewhere")
    link_areas(session, a, b, AreaRelation.enables)
    link_areas(session, a, outside, AreaRelation.related)
    whole = load_map(session)
    assert len(whole.nodes) == 4 and len(whole.links) == 2
    part = load_map(session, root_id=area(session, "Root"))
    assert [n.path for n in part.nodes] == ["Root", "Root/A", "Root/B"]
    assert [(lk.source_id, lk.target_id) for lk in part.links] == [(a, b)]
