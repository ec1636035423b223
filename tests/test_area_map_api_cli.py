"""The research map through the API and the CLI: links, status, order, stance, deletion."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from litreview.cli import app
from litreview.config import sqlite_url
from litreview.errors import Conflict, InvalidInput
from tests.api_helpers import add_area, add_paper, error_of

pytestmark = pytest.mark.both_dialects


def test_area_links_through_the_api(client: TestClient) -> None:
    a, b, c = (add_area(client, name)["id"] for name in ("A", "B", "C"))
    made = client.post(
        "/api/area-links", json={"source_id": a, "target_id": b, "relation": "enables"}
    )
    assert made.status_code == 201 and made.json()["relation"] == "enables"
    client.post("/api/area-links", json={"source_id": b, "target_id": c, "relation": "enables"})
    refused = error_of(
        client.post(
            "/api/area-links", json={"source_id": c, "target_id": a, "relation": "enables"}
        ),
        409,  # a conflict with the links already there
    )
    assert refused["cycle"] == ["C", "A", "B", "C"] and "C -> A -> B -> C" in refused["message"]
    error_of(
        client.post("/api/area-links", json={"source_id": a, "target_id": b, "relation": "x"}),
        422,
    )
    link_id = made.json()["id"]
    patched = client.patch(f"/api/area-links/{link_id}", json={"note": "tools first"})
    assert patched.json()["note"] == "tools first"
    listed = client.get("/api/area-links").json()
    assert listed["total"] == 2 and listed["items"][0]["note"] == "tools first"
    assert client.delete(f"/api/area-links/{link_id}").status_code == 204
    error_of(client.delete(f"/api/area-links/{link_id}"), 404)


def test_map_status_order_and_deletion_plan(client: TestClient) -> None:
    top = add_area(client, "Top")["id"]
    first = add_area(client, "First", parent_id=top)["id"]
    second = add_area(client, "Second", parent_id=top)["id"]
    add_paper(client, "On second", area_ids=[second])
    moved = client.patch(f"/api/areas/{second}", json={"position": 0, "status": "stalled"})
    assert moved.json()["status"] == "stalled"
    error_of(client.patch(f"/api/areas/{second}", json={"status": "great"}), 422)
    the_map = client.get("/api/map").json()
    assert [n["name"] for n in the_map["nodes"]] == ["Top", "Second", "First"]
    node = the_map["nodes"][1]
    assert node["status"] == "stalled" and node["paper_count"] == 1
    assert node["parent_id"] == top and node["fields"] == {}
    sub = client.get(f"/api/map?root={first}").json()
    assert [n["parent_id"] for n in sub["nodes"]] == [None]
    plan = client.get(f"/api/areas/{top}/deletion").json()
    assert plan["sub_areas"] == ["Top/First", "Top/Second"] and plan["papers_in_subtree"] == 1
    assert "move up one level" in plan["if_lifted"]
    assert "2 sub-area(s) with their 1 paper(s)" in plan["if_deleted"]
    refused = error_of(client.delete(f"/api/areas/{top}"), 409)
    assert refused["sub_areas"] == ["Top/First", "Top/Second"]
    error_of(client.delete(f"/api/areas/{top}?children=maybe"), 422)
    assert client.delete(f"/api/areas/{top}?children=delete").status_code == 204
    assert client.get("/api/map").json() == {"nodes": [], "links": []}


def test_cli_draws_a_tech_tree(tmp_path: Path) -> None:
    db = sqlite_url(tmp_path / "lib.db")
    runner = CliRunner()

    def cli(*args: str, code: int = 0, input: str | None = None) -> str:
        result = runner.invoke(app, ["--db", db, *args], input=input)
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    cli("areas", "add", "Circuits/Gradient-based discovery", "--status", "promising")
    cli("areas", "add", "Capability removal")
    cli("areas", "add", "Scoping models down")
    disc, removal = "Circuits/Gradient-based discovery", "Capability removal"
    assert "enables" in cli("areas", "link", disc, removal, "--type", "enables")
    cli("areas", "link", removal, "Scoping models down", "--type", "enables", "--note", "n")
    result = runner.invoke(
        app, ["--db", db, "areas", "link", "Scoping models down", disc, "--type", "enables"]
    )
    assert isinstance(result.exception, Conflict)
    assert "Circuits/Gradient-based discovery -> Capability removal" in result.exception.message
    links = cli("areas", "links")
    assert "Capability removal --enables--> Scoping models down  (n)" in links
    cli("areas", "status", removal, "active")
    cli("areas", "order", "Scoping models down", "0")
    tree = cli("areas")
    assert tree.index("Scoping models down") < tree.index("Circuits")
    assert "[active]" in tree and "[promising]" in tree
    cli("areas", "unlink", removal, "Scoping models down")
    assert "Scoping" not in cli("areas", "links")
    result = runner.invoke(app, ["--db", db, "areas", "remove", "Circuits"])
    assert isinstance(result.exception, InvalidInput)
    assert "--children lift" in result.exception.message
    cli("areas", "remove", "Circuits", "--children", "lift", input="n\n", code=1)
    assert "Circuits" in cli("areas")
    said = cli("areas", "remove", "Circuits", "--children", "lift", "--yes")
    assert "sub-area(s) move up one level" in said
    assert "Circuits" not in cli("areas")


def test_relation_graph_two_hops_out(client: TestClient) -> None:
    a, b, c, d = (add_paper(client, f"Paper {n}")["id"] for n in "ABCD")
    for source, target, relation in ((b, a, "critiques"), (c, b, "responds_to"), (d, c, "cites")):
        made = client.post(
            f"/api/papers/{source}/relations", json={"target_id": target, "relation": relation}
        )
        assert made.status_code == 201, made.text
    graph = client.get(f"/api/papers/{a}/relation-graph").json()
    assert [(n["id"], n["hops"]) for n in graph["nodes"]] == [(a, 0), (b, 1), (c, 2)]
    assert {(lk["source_id"], lk["relation"]) for lk in graph["links"]} == {
        (b, "critiques"),
        (c, "responds_to"),
    }
    assert len(client.get(f"/api/papers/{a}/relation-graph?hops=3").json()["nodes"]) == 4
    error_of(client.get(f"/api/papers/{a}/relation-graph?hops=9"), 422)


def test_map_nodes_carry_area_columns(client: TestClient) -> None:
    area = add_area(client, "Circuits")
    made = client.post("/api/columns", json={"name": "BOTEC", "type": "number", "target": "area"})
    assert made.status_code == 201, made.text
    patched = client.patch(
        f"/api/areas/{area['id']}", json={"fields": {"BOTEC": 3.5}, "version": area["version"]}
    )
    assert patched.status_code == 200, patched.text
    node = client.get("/api/map").json()["nodes"][0]
    assert node["fields"] == {"BOTEC": 3.5}
