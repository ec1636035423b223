"""Web sources (blog and forum posts, reports, videos): added through the API and the CLI,
then entries like any paper: related, exported as BibTeX ``@online`` and CSL post types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_helpers import add_paper, error_of
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from litreview.cli import app

POST = {
    "title": "Critique of latent adversarial training",
    "url": "https://www.alignmentforum.org/posts/abc123/critique-of-lat",
    "kind": "forum-post",
    "authors": ["Jane Doe", "Roe, Richard"],
    "date": "2024-03-15",
    "site": "AI Alignment Forum",
    "tags": ["critique"],
}


def test_a_forum_post_is_an_entry_that_relates_and_exports(client: TestClient) -> None:
    created = client.post("/api/web-sources", json=POST)
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["entry_type"] == "online" and post["year"] == 2024
    assert post["kind"] == "forum-post" and post["site"] == "AI Alignment Forum"
    assert post["date"] == "2024-03-15" and post["url"] == POST["url"]
    assert [a["family"] for a in post["authors"]] == ["Doe", "Roe"]
    assert post["tags"] == ["critique"]
    paper = add_paper(client, "Latent adversarial training")
    link = client.post(
        f"/api/papers/{post['id']}/relations",
        json={"target_id": paper["id"], "relation": "critiques"},
    )
    assert link.status_code == 201, link.text
    bib = client.get("/api/export", params={"format": "bibtex"}).text
    entry = bib[bib.index("@online{") :]
    assert "entrysubtype = {forum-post}" in entry
    assert "organization = {AI Alignment Forum}" in entry
    assert "url = {https://www.alignmentforum.org/posts/abc123/critique-of-lat}" in entry
    csl = json.loads(client.get("/api/export", params={"format": "csl-json"}).text)
    item = next(i for i in csl if i["title"] == POST["title"])
    assert item["type"] == "post"
    assert item["container-title"] == "AI Alignment Forum"
    assert item["issued"] == {"date-parts": [[2024, 3, 15]]}


@pytest.mark.parametrize(
    ("kind", "entry_type", "csl_type"),
    [
        ("blog-post", "online", "post-weblog"),
        ("report", "report", "report"),
        ("video", "online", "motion_picture"),
        ("other", "online", "webpage"),
    ],
)
def test_each_kind_has_its_bibtex_and_csl_type(
    client: TestClient, kind: str, entry_type: str, csl_type: str
) -> None:
    body = {"title": f"A {kind}", "url": f"https://example.org/{kind}", "kind": kind}
    added = client.post("/api/web-sources", json=body).json()
    assert added["entry_type"] == entry_type
    # A report is an entry type of its own; the other kinds are told apart on @online.
    assert added["kind"] == (None if kind == "report" else kind)
    csl = json.loads(client.get("/api/export", params={"format": "csl-json"}).text)
    assert [i["type"] for i in csl] == [csl_type]


def test_bad_web_sources_are_refused_with_the_field(client: TestClient) -> None:
    bad_date = client.post("/api/web-sources", json={**POST, "date": "15 March 2024"})
    assert "YYYY-MM-DD" in error_of(bad_date, 422)["message"]
    no_url = client.post("/api/web-sources", json={"title": "x", "url": "javascript:alert(1)"})
    assert no_url.status_code == 422
    bad_kind = client.post("/api/web-sources", json={**POST, "kind": "tweet"})
    assert bad_kind.status_code == 422
    assert client.get("/api/papers").json()["total"] == 0


def test_cli_adds_a_web_source(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    args = ["add", "--url", POST["url"], "--title", POST["title"], "--author", "Jane Doe"]
    args += ["--kind", "blog-post", "--date", "2024-03", "--site", "A blog", "--tag", "LAT"]
    result = runner.invoke(app, [*args, "--area", "Critiques", "--db", db])
    assert result.exit_code == 0, result.output
    assert "@online" in result.output and POST["title"] in result.output
    exported = runner.invoke(app, ["export", "--format", "bibtex", "--db", db])
    assert "entrysubtype = {blog-post}" in exported.output
    assert "date = {2024-03}" in exported.output
    listed = runner.invoke(app, ["search", "--area", "Critiques", "--tag", "LAT", "--db", db])
    assert "1 papers" in listed.output
    missing = runner.invoke(app, ["add", "--url", POST["url"], "--db", db])
    assert missing.exit_code == 1
    assert "needs --title" in str(missing.exception)
