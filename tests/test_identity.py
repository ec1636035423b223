"""Identity on real-world shapes: shared titles stay apart, no crash across batches."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.exporters.bibtex import render_bibtex
from litreview.importers.bibtex import parse_bibtex
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.importing import RecordImporter, import_records
from litreview.library.outcomes import Outcome
from litreview.library.views import load_paper_views
from litreview.models import Author, Paper, SourceKind


def _bib(text: str) -> list[PaperRecord]:
    result = parse_bibtex(text, source="test.bib")
    assert not [p for p in result.problems if p.kind == "error"], result.problems
    return result.records


def _count(session: Session) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(Paper)).scalar_one()


def test_tugboat_calendars_stay_apart(session: Session) -> None:
    text = "\n".join(
        f"@Article{{TUGboat:Calendar{i},\n  title = {{Calendar}},\n  journal = {{TUGboat}},\n"
        f"  year = {{{1990 + i // 3}}},\n  volume = {{{i}}},\n}}"
        for i in range(12)
    )
    report = import_records(session, _bib(text))
    assert [o.status for o in report.outcomes] == [Outcome.added] * 12
    assert _count(session) == 12
    # Importing the file again changes nothing: each entry finds itself by key and title.
    again = import_records(session, _bib(text))
    assert {o.status for o in again.outcomes} == {Outcome.unchanged}
    assert _count(session) == 12


def test_editors_introduction_by_two_authors_is_two_papers(session: Session) -> None:
    text = """
