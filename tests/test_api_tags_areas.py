"""Tags and the area tree through the API, and a paper's tags and areas."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import add_area, add_paper, error_of

pytestmark = pytest.mark.both_dialects


def test_tag_and_untag(client: TestClient) -> None:
    pid = add_paper(client, "Tagged", tags=["b"])["id"]
    added = client.put(f"/api/papers/{pid}/tags/a  tag")
    assert added.status_code == 200 and added.json() == {"tags": ["a tag", "b"], "version": 2}
    assert client.put(f"/api/papers/{pid}/tags/with%2Fslash").json()["tags"] == [
        "a tag",
        "b",
        "with/slash",
    ]
    assert client.put(f"/api/papers/{pid}/tags/b").json()["tags"] == ["a tag", "b", "with/slash"]
    assert client.get(f"/api/papers/{pid}").json()["version"] == 3
    tags = client.get("/api/tags").json()
    assert tags["total"] == 3
    assert [t["name"] for t in tags["items"]] == ["a tag", "b", "with/slash"]
    assert all(t["count"] == 1 for t in tags["items"])
    removed = client.delete(f"/api/papers/{pid}/tags/b")
    assert removed.json() == {"tags": ["a tag", "with/slash"], "version": 4}
    error_of(client.delete(f"/api/papers/{pid}/tags/b"), 404)
    error_of(client.put("/api/papers/999/tags/x"), 404)
    error_of(client.put(f"/api/papers/{pid}/tags/%20"), 422)
    assert client.delete("/api/tags/a tag").status_code == 204
    assert client.get(f"/api/papers/{pid}").json()["tags"] == ["with/slash"]
    error_of(client.delete("/api/tags/a tag"), 404)


def test_area_tree_create_rename_move_delete(client: TestClient) -> None:
    top = add_area(client, "Adversarial training", description="*Robust* models")
    assert top["description_html"] == "<p><em>Robust</em> models</p>\n"
    lat = add_area(client, "Latent adversarial training", parent_id=top["id"])
    assert lat["path"] == "Adversarial training/Latent adversarial training"
    other = add_area(client, "Interpretability")
    error_of(client.post("/api/areas", json={"name": "Interpretability"}), 409)
    error_of(client.post("/api/areas", json={"name": "A/B"}), 422)
    error_of(client.post("/api/areas", json={"name": "X", "parent_id": 999}), 404)
    pid = add_paper(client, "LAT paper", area_ids=[lat["id"]])["id"]
    tree = client.get("/api/areas").json()
    assert tree["total"] == 3
    adv = next(n for n in tree["items"] if n["id"] == top["id"])
    assert adv["paper_count"] == 1 and adv["direct_count"] == 0
    assert adv["children"][0]["id"] == lat["id"] and adv["children"][0]["direct_count"] == 1
    renamed = client.patch(f"/api/areas/{lat['id']}", json={"name": "LAT"})
    assert renamed.json()["path"] == "Adversarial training/LAT"
    moved = client.patch(f"/api/areas/{lat['id']}", json={"parent_id": other["id"]})
    assert moved.json()["path"] == "Interpretability/LAT" and moved.json()["paper_count"] == 1
    error_of(client.patch(f"/api/areas/{other['id']}", json={"parent_id": lat["id"]}), 409)
    error_of(client.patch(f"/api/areas/{other['id']}", json={"parent_id": other["id"]}), 409)
    to_top = client.patch(f"/api/areas/{lat['id']}", json={"parent_id": None})
    assert to_top.json()["path"] == "LAT" and to_top.json()["parent_id"] is None
    kept = client.patch(f"/api/areas/{lat['id']}", json={"description": "d"})
    assert kept.json()["parent_id"] is None and kept.json()["description"] == "d"
    error_of(client.patch("/api/areas/999", json={"name": "x"}), 404)
    # Delete: the paper stays, sub-areas move up.
    child = add_area(client, "Child", parent_id=top["id"])
    error_of(client.delete(f"/api/areas/{top['id']}"), 409)
    assert client.delete(f"/api/areas/{top['id']}?children=lift").status_code == 204
    names = {n["name"]: n for n in client.get("/api/areas").json()["items"]}
    assert names["Child"]["parent_id"] is None and child["id"] == names["Child"]["id"]
    assert client.delete(f"/api/areas/{lat['id']}").status_code == 204
    assert client.get(f"/api/papers/{pid}").json()["areas"] == []
    error_of(client.delete(f"/api/areas/{lat['id']}"), 404)


def test_paper_areas_with_notes(client: TestClient) -> None:
    area = add_area(client, "Robustness")
    pid = add_paper(client, "Placed")["id"]
    placed = client.put(f"/api/papers/{pid}/areas/{area['id']}")
    assert placed.json() == {
        "areas": [{"id": area["id"], "path": "Robustness", "note": "", "stance": None}],
        "version": 2,
    }
    noted = client.put(
        f"/api/papers/{pid}/areas/{area['id']}", json={"note": "key paper", "stance": "undercuts"}
    )
    assert noted.json()["areas"][0] | {"id": 0} == {
        "id": 0,
        "path": "Robustness",
        "note": "key paper",
        "stance": "undercuts",
    }
    same = client.put(f"/api/papers/{pid}/areas/{area['id']}")
    assert same.json()["areas"][0]["note"] == "key paper"
    assert same.json()["areas"][0]["stance"] == "undercuts"
    assert client.get(f"/api/papers/{pid}").json()["version"] == 3
    error_of(client.put(f"/api/papers/{pid}/areas/{area['id']}", json={"stance": "maybe"}), 422)
    error_of(client.put(f"/api/papers/{pid}/areas/999"), 404)
    error_of(client.put(f"/api/papers/999/areas/{area['id']}"), 404)
    error_of(client.put(f"/api/papers/{pid}/areas/{area['id']}", json={"note": 3}), 422)
    assert client.delete(f"/api/papers/{pid}/areas/{area['id']}").json() == {
        "areas": [],
        "version": 4,
    }
    error_of(client.delete(f"/api/papers/{pid}/areas/{area['id']}"), 404)


def test_areas_one_level_at_a_time(client: TestClient) -> None:
    """A sidebar loads the top level, then an area's sub-areas, each with counts and the
    number of sub-areas it has; the parts agree with the whole tree."""
    top = add_area(client, "Robustness")
    lat = add_area(client, "Latent adversarial training", parent_id=top["id"])
    deep = add_area(client, "Targeted LAT", parent_id=lat["id"])
    add_area(client, "Interpretability")
    pid = add_paper(client, "Deep")["id"]
    client.put(f"/api/papers/{pid}/areas/{deep['id']}")
    client.put(f"/api/papers/{pid}/areas/{top['id']}")

    level = client.get("/api/areas", params={"depth": 1}).json()
    assert [n["name"] for n in level["items"]] == ["Robustness", "Interpretability"]
    assert level["total"] == 2
    robustness = level["items"][0]
    assert robustness["children"] == [] and robustness["child_count"] == 1
    assert (robustness["paper_count"], robustness["direct_count"]) == (1, 1)

    below = client.get("/api/areas", params={"parent": top["id"], "depth": 1}).json()
    assert [n["path"] for n in below["items"]] == ["Robustness/Latent adversarial training"]
    assert below["items"][0]["child_count"] == 1 and below["items"][0]["paper_count"] == 1
    assert below["items"][0]["direct_count"] == 0

    whole = client.get("/api/areas").json()
    assert whole["total"] == 4
    assert whole["items"][0]["children"][0]["children"][0]["id"] == deep["id"]
    assert whole["items"][0]["child_count"] == 1

    one = client.get(f"/api/areas/{lat['id']}").json()
    assert one["path"] == "Robustness/Latent adversarial training" and one["paper_count"] == 1
    assert [c["name"] for c in one["children"]] == ["Targeted LAT"]
    error_of(client.get("/api/areas", params={"parent": 999, "depth": 1}), 404)
    error_of(client.get("/api/areas", params={"depth": 0}), 422)
    error_of(client.get("/api/areas/999"), 404)
    assert client.get("/api/areas/table").status_code == 200


def test_tags_filtered_and_by_count(client: TestClient) -> None:
    """A sidebar with thousands of tags asks the server: the most used first, or those whose
    name contains what the user typed (any case; % and _ are plain characters)."""
    add_paper(client, "One", tags=["Safety", "rl", "100%_sure"])
    add_paper(client, "Two", tags=["safety-cases", "rl"])
    add_paper(client, "Three", tags=["rl"])

    top = client.get("/api/tags", params={"sort": "count", "limit": 2}).json()
    assert [(t["name"], t["count"]) for t in top["items"]] == [("rl", 3), ("100%_sure", 1)]
    assert top["total"] == 4
    found = client.get("/api/tags", params={"q": "SAFE"}).json()
    assert [t["name"] for t in found["items"]] == ["Safety", "safety-cases"]
    assert found["total"] == 2
    assert [t["name"] for t in client.get("/api/tags", params={"q": "%_"}).json()["items"]] == [
        "100%_sure"
    ]
    assert client.get("/api/tags", params={"q": "0_s"}).json()["total"] == 0
    error_of(client.get("/api/tags", params={"sort": "size"}), 422)
