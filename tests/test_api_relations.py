"""Typed relations between papers through the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import add_paper, error_of

pytestmark = pytest.mark.both_dialects


def test_add_list_remove(client: TestClient) -> None:
    critic = add_paper(client, "A critique")["id"]
    target = add_paper(client, "The original")["id"]
    made = client.post(
        f"/api/papers/{critic}/relations",
        json={"target_id": target, "relation": "critiques", "note": "section 3"},
    )
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["direction"] == "outgoing" and link["relation"] == "critiques"
    assert link["other"] == {"id": target, "key": link["other"]["key"], "title": "The original"}
    incoming = client.get(f"/api/papers/{target}/relations").json()
    assert incoming["total"] == 1
    assert incoming["items"][0]["direction"] == "incoming"
    assert incoming["items"][0]["other"]["id"] == critic
    detail = client.get(f"/api/papers/{target}").json()
    assert detail["relations"][0]["id"] == link["id"]
    again = client.post(
        f"/api/papers/{critic}/relations", json={"target_id": target, "relation": "critiques"}
    )
    error_of(again, 409)
    error_of(
        client.post(
            f"/api/papers/{critic}/relations", json={"target_id": critic, "relation": "cites"}
        ),
        409,  # well formed, but the paper itself
    )
    error_of(
        client.post(
            f"/api/papers/{critic}/relations", json={"target_id": target, "relation": "loves"}
        ),
        422,
    )
    error_of(
        client.post(
            f"/api/papers/{critic}/relations", json={"target_id": 999, "relation": "cites"}
        ),
        404,
    )
    error_of(client.get("/api/papers/999/relations"), 404)
    assert client.delete(f"/api/relations/{link['id']}").status_code == 204
    error_of(client.delete(f"/api/relations/{link['id']}"), 404)
    assert client.get(f"/api/papers/{critic}/relations").json() == {"items": [], "total": 0}


def test_deleting_a_paper_removes_its_relations(client: TestClient) -> None:
    one = add_paper(client, "One paper")["id"]
    two = add_paper(client, "Two paper")["id"]
    client.post(f"/api/papers/{one}/relations", json={"target_id": two, "relation": "extends"})
    assert client.delete(f"/api/papers/{two}").status_code == 204
    assert client.get(f"/api/papers/{one}/relations").json()["total"] == 0
