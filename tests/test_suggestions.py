"""Relations suggested by the papers: real arXiv entries that comment on each other (from the
corpus) and small fixtures in the same format for the forms the corpus lacks (replies, errata,
withdrawals, "published as", BibTeX related/crossref/cites, annotations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from litreview.cli import app
from litreview.config import sqlite_url
from litreview.errors import Conflict
from litreview.importers.arxiv import parse_feed
from litreview.importers.records import PaperRecord
from litreview.library.annotations import save_annotation
from litreview.library.bbt_json import import_bbt_json
from litreview.library.bibtex import import_bibtex
from litreview.library.links import add_link, paper_links
from litreview.library.papers import import_records
from litreview.library.suggestions import (
    decide_suggestion,
    list_suggestions,
    refresh_suggestions,
)
from litreview.library.table_import import import_table
from litreview.models import Paper, PaperSuggestion, Relation, SourceKind, SuggestionState

pytestmark = pytest.mark.both_dialects

FIXTURES = Path(__file__).parent / "fixtures"


def load_feed(session: Session, path: Path) -> None:
    import_records(session, parse_feed(path.read_bytes()).records)


def by_arxiv(session: Session) -> dict[str, int]:
    return {p.arxiv_id or p.key: p.id or 0 for p in session.exec(select(Paper)).all()}


def found(session: Session) -> set[tuple[str, str, str, str]]:
    keys = {p.id: p.arxiv_id or p.key for p in session.exec(select(Paper)).all()}
    return {
        (keys[s.source_id], s.relation.value, keys[s.target_id], s.found_in)
        for s in session.exec(select(PaperSuggestion)).all()
    }


def test_corpus_comments_and_rejoinder_suggest_relations(session: Session, corpus: Path) -> None:
    load_feed(session, corpus / "arxiv" / "ewanm_search_all_science_2019.xml")
    assert found(session) == set()  # the lecture they discuss is not in the library yet
    load_feed(session, FIXTURES / "suggestions_arxiv.xml")
    suggested = found(session)
    # Real entries: "Comment on ``The 2005 Neyman Lecture ...'' [arXiv:0808.0620]".
    assert ("0808.0631", "critiques", "0808.0620", "abstract") in suggested
    assert ("0808.0638", "critiques", "0808.0620", "abstract") in suggested
    assert ("0808.0639", "responds_to", "0808.0620", "abstract") in suggested
    # "... a considerably abbreviated version of quant-ph/0208078" in an arXiv comment.
    assert ("quant-ph/0210005", "cites", "quant-ph/0208078", "arXiv comment") in suggested
    # Fixture forms: a reply, a withdrawal superseded by another, an erratum.
    assert ("2003.00004", "responds_to", "0808.0639", "arXiv comment") in suggested
    assert ("2002.00003", "supersedes", "2001.00002", "arXiv comment") in suggested
    assert ("2101.00001", "corrects", "2002.00003", "arXiv comment") in suggested
    evidence = next(
        s.evidence for s in session.exec(select(PaperSuggestion)).all() if s.found_in == "abstract"
    )
    assert "arXiv:0808.0620" in evidence


def test_bibtex_fields_published_as_and_annotations(session: Session) -> None:
    load_feed(session, FIXTURES / "suggestions_arxiv.xml")
    import_bibtex(session, (FIXTURES / "suggestions.bib").read_text(), source="suggestions.bib")
    suggested = found(session)
    assert ("2002.00003", "published_as", "journal2021", "journal ref") in suggested
    assert ("review2022", "critiques", "journal2021", "BibTeX related") in suggested
    assert ("talk2020", "related", "proc2020", "BibTeX crossref") in suggested
    assert ("talk2020", "cites", "journal2021", "BibTeX cites") in suggested
    ids = by_arxiv(session)
    save_annotation(
        session, ids["talk2020"], "Builds on the lecture (arXiv:0808.0620).", expected_version=0
    )
    assert refresh_suggestions(session) == 1
    assert ("talk2020", "extends", "0808.0620", "annotation") in found(session)
    assert refresh_suggestions(session) == 0  # nothing is suggested twice


def manual(title: str, key: str, **fields: str) -> PaperRecord:
    return PaperRecord(title=title, source=SourceKind.manual, key=key, **fields)  # type: ignore[arg-type]


def test_titles_old_style_ids_and_pairs_already_related(session: Session) -> None:
    import_records(
        session,
        [
            manual("Sparse autoencoders find interpretable features", "sae2023"),
            manual("Knot invariants from braids", "knots", arxiv_id="math/0309136"),
            manual("Features", "features1"),
            manual("Features", "features2"),
            manual("Steering vectors", "steer", arxiv_id="2101.00001"),
            manual("A survey of steering", "survey"),
        ],
    )
    ids = by_arxiv(session)
    add_link(session, ids["survey"], ids["2101.00001"], Relation.related)
    import_records(
        session,
        [
            # The exact title of one library paper, after "Comment on" (quotes dropped).
            manual('Comment on "Sparse autoencoders find interpretable features"', "c2024"),
            # A title shared by two papers names neither; a short one names nothing.
            manual("Comment on Features", "c2025"),
            # An old-style id cited with its subject class is the id without it.
            manual("Braids", "braids", abstract="We extend the invariants of math.GT/0309136."),
        ],
    )
    assert found(session) == {
        ("c2024", "critiques", "sae2023", "title"),
        ("braids", "extends", "math/0309136", "abstract"),
    }
    # The survey is already related to the paper its annotation names: nothing to suggest.
    save_annotation(session, ids["survey"], "Mostly arXiv:2101.00001.", expected_version=0)
    assert refresh_suggestions(session) == 0


def test_accept_adds_the_relation_and_dismissed_ones_never_return(session: Session) -> None:
    load_feed(session, FIXTURES / "suggestions_arxiv.xml")
    pending = list_suggestions(session)
    assert len(pending) == 2
    erratum = next(s for s in pending if s.relation is Relation.corrects)
    decide_suggestion(session, erratum.id or 0, accept=True)
    links = paper_links(session, erratum.source_id)
    assert [(lk.relation, lk.note) for lk in links] == [
        (Relation.corrects, "suggested: found in arXiv comment")
    ]
    with pytest.raises(Conflict, match="already accepted"):
        decide_suggestion(session, erratum.id or 0, accept=False)
    other = next(s for s in pending if s.relation is Relation.supersedes)
    decide_suggestion(session, other.id or 0, accept=False)
    assert refresh_suggestions(session) == 0
    assert list_suggestions(session) == []
    assert list_suggestions(session, state=SuggestionState.dismissed)[0].id == other.id
    assert [s.id for s in list_suggestions(session, paper_id=other.target_id)] == []


def test_api_and_cli(client: TestClient, tmp_path: Path) -> None:
    feed = (FIXTURES / "suggestions_arxiv.xml").read_bytes()
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        import_records(session, parse_feed(feed).records)
        session.commit()
    listed = client.get("/api/suggestions").json()
    assert listed["total"] == 2 and listed["pending"] == 2
    first = listed["items"][0]
    assert set(first) == {"id", "source", "target", "relation", "found_in", "evidence", "state"}
    accepted = client.post(f"/api/suggestions/{first['id']}/accept").json()
    assert accepted["state"] == "accepted"
    relations = client.get(f"/api/papers/{first['source']['id']}/relations").json()
    assert relations["items"][0]["relation"] == first["relation"]
    second = listed["items"][1]["id"]
    assert client.post(f"/api/suggestions/{second}/dismiss").json()["state"] == "dismissed"
    assert client.post(f"/api/suggestions/{second}/accept").status_code == 409
    assert client.post("/api/suggestions/refresh").json() == {"added": 0, "pending": 0}
    one = client.get(
        "/api/suggestions", params={"paper_id": first["source"]["id"], "state": "accepted"}
    ).json()
    assert one["total"] == 1 and one["pending"] == 0
    assert client.get("/api/suggestions", params={"paper_id": 99999}).status_code == 404

    db = sqlite_url(tmp_path / "cli.db")
    runner = CliRunner()
    bib = tmp_path / "s.bib"
    bib.write_text((FIXTURES / "suggestions.bib").read_text())
    assert runner.invoke(app, ["--db", db, "import", str(bib)]).exit_code == 0
    shown = runner.invoke(app, ["--db", db, "suggestions", "--refresh"])
    assert shown.exit_code == 0, (shown.output, shown.exception)
    assert "review2022" in shown.output and "critiques" in shown.output
    result = runner.invoke(app, ["--db", db, "suggestions", "dismiss", "1"])
    assert result.exit_code == 0 and "dismissed 1" in result.output
    listed_cli = runner.invoke(app, ["--db", db, "suggestions", "--state", "dismissed"])
    assert "1 dismissed suggestions" in listed_cli.output


# Two files of one review: the critique names the lecture by its arXiv id, and its annotation
# names the survey by DOI; which file is imported first must not matter.
MENTIONING = r"""@article{critic2024,
  title = {Notes on a lecture},
  author = {Critic, Carl},
  year = {2024},
  abstract = {A comment on arXiv:2401.00001v2: we doubt its central claim.},
  annote = {The survey (doi:10.1000/Survey.7) says otherwise.},
}
"""
MENTIONED = r"""@article{lecture2024,
  title = {A lecture},
  author = {Example, Ada},
  year = {2024},
  eprint = {2401.00001},
  archiveprefix = {arXiv},
}