@article{intro-a, title = {Editor's introduction}, author = {Ann Smith}, year = 2001,
  journal = {J}}
@article{intro-b, title = {Editor's Introduction}, author = {Bob Jones}, year = 2001,
  journal = {K}}
"""
    outcomes = import_records(session, _bib(text)).outcomes
    assert [o.key for o in outcomes] == ["intro-a", "intro-b"]
    assert outcomes[0].paper_id != outcomes[1].paper_id


def test_same_doi_in_one_file_merges_and_fills_only(session: Session) -> None:
    text = """
@article{first, title = {A paper}, doi = {10.1000/x}, journal = {J}}
@article{second, title = {A paper, preprint title}, doi = {10.1000/X}, year = 2020}
"""
    outcomes = import_records(session, _bib(text)).outcomes
    assert [o.status for o in outcomes] == [Outcome.added, Outcome.merged]
    paper = session.exec(select(Paper)).one()
    assert (paper.key, paper.title, paper.year) == ("first", "A paper", 2020)


def test_same_key_other_title_is_a_new_paper(session: Session) -> None:
    import_records(session, _bib("@article{k, title = {First work}}"))
    outcome = import_records(session, _bib("@article{k, title = {Another work}}")).outcomes[0]
    assert outcome.status == Outcome.added and outcome.key == "ka"


def _person(family: str) -> AuthorRecord:
    return AuthorRecord(f"Ed {family}", family, "Ed")


def test_editors_stored_by_a_merge_are_known_to_later_batches(session: Session) -> None:
    importer = RecordImporter(session)
    first = PaperRecord(title="Proceedings", source=SourceKind.bibtex, doi="10.1000/p")
    first.authors = [_person("Dijkstra")]
    importer.add([first])
    merged = PaperRecord(title="Proceedings", source=SourceKind.bibtex, doi="10.1000/p")
    merged.editors = [_person("Knuth"), _person("Lamport")]
    importer.add([merged])
    later = PaperRecord(title="Another volume", source=SourceKind.bibtex)
    later.editors = [_person("Lamport"), _person("Knuth")]
    importer.add([later])
    outcomes = importer.report().outcomes
    assert [o.status for o in outcomes] == [Outcome.added, Outcome.merged, Outcome.added]
    assert session.execute(sa.select(sa.func.count()).select_from(Author)).scalar_one() == 3
    view = load_paper_views(session, [outcomes[2].paper_id or 0])[0]
    assert [e.family for e in view.editors] == ["Lamport", "Knuth"]


def test_title_less_legislation_is_imported(session: Session) -> None:
    text = "@legislation{act1998, date = {1998}, number = {42}, institution = {Parliament}}"
    outcome = import_records(session, _bib(text)).outcomes[0]
    assert outcome.status == Outcome.added
    paper = session.exec(select(Paper)).one()
    assert (paper.key, paper.title, paper.year) == ("act1998", "", 1998)
    assert paper.entry_type == "legislation"
    # Exported as it came: no empty title is added.
    exported = render_bibtex(load_paper_views(session, [paper.id or 0]))
    assert "title" not in exported and "institution = {Parliament}" in exported


def test_a_chapter_with_its_books_doi_is_not_merged_into_the_book(session: Session) -> None:
    text = """
@book{cw, title = {Collected works}, doi = {10.1000/cw}, year = 1990}
@incollection{ch1, title = {A chapter}, crossref = {cw}, doi = {10.1000/cw}}
"""
    outcomes = import_records(session, _bib(text)).outcomes
    assert [o.status for o in outcomes] == [Outcome.added, Outcome.added]
    papers = {p.key: p for p in session.exec(select(Paper).order_by(col(Paper.id))).all()}
    assert papers["ch1"].extra.get("crossref") == "cw"
    assert "crossref" not in papers["cw"].extra
    assert papers["cw"].doi == "10.1000/cw" and papers["ch1"].doi is None


TWO_USES_OF_ONE_KEY = """@article{dup, title = {First work}, year = 2001}
@article{dup, title = {Second work}, year = 2002}
"""


def test_a_file_using_one_key_twice_imports_again_unchanged(session: Session) -> None:
    first = import_records(session, _bib(TWO_USES_OF_ONE_KEY))
    assert [o.key for o in first.outcomes] == ["dup", "dupa"]
    # Small and large libraries find the renamed entry again ("dup" -> "dupa", same title).
    for records in (_bib(TWO_USES_OF_ONE_KEY), _bib(TWO_USES_OF_ONE_KEY)[::-1]):
        again = import_records(session, records)
        assert {o.status for o in again.outcomes} == {Outcome.unchanged}
    importer = RecordImporter(session)
    importer.known = None  # as for a library too large to hold: candidates read per batch
    importer.checked = True
    importer.add(_bib(TWO_USES_OF_ONE_KEY))
    assert {o.status for o in importer.report().outcomes} == {Outcome.unchanged}
    assert _count(session) == 2


def test_an_alias_that_is_another_papers_key_is_reported(session: Session) -> None:
    import_records(session, _bib("@article{taken, title = {Someone else's}}"))
    report = import_records(
        session,
        _bib(
            "@article{main, title = {Main}, doi = {10.1234/xyz}, ids = {taken, spare}}\n"
            "@article{taken, title = {Same DOI}, doi = {10.1234/xyz}}"
        ),
    )
    added, merged = report.outcomes
    assert added.status == Outcome.added and "alias 'taken' not kept" in added.message
    # The second entry is the first paper (same DOI); its key belongs to another paper.
    assert merged.paper_id == added.paper_id and "alias 'taken' not kept" in merged.message
    [view] = load_paper_views(session, [added.paper_id or 0])
    assert view.aliases == ["spare"]


def test_a_merge_of_a_child_and_its_parent_never_points_to_itself(session: Session) -> None:
    """Either way round, the kept paper does not name itself (or the absorbed key) as parent."""
    from litreview.library.merge_papers import merge_papers

    text = """
@book{vol, title = {Volume}, year = 1991}
@book{reprint, title = {Volume}, crossref = {vol}, note = {Reprint}}
@mvbook{set, title = {Set}}
@book{set1, title = {Set}, crossref = {set}}
"""
    outcomes = import_records(session, _bib(text)).outcomes
    ids = {o.key: o.paper_id or 0 for o in outcomes}
    merge_papers(session, ids["vol"], ids["reprint"])  # the child into its parent
    merge_papers(session, ids["set1"], ids["set"])  # the parent into its child
    session.flush()
    parent, child = session.get(Paper, ids["vol"]), session.get(Paper, ids["set1"])
    assert parent is not None and child is not None
    assert parent.extra == {"note": "Reprint"} and "crossref" not in child.extra
    assert load_paper_views(session, [ids["vol"]])[0].aliases == ["reprint"]


def test_a_paper_made_by_hand_reads_only_its_candidates(session: Session) -> None:
    """One record (a paper made by hand) does not count the papers or the authors to decide
    whether to read them all, and its id comes back with its row (RETURNING): a few statements
    whatever the library's size."""
    import_records(session, [_record(f"Stored paper {n}") for n in range(30)])
    session.commit()
    seen: list[str] = []

    def watch(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        seen.append(" ".join(sql.split()))

    connection = session.connection()
    sa.event.listen(connection, "before_cursor_execute", watch)
    report = import_records(session, [_record("Made by hand")])
    sa.event.remove(connection, "before_cursor_execute", watch)
    assert report.outcomes[0].status == Outcome.added
    assert not [sql for sql in seen if "count(" in sql.lower()], seen
    inserts = [sql for sql in seen if sql.startswith("INSERT INTO paper ")]
    assert len(inserts) == 1 and inserts[0].endswith('RETURNING "key", id'), inserts
    assert not [sql for sql in seen if "max(" in sql.lower()], seen
    assert len(seen) <= 12, seen
    stored = session.get(Paper, report.outcomes[0].paper_id)
    assert stored is not None and stored.title == "Made by hand"


def _record(title: str) -> PaperRecord:
    return PaperRecord(
        title=title,
        year=2024,
        authors=[AuthorRecord(name="Ann Smith", family="Smith", given="Ann")],
        source=SourceKind.manual,
    )
