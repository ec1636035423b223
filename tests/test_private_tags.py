"""Private tags and what a published Markdown bibliography prints: title, introduction, and
all tags, only those not marked private, or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import add_paper, error_of
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from litreview.cli import app

pytestmark = pytest.mark.both_dialects


def markdown(client: TestClient, **params: str) -> str:
    response = client.get("/api/export", params={"format": "markdown", **params})
    assert response.status_code == 200, response.text
    return response.text


def test_a_tag_marked_private_is_left_out_of_a_public_export(client: TestClient) -> None:
    add_paper(client, "Latent adversarial training", tags=["LAT", "to-check"])
    marked = client.patch("/api/tags/to-check", json={"private": True})
    assert marked.status_code == 200, marked.text
    assert marked.json() == {
        "id": marked.json()["id"],
        "name": "to-check",
        "count": 1,
        "private": True,
    }
    listed = {t["name"]: t["private"] for t in client.get("/api/tags").json()["items"]}
    assert listed == {"LAT": False, "to-check": True}

    everything = markdown(client)
    assert "*Tags:* LAT, to-check" in everything
    public = markdown(client, print_tags="public", title="LAT", intro="About *latent* attacks.")
    assert public.startswith("# LAT\n")
    assert "About *latent* attacks." in public
    assert "*Tags:* LAT" in public and "to-check" not in public
    assert "*Tags:*" not in markdown(client, print_tags="none")

    client.patch("/api/tags/to-check", json={"private": False})
    assert "to-check" in markdown(client, print_tags="public")


def test_unknown_tags_and_choices_are_refused(client: TestClient) -> None:
    missing = client.patch("/api/tags/nothing", json={"private": True})
    assert "nothing" in error_of(missing, 404)["message"]
    assert client.patch("/api/tags/x", json={"private": "maybe"}).status_code == 422
    assert client.get("/api/export", params={"print_tags": "some"}).status_code == 422


def test_cli_export_prints_the_tags_asked_for(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    bib = tmp_path / "t.bib"
    bib.write_text("@article{a, title={Tagged}, keywords={LAT, to-check}, year=2024}\n")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(bib), "--db", db]).exit_code == 0
    printed = runner.invoke(app, ["export", "--db", db, "--title", "T"]).output
    assert "to-check" in printed
    none = runner.invoke(app, ["export", "--db", db, "--print-tags", "none"]).output
    assert "Tagged" in none and "*Tags:*" not in none
