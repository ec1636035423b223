"""Papers through the API: add by hand, get, list with filters, edit with versions, delete."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import add_area, add_paper, error_of, statements_run

pytestmark = pytest.mark.both_dialects


def test_add_and_get_a_paper(client: TestClient) -> None:
    paper = add_paper(
        client,
        "Latent Adversarial Training",
        authors=["Stephen Casper", "Hadfield-Menell, Dylan"],
        year=2024,
        venue="arXiv",
        arxiv_id="arXiv:2403.05030v2",
        doi="https://doi.org/10.1000/LAT",
        abstract="We study LAT.",
        tags=["robustness", "LAT"],
        status="to_read",
        rating=4,
    )
    assert paper["authors"][1] == {
        "name": "Dylan Hadfield-Menell",
        "family": "Hadfield-Menell",
        "given": "Dylan",
    }
    assert paper["arxiv_id"] == "2403.05030" and paper["arxiv_version"] == 2
    assert paper["abs_url"] == "https://arxiv.org/abs/2403.05030"
    assert paper["doi"] == "10.1000/lat" and paper["doi_url"] == "https://doi.org/10.1000/lat"
    assert paper["tags"] == ["LAT", "robustness"]
    assert paper["status"] == "to_read" and paper["rating"] == 4 and paper["version"] == 1
    assert paper["has_annotation"] is False and paper["editors"] == []
    detail = client.get(f"/api/papers/{paper['id']}")
    assert detail.status_code == 200 and detail.headers["etag"] == '"1"'
    body = detail.json()
    assert body["abstract"] == "We study LAT." and body["relations"] == []
    assert body["annotation"]["version"] == 0 and body["annotation"]["markdown"] == ""


def test_a_duplicate_answers_409_with_the_existing_id(client: TestClient) -> None:
    first = add_paper(client, "Sparse autoencoders find features", year=2023, arxiv_id="2305.01610")
    again = client.post("/api/papers", json={"title": "Other title", "arxiv_id": "2305.01610v3"})
    error = error_of(again, 409)
    assert error["paper_id"] == first["id"]
    # A shared title alone is not the same paper (at most a possible duplicate).
    same_title = client.post(
        "/api/papers", json={"title": "Sparse Autoencoders Find Features.", "year": 2023}
    )
    assert same_title.status_code == 201 and same_title.json()["id"] != first["id"]


def test_bad_input_is_422_never_500(client: TestClient) -> None:
    for body in (
        {},
        {"title": ""},
        {"title": "x", "year": "soon"},
        {"title": "x", "doi": "not a doi"},
        {"title": "x", "arxiv_id": "nope"},
        {"title": "x", "rating": 9},
        {"title": "x", "status": "devoured"},
        {"title": "x", "unknown_field": 1},
        {"title": "x", "year": 10**30},
    ):
        response = client.post("/api/papers", json=body)
        error_of(response, 422)
    error_of(client.post("/api/papers", json={"title": "x", "area_ids": [12345]}), 404)
    surrogate = client.post(
        "/api/papers",
        content=b'{"title": "\\ud800 lone surrogate"}',
        headers={"content-type": "application/json"},
    )
    error_of(surrogate, 422)
    assert client.get("/api/health").json()["papers"] == 0


def test_area_ids_on_create(client: TestClient) -> None:
    area = add_area(client, "Robustness")
    paper = add_paper(client, "In an area", area_ids=[area["id"]])
    assert paper["areas"] == [{"id": area["id"], "path": "Robustness", "note": "", "stance": None}]


def _page_and_statements(client: TestClient, **params: Any) -> tuple[list[Any], list[str]]:
    with statements_run(client) as statements:
        answer = client.get("/api/papers", params={"sort": "year", "order": "asc", **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"], statements


def test_a_page_reads_each_kind_of_row_once_and_shows_papers_as_their_page_does(
    client: TestClient,
) -> None:
    area = add_area(client, "Interpretability")
    ids = [
        add_paper(
            client,
            f"Paper {n}",
            authors=[f"Ann Smith{n}", "Bo Li"],
            tags=["probe", f"t{n}"],
            area_ids=[area["id"]],
            year=2000 + n,
            doi=f"10.1000/{n}",
            arxiv_id=f"2401.0001{n}",
        )["id"]
        for n in range(6)
    ]
    for paper_id, text in ((ids[0], "Read *this*."), (ids[1], "  ")):
        saved = client.put(
            f"/api/papers/{paper_id}/annotation", json={"markdown": text, "version": 0}
        )
        assert saved.status_code == 200, saved.text
    two, few = _page_and_statements(client, limit=2)
    six, more = _page_and_statements(client, limit=6)
    # One statement per kind of row, whatever the page's length; the long texts are not read.
    assert [p["id"] for p in two] == ids[:2] and [p["id"] for p in six] == ids
    assert len(few) == len(more), more
    assert not [s for s in more if "abstract" in s or "original" in s], more
    for listed in six:
        whole = client.get(f"/api/papers/{listed['id']}").json()
        assert {name: whole[name] for name in listed} == listed
    assert six[0]["authors"][0]["family"] == "Smith0" and six[0]["tags"] == ["probe", "t0"]
    assert six[0]["areas"][0]["path"] == "Interpretability"
    # Annotated as the filter says: any text written (blank too), nothing else.
    annotated = client.get("/api/papers", params={"has_annotation": True}).json()["items"]
    assert {p["id"] for p in annotated} == {p["id"] for p in six if p["has_annotation"]}
    assert {p["id"] for p in annotated} == set(ids[:2])


def test_unknown_and_odd_ids(client: TestClient) -> None:
    error_of(client.get("/api/papers/999"), 404)
    error_of(client.patch("/api/papers/999", json={"title": "x"}), 404)
    error_of(client.delete("/api/papers/999"), 404)
    error_of(client.get("/api/papers/abc"), 422)
    error_of(client.get("/api/papers/0"), 422)
    error_of(client.get("/api/papers/99999999999999999999999999"), 422)


def test_patch_with_version_and_if_match(client: TestClient) -> None:
    paper = add_paper(client, "Draft title")
    pid = paper["id"]
    edited = client.patch(
        f"/api/papers/{pid}",
        json={"title": "Final title", "version": 1, "authors": ["Ada Lovelace"], "rating": 3},
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["title"] == "Final title" and body["version"] == 2 and body["rating"] == 3
    assert body["authors"][0]["family"] == "Lovelace"
    assert edited.headers["etag"] == '"2"'
    assert edited.headers["content-type"] == "application/json"
    stale = client.patch(f"/api/papers/{pid}", json={"title": "Lost", "version": 1})
    error = error_of(stale, 409)
    assert error["current_version"] == 2
    stale_header = client.patch(
        f"/api/papers/{pid}", json={"title": "Lost"}, headers={"If-Match": '"1"'}
    )
    error_of(stale_header, 409)
    assert client.get(f"/api/papers/{pid}").json()["title"] == "Final title"
    fresh = client.patch(f"/api/papers/{pid}", json={"status": "read"}, headers={"If-Match": "2"})
    assert fresh.status_code == 200 and fresh.json()["status"] == "read"
    error_of(client.patch(f"/api/papers/{pid}", json={}, headers={"If-Match": "soon"}), 422)
    error_of(client.patch(f"/api/papers/{pid}", json={"title": None}), 422)
    error_of(client.patch(f"/api/papers/{pid}", json={"version": -1}), 422)


def test_patch_clash_on_unique_fields(client: TestClient) -> None:
    add_paper(client, "First", doi="10.1000/a")
    second = add_paper(client, "Second")
    error_of(client.patch(f"/api/papers/{second['id']}", json={"doi": "10.1000/A"}), 409)


def test_delete_with_and_without_if_match(client: TestClient) -> None:
    one = add_paper(client, "One")
    two = add_paper(client, "Two")
    error_of(client.delete(f"/api/papers/{one['id']}", headers={"If-Match": "7"}), 409)
    assert client.delete(f"/api/papers/{one['id']}", headers={"If-Match": "1"}).status_code == 204
    assert client.delete(f"/api/papers/{two['id']}").status_code == 204
    error_of(client.get(f"/api/papers/{one['id']}"), 404)
    assert client.get("/api/papers").json() == {"items": [], "total": 0}