@article{survey2023,
  title = {A survey},
  author = {Example, Ada},
  year = {2023},
  doi = {10.1000/survey.7},
}
"""
EXPECTED = {
    ("critic2024", "critiques", "lecture2024", "abstract"),
    ("critic2024", "related", "survey2023", "annotation"),
}


def import_file(channel: str, client: TestClient, db_url: str, path: Path) -> None:
    """Import a BibTeX file through the CLI or the API (the library's two edges)."""
    if channel == "cli":
        result = CliRunner().invoke(app, ["--db", db_url, "import", str(path)])
        assert result.exit_code == 0, result.output
    else:
        answer = client.post("/api/import/bibtex", files={"file": (path.name, path.read_bytes())})
        assert answer.status_code == 200, answer.text


def suggested_by_key(client: TestClient) -> set[tuple[str, str, str, str]]:
    listed = client.get("/api/suggestions", params={"state": "pending"}).json()["items"]
    return {(s["source"]["key"], s["relation"], s["target"]["key"], s["found_in"]) for s in listed}


@pytest.mark.parametrize("channel", ["cli", "api"])
@pytest.mark.parametrize("mentioning_first", [True, False], ids=["mentioning", "mentioned"])
def test_an_import_finds_papers_that_name_it_in_either_order(
    client: TestClient, db_url: str, tmp_path: Path, channel: str, mentioning_first: bool
) -> None:
    files = []
    for name, text in (("critique.bib", MENTIONING), ("cited.bib", MENTIONED)):
        files.append(tmp_path / name)
        files[-1].write_text(text)
    first, second = files if mentioning_first else files[::-1]
    import_file(channel, client, db_url, first)
    assert suggested_by_key(client) == set()
    import_file(channel, client, db_url, second)
    assert suggested_by_key(client) == EXPECTED
    # A dismissed suggestion stays dismissed when either file is imported again.
    listed = client.get("/api/suggestions").json()["items"]
    dismissed = next(s["id"] for s in listed if s["relation"] == "critiques")
    assert client.post(f"/api/suggestions/{dismissed}/dismiss").status_code == 200
    import_file(channel, client, db_url, first)
    import_file(channel, client, db_url, second)
    assert suggested_by_key(client) == EXPECTED - {
        ("critic2024", "critiques", "lecture2024", "abstract")
    }
    states = client.get("/api/suggestions", params={"state": "dismissed"}).json()
    assert [s["id"] for s in states["items"]] == [dismissed]


def test_an_import_finds_the_existing_papers_that_name_it_only(session: Session) -> None:
    """Importing a paper looks in the papers that name it, not for every pair of the library:
    what two older papers state of each other waits for a refresh."""
    import_records(session, [manual("Steering vectors", "steer", arxiv_id="2101.00001")])
    import_records(session, [manual("A survey of steering", "survey")])
    ids = by_arxiv(session)
    save_annotation(session, ids["survey"], "Mostly arXiv:2101.00001.", expected_version=0)
    import_records(
        session,
        [manual("Replicating steering", "rep", abstract="We replicate arXiv:2101.00001.")],
    )
    assert found(session) == {("rep", "replicates", "2101.00001", "abstract")}
    import_records(session, [manual("Unrelated", "other", arxiv_id="2101.00009")])
    assert len(found(session)) == 1
    assert refresh_suggestions(session) == 1
    assert ("survey", "related", "2101.00001", "annotation") in found(session)


def test_spreadsheet_and_zotero_json_imports_look_too(session: Session) -> None:
    import_bibtex(session, MENTIONED, source="cited.bib")
    sheet = b"title,abstract\nNotes on a lecture,A comment on arXiv:2401.00001.\n"
    import_table(session, sheet, source="review.csv")
    bbt = {
        "config": {"label": "BetterBibTeX JSON"},
        "collections": {},
        "items": [
            {
                "itemID": 1,
                "itemType": "journalArticle",
                "citationKey": "reply2025",
                "title": "A reply",
                "abstractNote": "In reply to doi:10.1000/SURVEY.7, we ...",
            }
        ],
    }
    import_bbt_json(session, json.dumps(bbt).encode(), source="zotero.json")
    assert {(s, r, t) for s, r, t, _ in found(session)} == {
        ("anonnotes", "critiques", "2401.00001"),
        ("reply2025", "responds_to", "survey2023"),
    }
    # A dry run stores nothing, so it suggests nothing either.
    other = b"title,abstract\nMore notes,Reply to arXiv:2401.00001.\n"
    import_table(session, other, source="more.csv", dry_run=True)
    assert len(found(session)) == 2


@pytest.mark.parametrize("many", [False, True], ids=["few-names", "many-names"])
def test_older_papers_name_the_new_one_by_key_title_or_old_style_id(
    session: Session, many: bool
) -> None:
    """Each way of naming a paper works when the naming paper came first; an import with
    many ids (read by the shape of an id) finds the same as one with a few (read by name)."""
    import_bibtex(
        session,
        """@inproceedings{talk2020, title = {A talk}, crossref = {proc2020}}
        @article{braids, title = {Braids}, abstract = {We extend math.GT/0309136 here.}}""",
        source="first.bib",
    )
    import_records(session, [manual('Comment on "Sparse autoencoders find features"', "c2024")])
    assert found(session) == set()
    extra = [manual(f"Filler {n}", f"f{n}", arxiv_id=f"2201.{n:05d}") for n in range(8 * many)]
    import_records(
        session,
        [
            manual("Proceedings of the workshop", "proc2020"),
            manual("Knot invariants", "knots", arxiv_id="math/0309136"),
            manual("Sparse autoencoders find features", "sae"),
            *extra,
        ],
    )
    assert found(session) == {
        ("talk2020", "related", "proc2020", "BibTeX crossref"),
        ("braids", "extends", "math/0309136", "abstract"),
        ("c2024", "critiques", "sae", "title"),
    }


def test_a_paper_made_by_hand_is_found_by_older_papers_through_indexes(
    session: Session, dialect: str
) -> None:
    """A paper without an arXiv id or DOI (made by hand) is named by key (a BibTeX crossref)
    or by title ("Comment on ..."): those few papers are read through indexes, never by
    reading every paper's fields."""
    import_bibtex(
        session,
        """@inproceedings{talk2020, title = {A talk}, crossref = {proc2020}}
        @article{other, title = {Comment on a quite different and long title}}""",
        source="first.bib",
    )
    import_records(session, [manual("Comment on: Reward models overoptimise", "c2024")])
    scans: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if "annotation.markdown" in sql and sql.lstrip().startswith("SELECT"):
            scans.append((sql, params))

    connection = session.connection()
    sa.event.listen(connection, "before_cursor_execute", seen)
    import_records(session, [manual("Proceedings of the workshop", "proc2020")])
    import_records(session, [manual("Reward models overoptimise", "gao2022")])
    sa.event.remove(connection, "before_cursor_execute", seen)
    assert found(session) == {
        ("talk2020", "related", "proc2020", "BibTeX crossref"),
        ("c2024", "critiques", "gao2022", "title"),
    }
    assert len(scans) == 2
    if dialect == "sqlite":
        cursor = connection.connection.cursor()
        for sql, params in scans:
            plan = [row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert "SCAN paper" not in plan, plan
            assert "SCAN paper USING INDEX ix_paper_names_others" in plan, plan
