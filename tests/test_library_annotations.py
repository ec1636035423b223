"""Annotations: saves against an expected version, conflicts change nothing, revisions restore."""

from __future__ import annotations

import pytest
from concurrency import CONFLICT, race
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.errors import Conflict, NotFound
from litreview.importers.records import PaperRecord
from litreview.library.annotations import (
    get_annotation,
    list_revisions,
    restore_revision,
    save_annotation,
)
from litreview.library.papers import import_records
from litreview.library.search import PaperQuery, search_paper_ids
from litreview.models import SourceKind

pytestmark = pytest.mark.both_dialects


@pytest.fixture
def paper_id(session: Session) -> int:
    record = PaperRecord(title="A paper", source=SourceKind.arxiv, arxiv_id="2101.00001v2")
    outcome = import_records(session, [record]).outcomes[0]
    assert outcome.paper_id is not None
    return outcome.paper_id


def test_first_save_starts_from_version_zero(session: Session, paper_id: int) -> None:
    assert get_annotation(session, paper_id).version == 0
    saved = save_annotation(session, paper_id, "First *thoughts*", expected_version=0)
    assert (saved.version, saved.arxiv_version) == (1, 2)


def test_stale_save_is_a_conflict_and_changes_nothing(session: Session, paper_id: int) -> None:
    save_annotation(session, paper_id, "tab one", expected_version=0)
    save_annotation(session, paper_id, "tab one, more", expected_version=1)
    session.commit()
    with pytest.raises(Conflict) as caught:
        save_annotation(session, paper_id, "tab two, from version 1", expected_version=1)
    assert caught.value.details["current_version"] == 2
    assert caught.value.details["current_markdown"] == "tab one, more"
    session.rollback()
    current = get_annotation(session, paper_id)
    assert (current.markdown, current.version) == ("tab one, more", 2)


def test_revisions_keep_every_previous_text_and_restore(session: Session, paper_id: int) -> None:
    for version, text in enumerate(["one", "two", "three"]):
        save_annotation(session, paper_id, text, expected_version=version)
    revisions = list_revisions(session, paper_id)
    assert [(r.version, r.markdown) for r in revisions] == [(2, "two"), (1, "one")]
    restored = restore_revision(session, paper_id, revisions[1].id or 0, expected_version=3)
    assert (restored.markdown, restored.version) == ("one", 4)
    assert [r.markdown for r in list_revisions(session, paper_id)] == ["three", "two", "one"]
    with pytest.raises(NotFound):
        restore_revision(session, paper_id, 9999, expected_version=4)


def test_saving_the_same_text_is_a_no_op(session: Session, paper_id: int) -> None:
    save_annotation(session, paper_id, "same", expected_version=0)
    again = save_annotation(session, paper_id, "same", expected_version=1)
    assert again.version == 1 and list_revisions(session, paper_id) == []


def test_annotation_text_is_searchable_and_follows_edits(session: Session, paper_id: int) -> None:
    save_annotation(session, paper_id, "mentions zebrafish", expected_version=0)
    assert search_paper_ids(session, PaperQuery(q="zebrafish")) == ([paper_id], 1)
    save_annotation(session, paper_id, "now about penguins", expected_version=1)
    assert search_paper_ids(session, PaperQuery(q="zebrafish"))[1] == 0
    assert search_paper_ids(session, PaperQuery(q="penguin"))[1] == 1


def test_unknown_paper(session: Session) -> None:
    with pytest.raises(NotFound):
        save_annotation(session, 424242, "x", expected_version=0)


def test_simultaneous_saves_of_one_version_never_both_win(
    engine: Engine, session: Session, paper_id: int
) -> None:
    """Two tabs saving from the same version at the same instant: one wins, one conflicts."""
    session.commit()  # the paper, visible to the two "tabs"
    for round_number in range(10):

        def save(own: Session, text: str, expected: int = round_number) -> None:
            save_annotation(own, paper_id, text, expected_version=expected)

        texts = [f"tab one, round {round_number}", f"tab two, round {round_number}"]
        results = race(engine, save, texts)
        winners = [r for r in results if r != CONFLICT]
        assert len(winners) == 1 and results.count(CONFLICT) == 1, results
        with Session(engine) as check:
            stored = get_annotation(check, paper_id)
            assert (stored.markdown, stored.version) == (winners[0], round_number + 1)
