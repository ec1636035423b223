"""The research-area tree: paths, renames, moves without cycles, deletes that keep papers."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from litreview.errors import Conflict, InvalidInput, NotFound
from litreview.importers.records import PaperRecord
from litreview.library.areas import (
    add_paper_to_areas,
    area_paths,
    area_tree,
    create_area,
    delete_area,
    ensure_area_path,
    ensure_area_paths,
    find_area_path,
    subtree_ids,
    update_area,
)
from litreview.library.papers import import_records
from litreview.library.search import PaperQuery, search_paper_ids
from litreview.models import Paper, SourceKind

pytestmark = pytest.mark.both_dialects


def paper(session: Session, title: str, area: str | None = None) -> int:
    record = PaperRecord(title=title, source=SourceKind.manual, year=2020)
    outcome = import_records(session, [record], area_path=area).outcomes[0]
    assert outcome.paper_id is not None
    return outcome.paper_id


def test_ensure_path_creates_missing_parts_once(session: Session) -> None:
    leaf = ensure_area_path(session, "Adversarial training/ Latent  adversarial training")
    again = ensure_area_path(session, "Adversarial training/Latent adversarial training")
    assert leaf.id == again.id
    assert area_paths(session)[leaf.id or 0] == "Adversarial training/Latent adversarial training"
    with pytest.raises(NotFound, match="'Nope'"):
        find_area_path(session, "Adversarial training/Nope")
    for bad in ("", "A//B", "/"):
        with pytest.raises(InvalidInput):
            ensure_area_path(session, bad)


def test_sibling_names_are_unique_but_cousins_may_share(session: Session) -> None:
    a = create_area(session, "A")
    b = create_area(session, "B")
    create_area(session, "Theory", parent_id=a.id)
    create_area(session, "Theory", parent_id=b.id)
    with pytest.raises(Conflict):
        create_area(session, "Theory", parent_id=a.id)
    with pytest.raises(Conflict):
        update_area(session, b.id or 0, name="A")


def test_move_refuses_cycles_and_changes_nothing(session: Session) -> None:
    top = ensure_area_path(session, "Top")
    child = ensure_area_path(session, "Top/Child")
    grandchild = ensure_area_path(session, "Top/Child/Grandchild")
    for target in (top, child, grandchild):
        with pytest.raises(Conflict, match="under itself"):
            update_area(session, top.id or 0, parent_id=target.id, move=True)
    assert top.parent_id is None
    update_area(session, grandchild.id or 0, parent_id=None, move=True)
    assert area_paths(session)[grandchild.id or 0] == "Grandchild"
    update_area(session, grandchild.id or 0, parent_id=top.id, move=True, name="Moved")
    assert area_paths(session)[grandchild.id or 0] == "Top/Moved"


def test_delete_keeps_papers_and_lifts_sub_areas(session: Session) -> None:
    pid = paper(session, "Filed paper", "Top/Middle")
    paper(session, "Deeper paper", "Top/Middle/Leaf")
    middle = find_area_path(session, "Top/Middle")
    delete_area(session, middle.id or 0, children="lift")
    session.commit()
    assert sorted(area_paths(session).values()) == ["Top", "Top/Leaf"]
    assert session.get(Paper, pid) is not None
    assert len(session.exec(select(Paper)).all()) == 2


def test_subtree_filter_and_counts(session: Session) -> None:
    a = paper(session, "In parent", "Robustness")
    b = paper(session, "In child", "Robustness/Adversarial training")
    paper(session, "Elsewhere", "Interpretability")
    add_paper_to_areas(session, b, [find_area_path(session, "Robustness").id or 0], note="also")
    robustness = find_area_path(session, "Robustness")
    assert len(subtree_ids(session, robustness.id or 0)) == 2
    ids, total = search_paper_ids(session, PaperQuery(area_path="Robustness"))
    assert total == 2 and set(ids) == {a, b}
    roots = {node.path: node for node in area_tree(session)}
    assert roots["Robustness"].paper_count == 2  # b counted once though it is in both
    assert roots["Robustness"].direct_count == 2
    assert roots["Robustness"].children[0].paper_count == 1


def test_ensure_area_paths_creates_what_is_missing_of_many_paths_at_once(session: Session) -> None:
    safety = ensure_area_path(session, "Safety")
    evals = ensure_area_path(session, "Safety/Evals")
    ids = ensure_area_paths(
        session, ["Safety/Evals", "Safety/Interp/Probes", "Safety/Interp", "Capabilities"]
    )
    assert ids["Safety/Evals"] == evals.id
    interp = find_area_path(session, "Safety/Interp")
    assert ids["Safety/Interp"] == interp.id and interp.parent_id == safety.id
    probes = find_area_path(session, "Safety/Interp/Probes")
    assert ids["Safety/Interp/Probes"] == probes.id and probes.parent_id == interp.id
    capabilities = find_area_path(session, "Capabilities")
    assert capabilities.parent_id is None and capabilities.position > safety.position
    assert interp.position > evals.position  # after the siblings already there
    assert ensure_area_paths(session, ["Safety/Interp"]) == {"Safety/Interp": interp.id}
    with pytest.raises(InvalidInput, match="not an area path"):
        ensure_area_paths(session, ["Safety//x"])
