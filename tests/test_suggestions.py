"""Relations suggested by the papers: real arXiv entries that comment on each other (from the
corpus) and small fixtures in the same format for the forms the corpus lacks (replies, errata,
withdrawals, "published as", BibTeX related/crossref/cites, annotations)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from litreview.cli import app
from litreview.config import sqlite_url
from litreview.errors import Conflict
from litreview.importers.arxiv import parse_feed
from litreview.importers.records import PaperRecord
from litreview.library.annotations import save_annotation
from litreview.library.bibtex import import_bibtex
from litreview.library.links import add_link, paper_links
from litreview.library.papers import import_records
from litreview.library.suggestions import (
    decide_suggestion,
    list_suggestions,
    refresh_suggestions,
)
from litreview.models import Paper, PaperSuggestion, Relation, SourceKind, SuggestionState

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
