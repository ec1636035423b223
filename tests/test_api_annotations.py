"""Annotations through the API: save with versions, stale saves, revisions, restore, preview."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from litreview.render import MAX_MARKDOWN_CHARS
from tests.api_helpers import add_paper, error_of

pytestmark = pytest.mark.both_dialects


def test_save_read_and_conflict(client: TestClient) -> None:
    pid = add_paper(client, "Annotated")["id"]
    empty = client.get(f"/api/papers/{pid}/annotation").json()
    assert empty == {
        "paper_id": pid,
        "markdown": "",
        "html": "",
        "version": 0,
        "updated_at": None,
        "arxiv_version": None,
        "edited_by": None,
    }
    first = client.put(
        f"/api/papers/{pid}/annotation", json={"markdown": "**Key** idea", "version": 0}
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1
    assert first.json()["html"] == "<p><strong>Key</strong> idea</p>\n"
    second = client.put(f"/api/papers/{pid}/annotation", json={"markdown": "Second", "version": 1})
    assert second.json()["version"] == 2
    # Another tab still edits version 1: refused, told what is there now, nothing changed.
    stale = client.put(f"/api/papers/{pid}/annotation", json={"markdown": "Lost", "version": 1})
    error = error_of(stale, 409)
    assert error["current_version"] == 2
    assert error["current_markdown"] == "Second"
    assert error["current_html"] == "<p>Second</p>\n"
    assert client.get(f"/api/papers/{pid}/annotation").json()["markdown"] == "Second"
    paper = client.get(f"/api/papers/{pid}").json()
    assert paper["has_annotation"] is True and paper["annotation"]["version"] == 2
    listed = client.get("/api/papers").json()["items"][0]
    assert listed["has_annotation"] is True


def test_revisions_and_restore(client: TestClient) -> None:
    pid = add_paper(client, "Revised")["id"]
    for version, text in enumerate(["one", "two", "three"]):
        response = client.put(
            f"/api/papers/{pid}/annotation", json={"markdown": text, "version": version}
        )
        assert response.status_code == 200
    revisions = client.get(f"/api/papers/{pid}/annotation/revisions").json()
    assert revisions["total"] == 2
    assert [r["markdown"] for r in revisions["items"]] == ["two", "one"]
    assert revisions["items"][1]["html"] == "<p>one</p>\n"
    oldest = revisions["items"][1]["id"]
    url = f"/api/papers/{pid}/annotation/revisions/{oldest}/restore"
    error_of(client.post(url, json={"version": 1}), 409)
    restored = client.post(url, json={"version": 3})
    assert restored.status_code == 200 and restored.json()["markdown"] == "one"
    assert restored.json()["version"] == 4
    assert client.get(f"/api/papers/{pid}/annotation/revisions").json()["total"] == 3
    error_of(
        client.post(f"/api/papers/{pid}/annotation/revisions/999/restore", json={"version": 4}), 404
    )
    other = add_paper(client, "Other paper")["id"]
    error_of(
        client.post(
            f"/api/papers/{other}/annotation/revisions/{oldest}/restore", json={"version": 0}
        ),
        404,
    )


def test_unknown_paper_bad_body_and_size(client: TestClient) -> None:
    error_of(client.get("/api/papers/42/annotation"), 404)
    error_of(client.put("/api/papers/42/annotation", json={"markdown": "x", "version": 0}), 404)
    error_of(client.get("/api/papers/42/annotation/revisions"), 404)
    pid = add_paper(client, "Sized")["id"]
    error_of(client.put(f"/api/papers/{pid}/annotation", json={"markdown": "x"}), 422)
    error_of(client.put(f"/api/papers/{pid}/annotation", json={"markdown": 5, "version": 0}), 422)
    huge = "x" * (MAX_MARKDOWN_CHARS + 1)
    # over the length the schema states: 422 naming the field
    too_long = client.put(f"/api/papers/{pid}/annotation", json={"markdown": huge, "version": 0})
    assert error_of(too_long, 422)["problems"][0]["where"] == "body.markdown"
    error_of(client.post("/api/render", json={"markdown": huge}), 422)
    assert client.get(f"/api/papers/{pid}/annotation").json()["version"] == 0


def test_render_preview_uses_the_same_sanitiser(client: TestClient) -> None:
    response = client.post(
        "/api/render", json={"markdown": "[site](https://example.org) <script>x()</script>"}
    )
    assert response.status_code == 200
    html = response.json()["html"]
    assert 'rel="noopener noreferrer"' in html and "<script" not in html
