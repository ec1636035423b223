"""One meaning of ``area`` in every route: an id or a path, sub-areas included; repeated, the
paper must be in every area given (as with repeated tags)."""

from __future__ import annotations

from pathlib import Path

from api_helpers import add_area, add_paper, error_of
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from litreview.cli import app


def placed(client: TestClient, title: str, *area_ids: int) -> int:
    paper_id: int = add_paper(client, title)["id"]
    for area_id in area_ids:
        assert client.put(f"/api/papers/{paper_id}/areas/{area_id}").status_code == 200
    return paper_id


def titles(client: TestClient, route: str, **params: object) -> set[str]:
    response = client.get(route, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return {p["title"] for p in response.json()["items"]}


def test_area_by_id_or_path_and_repeated_means_every_one(client: TestClient) -> None:
    robust = add_area(client, "Robustness")["id"]
    latent = add_area(client, "Latent", parent_id=robust)["id"]
    critique = add_area(client, "Critiques")["id"]
    placed(client, "In latent only", latent)
    placed(client, "In latent and critiques", latent, critique)
    placed(client, "In critiques only", critique)

    by_id = titles(client, "/api/papers", area=str(robust))
    by_path = titles(client, "/api/papers", area="Robustness")
    assert by_id == by_path == {"In latent only", "In latent and critiques"}
    both = titles(client, "/api/papers", area=["Robustness", str(critique)])
    assert both == {"In latent and critiques"}
    assert titles(client, "/api/papers", area=["Robustness/Latent", "Robustness"]) == by_id

    export = client.get(
        "/api/export", params=[("format", "csl-json"), ("area", str(latent)), ("area", "Critiques")]
    )
    assert [item["title"] for item in export.json()] == ["In latent and critiques"]
    missing = client.get("/api/papers", params=[("area", "Robustness"), ("area", "Nowhere")])
    assert "Nowhere" in error_of(missing, 404)["message"]


def test_cli_takes_repeated_areas_too(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    bib = tmp_path / "a.bib"
    bib.write_text("@article{a, title={Filed twice}, year=2024}\n")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(bib), "--area", "One", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["import", str(bib), "--area", "Two", "--db", db]).exit_code == 0
    both = runner.invoke(app, ["search", "--area", "One", "--area", "Two", "--db", db])
    assert "1 papers" in both.output, both.output
    other = tmp_path / "b.bib"
    other.write_text("@article{b, title={Filed once}, year=2024}\n")
    runner.invoke(app, ["import", str(other), "--area", "One", "--db", db])
    assert "2 papers" in runner.invoke(app, ["search", "--area", "One", "--db", db]).output
    assert (
        "1 papers"
        in runner.invoke(app, ["search", "--area", "One", "--area", "Two", "--db", db]).output
    )
