"""Limits at the entrances: Markdown render time and size (annotations, notes, area
descriptions, previews), checked when the text is written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview import render
from litreview.library.annotations import save_annotation
from tests.api_helpers import add_paper

# "[" repeated makes markdown-it scan to the end from every bracket: quadratic time.
SLOW = "[" * 60_000


@pytest.fixture
def quick_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "MAX_RENDER_SECONDS", 0.01)
    render._render.cache_clear()
    render.render_markdown.cache_clear()


@pytest.mark.usefixtures("quick_deadline")
def test_text_too_slow_to_render_is_refused_everywhere(client: TestClient) -> None:
    pid = add_paper(client, "Slow")["id"]
    attempts = [
        client.post("/api/render", json={"markdown": SLOW}),
        client.put(f"/api/papers/{pid}/annotation", json={"markdown": SLOW, "version": 0}),
        client.post(f"/api/papers/{pid}/notes", json={"markdown": SLOW}),
        client.post("/api/areas", json={"name": "Slow", "description": SLOW}),
    ]
    for response in attempts:
        assert response.status_code == 413, response.text
        assert "to render" in response.json()["error"]["message"]
    assert client.get(f"/api/papers/{pid}/annotation").json()["version"] == 0
    assert client.get(f"/api/papers/{pid}").json()["notes"] == []
    assert client.get("/api/areas").json()["total"] == 0
    area = client.post("/api/areas", json={"name": "Quick", "description": "*ok*"}).json()
    edit = client.patch(f"/api/areas/{area['id']}", json={"description": SLOW})
    assert edit.status_code == 413 and "to render" in edit.json()["error"]["message"]
    assert client.get("/api/areas").json()["items"][0]["description"] == "*ok*"
    fine = client.post("/api/render", json={"markdown": "*fine*"})
    assert fine.json()["html"] == "<p><em>fine</em></p>\n"


@pytest.mark.usefixtures("quick_deadline")
def test_stored_text_too_slow_to_render_reads_as_plain_text(
    client: TestClient, engine: Engine
) -> None:
    pid = add_paper(client, "Imported")["id"]
    stored = SLOW + "<b>x</b>"
    with Session(engine) as session:  # as an import would store it, past the API's checks
        save_annotation(session, pid, stored, expected_version=0)
        session.commit()
    answer = client.get(f"/api/papers/{pid}/annotation")
    assert answer.status_code == 200
    html = answer.json()["html"]
    assert html.startswith("<pre>[[[") and "&lt;b&gt;x&lt;/b&gt;</pre>" in html


def test_over_long_text_is_refused_before_rendering(client: TestClient) -> None:
    pid = add_paper(client, "Long")["id"]
    huge = "a" * (render.MAX_MARKDOWN_CHARS + 1)
    response = client.post(f"/api/papers/{pid}/notes", json={"markdown": huge})
    assert response.status_code == 422  # the length the schema states
    assert "at most 200000 characters" in response.json()["error"]["message"]
