"""Possible duplicates: found on import, listed with why, merged field by field or dismissed."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from litreview.cli import app
from litreview.exporters.bibtex import render_bibtex
from litreview.importers.bibtex import parse_bibtex
from litreview.library.annotations import save_annotation
from litreview.library.areas import add_paper_to_areas, ensure_area_path
from litreview.library.duplicates import list_pairs
from litreview.library.importing import import_records
from litreview.library.links import add_link
from litreview.library.notes import add_note
from litreview.library.papers_base import get_paper_by_key
from litreview.library.views import load_paper_views
from litreview.models import NoteKind, Paper, PaperLink, Provenance, Relation

pytestmark = pytest.mark.both_dialects

LOOK_ALIKES = """
@article{smith2001intro, title = {Editor's introduction}, author = {Smith, Ann}, year = 2001,
  journal = {Journal of Things}, volume = {3}}
@inproceedings{smith2002intro, title = {Editor's Introduction}, author = {Ann Smith and Bo Li},
  year = 2002, booktitle = {Proceedings of Stuff}, doi = {10.1000/stuff.1}, pages = {1--2}}
@article{jones2001intro, title = {Editor's introduction}, author = {Jones, Carl}, year = 2001,
  journal = {Other}}
@article{smith1990intro, title = {Editor's introduction}, author = {Smith, Ann}, year = 1990}
"""


def _import(session: Session, text: str) -> dict[str, int]:
    outcomes = import_records(session, parse_bibtex(text, source="t.bib").records).outcomes
    session.commit()
    return {o.key or "": o.paper_id or 0 for o in outcomes}


def test_look_alikes_are_recorded_not_merged_and_a_dismissal_is_remembered(
    session: Session,
) -> None:
    ids = _import(session, LOOK_ALIKES)
    assert len(ids) == 4
    pairs = list_pairs(session)
    assert [(p.paper_a_id, p.paper_b_id) for p in pairs] == [
        (ids["smith2001intro"], ids["smith2002intro"])
    ]
    assert pairs[0].reason == "same title, years 2001 and 2002, both by Smith"


def test_api_lists_merges_and_dismisses(client: TestClient) -> None:
    upload = client.post("/api/import/bibtex", files={"file": ("t.bib", LOOK_ALIKES.encode())})
    assert upload.status_code == 200, upload.text
    listed = client.get("/api/duplicates").json()
    assert listed["total"] == 1
    pair = listed["items"][0]
    assert (pair["a"]["key"], pair["b"]["key"]) == ("smith2001intro", "smith2002intro")
    assert "both by Smith" in pair["reason"]
    bad = client.post(f"/api/duplicates/{pair['id']}/merge", json={"fields": {"isbn": 1}})
    assert bad.status_code == 422 and "isbn" in bad.json()["error"]["message"]
    merged = client.post(
        f"/api/duplicates/{pair['id']}/merge",
        json={"keep": pair["a"]["id"], "fields": {"authors": pair["b"]["id"]}},
    )
    assert merged.status_code == 200, merged.text
    paper = merged.json()
    assert paper["aliases"] == ["smith2002intro"]
    assert paper["doi"] == "10.1000/stuff.1"  # an empty field filled
    assert paper["venue"] == "Journal of Things"  # never the booktitle
    assert [a["family"] for a in paper["authors"]] == ["Smith", "Li"]  # chosen
    assert client.get("/api/duplicates").json()["total"] == 0
    assert client.get(f"/api/papers/{pair['b']['id']}").status_code == 404
    exported = client.get("/api/export", params={"format": "bibtex"}).text
    assert "ids = {smith2002intro}" in exported
    assert "booktitle" not in exported.split("@article{smith2001intro")[1].split("\n}")[0]
    # Re-importing the file: the absorbed entry is found by its DOI; nothing new.
    again = client.post("/api/import/bibtex", files={"file": ("t.bib", LOOK_ALIKES.encode())})
    assert again.status_code == 200
    assert client.get("/api/papers").json()["total"] == 3
    assert client.get("/api/duplicates").json()["total"] == 0
    missing = client.post("/api/duplicates/999/dismiss")
    assert missing.status_code == 404


def test_dismissed_pair_is_not_proposed_again(client: TestClient) -> None:
    client.post("/api/import/bibtex", files={"file": ("t.bib", LOOK_ALIKES.encode())})
    pair = client.get("/api/duplicates").json()["items"][0]
    dismissed = client.post(f"/api/duplicates/{pair['id']}/dismiss")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    client.post("/api/import/bibtex", files={"file": ("t.bib", LOOK_ALIKES.encode())})
    assert client.get("/api/duplicates").json()["total"] == 0
    assert client.get("/api/duplicates", params={"status": "dismissed"}).json()["total"] == 1


def test_a_merge_moves_everything_and_never_points_to_itself(session: Session) -> None:
    ids = _import(session, LOOK_ALIKES)
    keep, other = ids["smith2001intro"], ids["smith2002intro"]
    third = ids["jones2001intro"]
    save_annotation(session, keep, "Mine.", expected_version=0)
    save_annotation(session, other, "Theirs.", expected_version=0)
    add_note(session, keep, NoteKind.quote, "first note")
    add_note(session, other, NoteKind.question, "second note")
    add_paper_to_areas(session, other, [ensure_area_path(session, "Intros").id or 0])
    add_link(session, keep, other, Relation.cites)
    add_link(session, other, third, Relation.extends)
    session.commit()
    from litreview.library.duplicates import merge_pair

    merge_pair(session, list_pairs(session)[0].id)
    session.commit()
    view = load_paper_views(session, [keep])[0]
    assert view.annotation_markdown == "Mine.\n\nTheirs."
    assert [a.path for a in view.areas] == ["Intros"]
    assert view.aliases == ["smith2002intro"]
    assert get_paper_by_key(session, "smith2002intro").id == keep
    links = session.exec(select(PaperLink)).all()
    assert [(lk.source_id, lk.target_id, lk.relation) for lk in links] == [
        (keep, third, Relation.extends)
    ]
    from litreview.library.notes import list_notes

    assert [n.markdown for n in list_notes(session, keep)] == ["first note", "second note"]
    details = session.exec(select(Provenance.detail).where(Provenance.paper_id == keep)).all()
    assert any("merged paper 'smith2002intro'" in d for d in details)
    assert "pages" not in view.paper.extra  # an inproceedings' field never crosses
    bib = render_bibtex([view])
    assert "ids = {smith2002intro}" in bib
    count = session.execute(sa.select(sa.func.count()).select_from(Paper)).scalar_one()
    assert count == 3


def test_same_doi_in_one_file_keeps_the_second_key_as_an_alias(session: Session) -> None:
    text = """
@article{first, title = {A paper}, doi = {10.1000/x}}
@misc{second, title = {A paper (preprint)}, doi = {10.1000/X}}
"""
    _import(session, text)
    assert get_paper_by_key(session, "second").key == "first"
    view = load_paper_views(session, [get_paper_by_key(session, "first").id or 0])[0]
    assert view.aliases == ["second"]
    assert "ids = {second}" in render_bibtex([view])


def test_cli_lists_and_merges(tmp_path: Path) -> None:
    bib = tmp_path / "t.bib"
    bib.write_text(LOOK_ALIKES)
    db = str(tmp_path / "lib.db")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "import", str(bib)]).exit_code == 0
    listed = runner.invoke(app, ["--db", db, "duplicates"])
    assert listed.exit_code == 0, listed.output
    assert "#1 same title, years 2001 and 2002" in listed.output
    assert "smith2002intro" in listed.output
    bad = runner.invoke(app, ["--db", db, "duplicates", "merge", "1", "--take", "title"])
    assert bad.exit_code != 0
    merged = runner.invoke(app, ["--db", db, "duplicates", "merge", "1"])
    assert merged.exit_code == 0, merged.output
    assert "aliases: smith2002intro" in merged.output
    assert "0 possible duplicate pair(s)" in runner.invoke(app, ["--db", db, "duplicates"]).output
