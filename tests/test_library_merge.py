"""The identity and merge rule: arXiv id, DOI, or key + title; never overwrite the user."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from concurrency import CONFLICT, race
from sqlmodel import Session, select

from litreview.errors import Conflict, InvalidInput
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.annotations import get_annotation, save_annotation
from litreview.library.papers import (
    Outcome,
    create_paper,
    delete_paper,
    import_records,
    update_paper,
)
from litreview.library.papers_base import get_paper
from litreview.library.views import load_paper_views
from litreview.models import Paper, Provenance, ReadingStatus, SourceKind

pytestmark = pytest.mark.both_dialects


def arxiv(
    title: str = "Latent Adversarial Training", version: int = 1, **kw: object
) -> PaperRecord:
    record = PaperRecord(
        title=title,
        source=SourceKind.arxiv,
        arxiv_id=f"2403.05030v{version}",
        year=2024,
        authors=[AuthorRecord("Stephen Casper", "Casper", "Stephen")],
        abstract="We train against perturbations of the latent space.",
    )
    for name, value in kw.items():
        setattr(record, name, value)
    return record


def bib(**kw: object) -> PaperRecord:
    record = PaperRecord(title="Latent adversarial training", source=SourceKind.bibtex, year=2024)
    for name, value in kw.items():
        setattr(record, name, value)
    return record


def test_same_arxiv_id_twice_changes_nothing(session: Session) -> None:
    first = import_records(session, [arxiv()]).outcomes[0]
    session.commit()
    second = import_records(session, [arxiv()]).outcomes[0]
    assert (first.status, second.status) == (Outcome.added, Outcome.unchanged)
    assert first.paper_id == second.paper_id
    assert get_paper(session, first.paper_id or 0).version == 1


def test_version_suffix_is_stripped_for_identity(session: Session) -> None:
    import_records(session, [arxiv(version=1)])
    record = bib(arxiv_id="arXiv:2403.05030", doi="https://doi.org/10.1234/ABC.5")
    outcome = import_records(session, [record]).outcomes[0]
    assert outcome.status == Outcome.merged
    paper = get_paper(session, outcome.paper_id or 0)
    assert paper.doi == "10.1234/abc.5"
    assert paper.arxiv_id == "2403.05030"


def test_doi_or_key_and_title_identify_but_title_alone_never(session: Session) -> None:
    a = import_records(session, [bib(title="One paper", doi="10.1000/xyz", key="one")]).outcomes[0]
    by_doi = import_records(session, [bib(title="A different title", doi="10.1000/XYZ")]).outcomes[
        0
    ]
    by_key = import_records(session, [bib(title="ONE   paper!", key="one")]).outcomes[0]
    by_title = import_records(session, [bib(title="ONE   paper!", year=2024)]).outcomes[0]
    assert by_doi.paper_id == a.paper_id
    assert by_key.paper_id == a.paper_id
    assert by_title.status == Outcome.added and by_title.paper_id != a.paper_id


def test_second_arrival_fills_empty_fields_only(session: Session) -> None:
    paper_id = import_records(session, [arxiv(venue=None)]).outcomes[0].paper_id or 0
    outcome = import_records(
        session,
        [bib(arxiv_id="2403.05030", venue="ICLR", abstract="Another abstract", tags=["LAT"])],
    ).outcomes[0]
    paper = get_paper(session, paper_id)
    assert outcome.status == Outcome.merged
    assert paper.venue == "ICLR"
    assert paper.abstract == "We train against perturbations of the latent space."
    assert "tags" in outcome.changed
    assert load_paper_views(session, [paper_id])[0].tags == ["LAT"]


def test_newer_arxiv_version_updates_metadata_and_keeps_user_work(session: Session) -> None:
    paper_id = (
        import_records(session, [arxiv(version=1)], tags=["mine"], area_path="A/B")
        .outcomes[0]
        .paper_id
        or 0
    )
    save_annotation(session, paper_id, "My notes", expected_version=0)
    update_paper(session, paper_id, {"status": "read", "rating": 4})
    session.commit()
    outcome = import_records(session, [arxiv(title="LAT, revised", version=3)]).outcomes[0]
    session.commit()
    view = load_paper_views(session, [paper_id])[0]
    assert outcome.status == Outcome.updated
    assert view.paper.title == "LAT, revised" and view.paper.arxiv_version == 3
    assert view.paper.status == ReadingStatus.read and view.paper.rating == 4
    assert view.annotation_markdown == "My notes"
    assert view.tags == ["mine"] and [a.path for a in view.areas] == ["A/B"]
    versions = session.exec(select(Provenance.arxiv_version).where(Provenance.paper_id == paper_id))
    assert sorted(v for v in versions.all() if v) == [1, 3]
    # An older version arriving later changes nothing.
    assert import_records(session, [arxiv(version=2)]).outcomes[0].status == Outcome.unchanged


def test_incoming_annotation_never_replaces_the_users(session: Session) -> None:
    paper_id = import_records(session, [arxiv()]).outcomes[0].paper_id or 0
    save_annotation(session, paper_id, "Written by me", expected_version=0)
    import_records(session, [bib(arxiv_id="2403.05030", annotation="From a .bib file")])
    assert get_annotation(session, paper_id).markdown == "Written by me"


def test_duplicates_inside_one_batch_become_one_paper(session: Session) -> None:
    outcomes = import_records(
        session, [arxiv(), bib(arxiv_id="2403.05030", doi="10.5555/lat", annotation="x")]
    ).outcomes
    assert [o.status for o in outcomes] == [Outcome.added, Outcome.merged]
    assert session.exec(select(Paper)).all()[0].doi == "10.5555/lat"


def test_keys_are_generated_readable_and_unique(session: Session) -> None:
    records = [
        bib(
            title="Attention is all you need",
            year=2017,
            authors=[AuthorRecord("A V", "Vaswani", "A")],
        ),
        bib(
            title="Attention: more is better",
            year=2017,
            authors=[AuthorRecord("B V", "Vaswani", "B")],
        ),
        bib(
            title="The attention economy",
            year=2017,
            authors=[AuthorRecord("C Väswani", "Väswani", "C")],
        ),
    ]
    keys = [o.key for o in import_records(session, records).outcomes]
    assert keys == ["vaswani2017attention", "vaswani2017attentiona", "vaswani2017attentionb"]


def test_an_incoming_key_that_is_taken_is_renamed_and_reported(session: Session) -> None:
    import_records(session, [bib(title="First", key="smith2020")])
    outcome = import_records(session, [bib(title="Second entirely", key="smith2020")]).outcomes[0]
    assert outcome.key == "smith2020a"
    assert "already taken" in outcome.message


def test_record_without_title_is_stored(session: Session) -> None:
    outcomes = import_records(session, [bib(title="  "), bib(title="Fine")]).outcomes
    assert [o.status for o in outcomes] == [Outcome.added, Outcome.added]
    assert get_paper(session, outcomes[0].paper_id or 0).title == ""


def test_manual_create_refuses_a_duplicate(session: Session) -> None:
    create_paper(session, bib(doi="10.1000/dup"))
    with pytest.raises(Conflict):
        create_paper(session, bib(title="Other", doi="10.1000/DUP"))


def test_update_checks_version_and_values(session: Session) -> None:
    paper_id = create_paper(session, bib())
    update_paper(session, paper_id, {"title": "Renamed"}, expected_version=1)
    with pytest.raises(Conflict):
        update_paper(session, paper_id, {"title": "Stale"}, expected_version=1)
    for bad in ({"rating": 9}, {"status": "finished"}, {"doi": "not a doi"}, {"title": ""}):
        with pytest.raises(InvalidInput):
            update_paper(session, paper_id, bad)
    assert get_paper(session, paper_id).title == "Renamed"
    update_paper(session, paper_id, {}, authors=["Ludwig van Beethoven", "Marie Curie"])
    view = load_paper_views(session, [paper_id])[0]
    assert [(p.family, p.given) for p in view.authors] == [
        ("van Beethoven", "Ludwig"),
        ("Curie", "Marie"),
    ]


def test_delete_removes_the_paper_and_its_links(session: Session) -> None:
    paper_id = import_records(session, [arxiv()], tags=["t"], area_path="A").outcomes[0].paper_id
    assert paper_id is not None
    save_annotation(session, paper_id, "note", expected_version=0)
    delete_paper(session, paper_id)
    session.commit()
    assert session.exec(select(Paper)).all() == []


def test_different_arxiv_ids_are_never_merged_by_title_or_doi(session: Session) -> None:
    first = arxiv(title="Same title", doi="10.1000/shared")
    second = arxiv(title="Same title", doi="10.1000/shared")
    second.arxiv_id = "2403.09999v1"
    outcomes = import_records(session, [first, second]).outcomes
    assert [o.status for o in outcomes] == [Outcome.added, Outcome.added]
    assert "DOI 10.1000/shared already belongs to another paper" in outcomes[1].message
    later = arxiv(title="Same title")
    later.arxiv_id = "2403.07777"
    assert import_records(session, [later]).outcomes[0].status == Outcome.added


def test_simultaneous_edits_of_one_version_never_both_win(
    engine: sa.Engine, session: Session
) -> None:
    paper_id = create_paper(session, bib())
    session.commit()
    for round_number in range(1, 11):

        def edit(own: Session, title: str, expected: int = round_number) -> None:
            update_paper(own, paper_id, {"title": title}, expected_version=expected)

        results = race(engine, edit, [f"tab one {round_number}", f"tab two {round_number}"])
        winners = [r for r in results if r != CONFLICT]
        assert len(winners) == 1 and results.count(CONFLICT) == 1, results
        with Session(engine) as check:
            stored = get_paper(check, paper_id)
            assert (stored.title, stored.version) == (winners[0], round_number + 1)
