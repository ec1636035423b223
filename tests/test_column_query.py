"""The paper query (and the area query) by columns of one's own: filters and sorts."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import add_area, add_paper, error_of
from fastapi.testclient import TestClient


@pytest.fixture
def library(client: TestClient) -> dict[str, int]:
    columns: list[dict[str, Any]] = [
        {"name": "Params", "type": "number"},
        {"name": "Method", "type": "choice", "options": ["RLHF", "SFT", "DPO"]},
        {"name": "Data", "type": "multi_choice", "options": ["web", "code", "books"]},
        {"name": "Training", "type": "text"},
        {"name": "Released", "type": "date"},
        {"name": "Open", "type": "yes_no"},
    ]
    for body in columns:
        assert client.post("/api/columns", json=body).status_code == 201
    values = {
        "A": {
            "Params": 7,
            "Method": "RLHF",
            "Data": "web",
            "Training": "two stages",
            "Released": "2023-02",
            "Open": "yes",
        },
        "B": {
            "Params": "50 to 200",
            "Method": "SFT",
            "Data": "code; books",
            "Released": "2022-11-30",
            "Open": "no",
        },
        "C": {"Params": 1.5, "Method": "DPO", "Training": "one stage", "Released": "2024"},
        "D": {},
    }
    ids = {}
    for title, fields in values.items():
        paper = add_paper(client, title)
        if fields:
            body = {"fields": fields, "version": paper["version"]}
            assert client.patch(f"/api/papers/{paper['id']}", json=body).status_code == 200
        ids[title] = paper["id"]
    return ids


def titles(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/api/papers", params=params)
    assert response.status_code == 200, response.text
    return [p["title"] for p in response.json()["items"]]


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (["Params:gte:7"], ["A", "B"]),
        (["Params:between:1..10"], ["A", "C"]),
        (["params:lt:100"], ["A", "C"]),  # a range compares by its median (100)
        (["Method:in:RLHF,DPO"], ["A", "C"]),
        (["Method:gt:RLHF"], ["B", "C"]),  # choices compare by their order
        (["Data:eq:books"], ["B"]),
        (["Data:in:web,books"], ["A", "B"]),
        (["Training:contains:STAGE"], ["A", "C"]),
        (["Training:has:false"], ["B", "D"]),
        (["Released:gte:2023"], ["A", "C"]),
        (["Open:eq:yes"], ["A"]),
        (["Params:gte:2", "Method:eq:SFT"], ["B"]),
    ],
)
def test_filters(
    client: TestClient, library: dict[str, int], conditions: list[str], expected: list[str]
) -> None:
    assert sorted(titles(client, field=conditions)) == expected


def test_sort_by_a_column_keeps_papers_without_a_value_last(
    client: TestClient, library: dict[str, int]
) -> None:
    assert titles(client, sort_field="Params") == ["C", "A", "B", "D"]
    assert titles(client, sort_field="Params", order="desc") == ["B", "A", "C", "D"]
    assert titles(client, sort_field="Method", order="desc") == ["C", "B", "A", "D"]
    assert titles(client, sort_field="Released") == ["B", "A", "C", "D"]
    assert titles(client, sort_field="Params", limit=2, offset=2) == ["B", "D"]
    assert titles(client, sort_field="Params", limit=1, offset=3) == ["D"]
    page = client.get("/api/papers", params={"sort_field": "Params", "field": "Params:has:true"})
    assert page.json()["total"] == 3


def test_bad_conditions_name_what_is_wrong(client: TestClient, library: dict[str, int]) -> None:
    assert (
        "OP one of"
        in error_of(client.get("/api/papers", params={"field": "Params"}), 422)["message"]
    )
    message = error_of(client.get("/api/papers", params={"field": "Nope:eq:1"}), 404)["message"]
    assert "columns: Params" in message
    bad = error_of(client.get("/api/papers", params={"field": "Params:gt:many"}), 422)
    assert "expected a number" in bad["message"]
    error_of(client.get("/api/papers", params={"field": "Method:eq:PPO"}), 422)
    schema = client.get("/openapi.json").json()
    names = {p["name"] for p in schema["paths"]["/api/papers"]["get"]["parameters"]}
    assert {"field", "sort_field"} <= names


def test_the_area_query_ranks_directions_by_an_estimate(client: TestClient) -> None:
    for name in ("P", "Impact"):
        client.post("/api/columns", json={"name": name, "type": "number", "target": "area"})
    client.post(
        "/api/columns",
        json={"name": "BOTEC", "type": "number", "target": "area", "formula": "p * impact"},
    )
    values = {"Evals": (0.5, 10), "Interp": ("0.1 to 0.3", 100), "Theory": (0.01, 100)}
    for name, (p, impact) in values.items():
        area = add_area(client, name)
        body = {"fields": {"P": p, "Impact": impact}, "version": area["version"]}
        assert client.patch(f"/api/areas/{area['id']}", json=body).status_code == 200
    add_area(client, "Unrated")
    rows = client.get("/api/areas/table", params={"sort_field": "BOTEC"}).json()["items"]
    assert [r["name"] for r in rows] == ["Interp", "Evals", "Theory", "Unrated"]
    assert rows[0]["fields"]["BOTEC"]["low"] < rows[0]["fields"]["BOTEC"]["median"]
    cut = client.get("/api/areas/table", params={"field": "BOTEC:gt:1", "order": "asc"})
    assert [r["name"] for r in cut.json()["items"]] == ["Evals", "Interp"]


def test_a_large_result_walks_the_value_index_with_the_filters(
    client: TestClient, library: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from litreview.library import search

    # As in a big library: the page is read by walking the sort's index, testing each paper.
    monkeypatch.setattr(search, "SMALL_RESULT", 0)
    assert titles(client, sort_field="Params", field="Method:in:RLHF,DPO") == ["C", "A"]
    assert titles(client, sort_field="Params", field="Training:has:false") == ["B", "D"]
    assert titles(client, sort_field="Released", order="desc", field="Params:gte:2") == ["A", "B"]


@pytest.mark.parametrize("small_result", [0, 2000])
def test_a_text_search_sorted_by_a_column(
    client: TestClient,
    library: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    small_result: int,
) -> None:
    from litreview.library import search

    monkeypatch.setattr(search, "SMALL_RESULT", small_result)
    for title, params in (("Reward hacking", 3), ("Reward models", 30), ("Reward shaping", None)):
        paper = add_paper(client, title)
        if params is not None:
            body = {"fields": {"Params": params}, "version": paper["version"]}
            assert client.patch(f"/api/papers/{paper['id']}", json=body).status_code == 200
    by_params = ["Reward models", "Reward hacking", "Reward shaping"]
    assert titles(client, q="reward", sort_field="Params", order="desc") == by_params
    assert titles(client, q="rew", sort_field="Params") == [
        "Reward hacking",
        "Reward models",
        "Reward shaping",
    ]
    page = client.get(
        "/api/papers",
        params={"q": "reward", "sort_field": "Params", "field": "Params:lt:10", "limit": 1},
    ).json()
    assert [p["title"] for p in page["items"]] == ["Reward hacking"] and page["total"] == 1
