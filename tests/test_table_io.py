"""Spreadsheets in and out: header mapping, type inference, the import rules, CSV/XLSX export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_helpers import error_of
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.errors import ImportFailed, InvalidInput
from litreview.exporters import export_text, get_format
from litreview.importers.table import Target, parse_mapping, parse_table
from litreview.library.attribution import act_as
from litreview.library.column_edits import create_column
from litreview.library.export import ExportOptions
from litreview.library.members import add_member
from litreview.library.table_import import import_table
from litreview.library.views import load_paper_views
from litreview.models import ColumnType, MemberPaper, MemberRole, NoteKind, Paper
from litreview.query import PaperFilter

pytestmark = pytest.mark.both_dialects

FIXTURE = Path(__file__).parent / "fixtures" / "tables" / "review.csv"


def test_headers_map_by_name_and_unmapped_ones_get_a_type() -> None:
    table = parse_table(FIXTURE.read_bytes(), "review.csv")
    described = {h: t.describe() for h, t in table.mapping.items()}
    assert described["Link"] == "url" and described["Category"] == "area"
    assert described["Opinion"] == "note:critique" and described["Notes"] == "annotation"
    types = {c.name: c.type for c in table.columns}
    assert types == {
        "Method": ColumnType.choice,
        "Params (B)": ColumnType.text,
        "Open weights": ColumnType.yes_no,
    }
    first = table.rows[0]
    assert first.row == 2 and first.record.arxiv_id == "1706.03741"
    assert first.record.arxiv_version == 4
    assert [a.family for a in first.record.authors] == ["Christiano", "Leike"]
    assert first.areas == ["Alignment/RLHF"]
    assert first.notes == [(NoteKind.critique, "Foundational but small scale.")]
    assert table.rows[2].record.doi == "10.48550/arxiv.2212.08073"


def test_mapping_options() -> None:
    mapping = parse_mapping(["Notes=note:question", "Link=ignore", "Year=column"])
    assert mapping["notes"] == Target("note", "question")
    table = parse_table(FIXTURE.read_bytes(), "review.csv", mapping=mapping)
    assert table.mapping["Link"].kind == "ignore" and table.mapping["Year"].kind == "column"
    assert table.rows[2].notes == [(NoteKind.question, "Uses AI feedback")]
    assert table.rows[0].record.arxiv_id is None
    for bad in ("Notes", "Notes=nonsense", "Notes=note:poem"):
        with pytest.raises(InvalidInput, match="--map"):
            parse_mapping([bad])
    with pytest.raises(ImportFailed, match="no title column"):
        parse_table(
            b"Name of thing,B\nx,y\n", "t.csv", mapping=parse_mapping(["Name of thing=ignore"])
        )


def test_import_stores_rows_and_reports_bad_ones(session: Session) -> None:
    create_column(session, name="Params (B)", type=ColumnType.number, unit="B")
    report = import_table(session, FIXTURE.read_bytes(), source="review.csv")
    session.commit()
    # A row without a title is kept as every importer keeps a title-less entry.
    assert report.counts()["added"] == 5
    failures = [str(f) for f in report.failures]
    assert len(failures) == 1
    assert any(f.startswith("line 6") and "Params (B)" in f and "lots" in f for f in failures)
    assert report.info["new_columns"] == {"Method": "choice", "Open weights": "yes_no"}
    ids = [o.paper_id for o in report.outcomes if o.paper_id]
    views = {v.paper.title: v for v in load_paper_views(session, ids)}
    rlhf = views["Deep RL from human preferences"]
    assert rlhf.fields == {"Method": "RLHF", "Params (B)": 1.5, "Open weights": True}
    assert [a.path for a in rlhf.areas] == ["Alignment/RLHF"]
    assert views["Constitutional AI"].annotation_markdown == "Uses AI feedback"
    assert "Params (B)" not in views["Direct preference optimization"].fields
    # Again: the same papers (by arXiv id / DOI), nothing doubled, values kept.
    again = import_table(session, FIXTURE.read_bytes(), source="review.csv")
    assert again.counts()["added"] == 0
    views = {v.paper.title: v for v in load_paper_views(session, ids)}
    assert views["Deep RL from human preferences"].fields["Method"] == "RLHF"
    from litreview.library.notes import list_notes

    assert len(list_notes(session, ids[0])) == 1


def test_repeated_cells_are_stored_or_reported_row_by_row(session: Session) -> None:
    # A sheet repeats its values, people and areas (the import makes each distinct one once):
    # every row holding a good value gets it, every row holding a bad one is reported.
    create_column(session, name="Issue", type=ColumnType.integer)
    sheet = (
        b"Title,Authors,Issue,Category\n"
        b"First,Ada Lovelace; Alan Turing,12,Safety > Evals\n"
        b"Second,Alan Turing,twelve,Safety > Evals\n"
        b"Third,Ada Lovelace,12,Safety/Evals\n"
        b"Fourth,Grace Hopper,twelve,\n"
    )
    report = import_table(session, sheet, source="issues.csv")
    session.commit()
    assert report.counts()["added"] == 4
    failures = report.failures
    assert [f.line for f in failures] == [3, 5]
    assert all("Issue" in f.message and "twelve" in f.message for f in failures)
    ids = [o.paper_id for o in report.outcomes if o.paper_id]
    views = {v.paper.title: v for v in load_paper_views(session, ids)}
    assert [views[t].fields.get("Issue") for t in ("First", "Second", "Third", "Fourth")] == [
        12,
        None,
        12,
        None,
    ]
    assert [a.path for a in views["First"].areas] == ["Safety/Evals"]
    assert [a.path for a in views["Third"].areas] == ["Safety/Evals"]
    assert views["Fourth"].areas == []
    links = session.execute(
        sa.text(
            "SELECT paper.title, paper_author.author_id FROM paper_author"
            " JOIN paper ON paper.id = paper_author.paper_id ORDER BY paper_author.position"
        )
    )
    authors: dict[str, list[int]] = {}
    for title, author_id in links:
        authors.setdefault(title, []).append(author_id)
    assert authors["First"][0] == authors["Third"][0]
    assert authors["First"][1] == authors["Second"][0]
    assert len({i for found in authors.values() for i in found}) == 3


def test_the_import_area_and_a_rows_own_area_may_be_the_same(session: Session) -> None:
    # The papers just added are in the import's area already; the row names it again.
    report = import_table(
        session, FIXTURE.read_bytes(), source="review.csv", area_path="Alignment/RLHF"
    )
    session.commit()
    ids = [o.paper_id for o in report.outcomes if o.paper_id]
    views = {v.paper.title: v for v in load_paper_views(session, ids)}
    assert [a.path for a in views["Deep RL from human preferences"].areas] == ["Alignment/RLHF"]
    assert all("Alignment/RLHF" in [a.path for a in v.areas] for v in views.values())


def test_dry_run_stores_nothing(session: Session) -> None:
    report = import_table(session, FIXTURE.read_bytes(), source="review.csv", dry_run=True)
    assert report.dry_run and report.counts()["added"] == 5
    assert load_paper_views(session, [1, 2, 3]) == []


def test_api_import_table_and_csv_export(client: TestClient) -> None:
    client.post("/api/columns", json={"name": "Params (B)", "type": "number"})
    response = client.post(
        "/api/import/table",
        params={"map": "Opinion=note:quote", "source": "review.csv"},
        content=FIXTURE.read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"]["added"] == 5 and body["info"]["mapping"]["Opinion"] == "note:quote"
    assert [f["line"] for f in body["failures"]] == [6]
    exported = client.get(
        "/api/export", params={"format": "csv", "column": ["title", "Method", "year"]}
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0] == "title,Method,year"
    assert "Constitutional AI,SFT,2022" in lines
    error_of(client.get("/api/export", params={"format": "csv", "column": "nope"}), 422)
    error_of(client.post("/api/import/table", params={"map": "x"}, content=b"a"), 422)


def test_xlsx_round_trip(engine: Engine, tmp_path: Path) -> None:
    from litreview.config import sqlite_url
    from litreview.db import make_engine, upgrade

    with Session(engine) as session:
        create_column(session, name="Impact", type=ColumnType.number)
        create_column(session, name="P", type=ColumnType.number)
        create_column(session, name="Score", type=ColumnType.number, formula="impact * p")
        import_table(session, FIXTURE.read_bytes(), source="review.csv")
        from litreview.library.values import set_paper_fields

        set_paper_fields(session, 1, {"Impact": "10 to 100", "P": 0.5})
        session.commit()
        data = export_text(session, get_format("xlsx"), PaperFilter(), ExportOptions())
        before = _rows(session)
    assert isinstance(data, bytes) and data[:2] == b"PK"
    other = make_engine(sqlite_url(tmp_path / "other.db"))
    upgrade(other)
    with Session(other) as session:
        report = import_table(session, data, source="papers.xlsx")
        assert report.counts()["added"] == 5, report.failures
        after = _rows(session)
    other.dispose()
    first = "Deep RL from human preferences"
    assert after[first]["fields"]["Impact"] == pytest.approx(
        before[first]["fields"]["Impact"], rel=1e-3
    )
    assert after[first]["fields"]["Score"]["median"] == pytest.approx(
        before[first]["fields"]["Score"]["median"], rel=1e-3
    )
    for key in before:
        same = {k: v for k, v in after[key].items() if k != "fields"}
        assert same == {k: v for k, v in before[key].items() if k != "fields"}
        assert set(after[key]["fields"]) == set(before[key]["fields"])


def _rows(session: Session) -> dict[str, dict[str, Any]]:
    views = load_paper_views(session, list(range(1, 10)))
    return {
        v.paper.title: {
            "title": v.paper.title,
            "arxiv": v.paper.arxiv_id,
            "doi": v.paper.doi,
            "areas": [a.path for a in v.areas],
            "authors": [a.name for a in v.authors],
            "year": v.paper.year,
            "fields": v.fields,
        }
        for v in views
    }


@pytest.mark.corpus
def test_alignment_newsletter_database(corpus: Path, session: Session) -> None:
    path = corpus / "annotated" / "alignment_newsletter_database.csv"
    report = import_table(session, path.read_bytes(), source=path.name)
    session.commit()
    counts = report.counts()
    # Every row arrives (added, or merged into a row it is the same paper as) or is reported.
    assert sum(counts.values()) == 1889 == len(report.outcomes) + len(report.problems)
    assert counts["failed"] == len(report.failures) == 0
    mapping = report.info["mapping"]
    assert mapping["Category"] == "area" and mapping["Summary"] == "annotation"
    assert mapping["My opinion"] == "note:critique" and mapping["Title URL"] == "url"
    assert report.info["new_columns"]["Highlight?"] == "yes_no"
    assert {"Email", "Summarizer"} <= set(report.info["new_columns"])
    ids = sorted({o.paper_id for o in report.outcomes if o.paper_id})
    views = load_paper_views(session, ids)
    assert len({v.paper.arxiv_id for v in views if v.paper.arxiv_id}) > 600
    first = next(v for v in views if v.paper.title.startswith("Adversarial Examples Are Not"))
    assert first.fields["Email"] == "AN #62" and first.fields["Highlight?"] is True
    assert [a.path for a in first.areas] == ["Adversarial examples"]
    assert first.annotation_markdown.startswith("_Distill published")
    from litreview.library.notes import list_notes

    assert list_notes(session, first.paper.id or 0)[0].kind == NoteKind.critique


def test_an_import_makes_notes_and_text_values_searchable(session: Session) -> None:
    from litreview.library.search import search_paper_ids
    from litreview.query import PaperQuery

    def found(word: str) -> int:
        return search_paper_ids(session, PaperQuery(q=word))[1]

    first = b"Title,Key,Training,My opinion\nScaling laws,kaplan,gradient noise,overfitted\n"
    import_table(session, first, source="a.csv")
    assert (found("gradient"), found("overfitted"), found("scaling")) == (1, 1, 1)
    # A second sheet finds the same paper (same key and title) and adds a value and a note.
    again = b"Title,Key,Stage,Comment\nScaling laws,kaplan,pretraining corpus,revisited\n"
    import_table(session, again, source="b.csv", mapping=parse_mapping(["Comment=note:critique"]))
    assert (found("pretraining"), found("revisited"), found("gradient")) == (1, 1, 1)
    session.commit()


def test_a_file_that_is_not_one_is_a_report_of_no_rows_and_why(client: TestClient) -> None:
    # As reference managers answer it: the import ran, read nothing, and says why.
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    for route in ("/api/import/bibtex", "/api/import/table"):
        report = client.post(route, files={"file": ("file.png", png)})
        assert report.status_code == 200, report.text
        assert sum(report.json()["counts"].values()) == 1 == report.json()["counts"]["failed"]
        assert report.json()["items"] == []
        (failure,) = report.json()["failures"]
        assert not failure["message"].startswith("file.png")
    no_title = client.post("/api/import/table", files={"file": ("a.csv", b"Colour,Year\nx,2020\n")})
    assert "no title column" in no_title.json()["failures"][0]["message"]
    error_of(client.post("/api/import/bibtex", content=b""), 422)
    assert client.get("/api/papers").json()["total"] == 0


READING_LIST = (
    "Title,Status,Rating\n"
    "Paper one,read,4\n"
    "Paper two,Skimmed,\n"
    "Paper three,to read,7\n"
    "Paper four,devoured,2\n"
    "Paper five,,5\n"
)


def _marks(session: Session, table: Any, *columns: str) -> list[tuple[Any, ...]]:
    stmt = sa.select(*[table.c[c] for c in columns]).order_by(*[table.c[c] for c in columns])
    return [tuple(row) for row in session.execute(stmt)]


def test_a_sheets_reading_status_and_rating(session: Session) -> None:
    """Written for all rows at once; a bad one is reported with its row; a re-import never
    overwrites what is already marked."""
    report = import_table(session, READING_LIST.encode(), source="list.csv")
    session.commit()
    assert sorted(str(p) for p in report.failures) == [
        "line 4: rating '7' is not a whole number 0-5",
        "line 5: status 'devoured' is not one of unread, to_read, skimmed, read",
    ]
    paper = Paper.__table__  # type: ignore[attr-defined]
    assert _marks(session, paper, "title", "status", "rating") == [
        ("Paper five", "unread", 5),
        ("Paper four", "unread", 2),
        ("Paper one", "read", 4),
        ("Paper three", "to_read", None),
        ("Paper two", "skimmed", None),
    ]
    again = "Title,Status,Rating\nPaper one,unread,1\nPaper two,read,3\nPaper four,read,5\n"
    report = import_table(session, again.encode(), source="list.csv")
    session.commit()
    assert report.failures == []
    assert _marks(session, paper, "title", "status", "rating")[:3] == [
        ("Paper five", "unread", 5),
        ("Paper four", "read", 2),  # was unread: takes the sheet's status, keeps its rating
        ("Paper one", "read", 4),
    ]
    assert _marks(session, paper, "title", "status", "rating")[4] == ("Paper two", "skimmed", 3)


def test_a_sheets_marks_are_the_members_own(session: Session) -> None:
    ana = add_member(session, "Ana", MemberRole.owner)
    ben = add_member(session, "Ben", MemberRole.editor)
    act_as(session, ben)
    import_table(session, READING_LIST.encode(), source="list.csv")
    act_as(session, ana)
    import_table(
        session, b"Title,Status,Rating\nPaper one,skimmed,\nPaper two,read,1\n", source="a.csv"
    )
    act_as(session, ben)
    import_table(
        session, b"Title,Status,Rating\nPaper one,unread,1\nPaper two,read,2\n", source="b.csv"
    )
    session.commit()
    paper, member_paper = Paper.__table__, MemberPaper.__table__  # type: ignore[attr-defined]
    # The papers' own marks are nobody's: untouched.
    assert {row[1:] for row in _marks(session, paper, "title", "status", "rating")} == {
        ("unread", None)
    }
    titles = dict(session.execute(sa.select(paper.c.id, paper.c.title)).all())
    marks = _marks(session, member_paper, "member_id", "paper_id", "status", "rating")
    assert sorted((m, titles[p], s, r) for m, p, s, r in marks) == [
        (ana.id, "Paper one", "skimmed", None),
        (ana.id, "Paper two", "read", 1),
        (ben.id, "Paper five", "unread", 5),
        (ben.id, "Paper four", "unread", 2),
        (ben.id, "Paper one", "read", 4),
        (ben.id, "Paper three", "to_read", None),
        (ben.id, "Paper two", "skimmed", 2),
    ]
