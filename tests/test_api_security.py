"""Security of the API: the write token, and user text that never becomes live HTML."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from litreview.app import create_app
from litreview.config import Settings
from litreview.render import render_markdown
from tests.api_helpers import add_area, add_paper
from tests.conftest import LOCAL_URL

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<form action=https://evil.example><input></form>",
    '<object data="x.swf"></object>',
    "<base href=https://evil.example/>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]
DANGEROUS_TAGS = {"script", "style", "iframe", "svg", "form", "object", "base", "meta", "input"}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _inert(html: str) -> None:
    """No element that runs or loads code, no event handler, no non-web URL."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in DANGEROUS_TAGS, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            assert name != "style" or "url(" not in (value or ""), html
            if name in ("href", "src"):
                assert (value or "").lower().startswith(SAFE_SCHEMES), html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_payloads_render_inert(payload: str) -> None:
    _inert(render_markdown(payload))
    _inert(render_markdown(f"text\n\n{payload}\n\n*more*"))


def test_links_get_noopener() -> None:
    html = render_markdown("[a](https://example.org) and <https://example.com>")
    assert html.count('rel="noopener noreferrer"') == 2


def test_payloads_in_every_text_field_come_back_as_data(client: TestClient) -> None:
    payload = PAYLOADS[1]
    area = add_area(client, f"Area {payload}", description=payload)
    _inert(area["description_html"])
    assert area["description"] == payload  # JSON carries the text as data, unchanged
    paper = add_paper(
        client,
        f"Title {payload}",
        authors=[f"Mallory {payload}"],
        venue=payload,
        abstract=payload,
        tags=[f"tag {payload}"],
        area_ids=[area["id"]],
    )
    pid = paper["id"]
    for field in ("url", "pdf_url"):
        refused = client.patch(f"/api/papers/{pid}", json={field: "javascript:alert(1)"})
        assert refused.status_code == 422, refused.text
    assert (
        client.post("/api/papers", json={"title": "t", "url": "data:text/html,x"}).status_code
        == 422
    )
    assert paper["title"] == f"Title {payload}" and paper["venue"] == payload
    note = client.put(f"/api/papers/{pid}/areas/{area['id']}", json={"note": payload})
    assert note.json()["areas"][0]["note"] == payload
    for text in PAYLOADS:
        version = client.get(f"/api/papers/{pid}/annotation").json()["version"]
        saved = client.put(
            f"/api/papers/{pid}/annotation", json={"markdown": text, "version": version}
        )
        assert saved.status_code == 200
        assert saved.json()["markdown"] == text
        _inert(saved.json()["html"])
    for revision in client.get(f"/api/papers/{pid}/annotation/revisions").json()["items"]:
        _inert(revision["html"])
    _inert(client.get(f"/api/papers/{pid}").json()["annotation"]["html"])
    for text in PAYLOADS:
        added = client.post(
            f"/api/papers/{pid}/notes", json={"kind": "quote", "markdown": text, "location": text}
        )
        assert added.status_code == 201, added.text
        assert added.json()["markdown"] == text and added.json()["location"] == text
        _inert(added.json()["html"])
    for note in client.get(f"/api/papers/{pid}").json()["notes"]:
        _inert(note["html"])
    for node in client.get("/api/areas").json()["items"]:
        _inert(node["description_html"])
    listed = client.get("/api/papers", params={"q": "Mallory"}).json()
    assert listed["total"] == 1
    response = client.get(f"/api/papers/{pid}")
    assert response.headers["content-type"].startswith("application/json")
    assert "unsafe-inline" not in response.headers["content-security-policy"]


@pytest.fixture
def guarded(settings: Settings) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=settings.database_url, token="s3cret"))
    with TestClient(app, base_url=LOCAL_URL) as client:
        yield client
    app.state.engine.dispose()


def test_every_write_needs_the_token(guarded: TestClient) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    pid = guarded.post("/api/papers", json={"title": "Mine"}, headers=auth).json()["id"]
    area = guarded.post("/api/areas", json={"name": "A"}, headers=auth).json()["id"]
    writes = [
        ("POST", "/api/papers", {"title": "x"}),
        ("PATCH", f"/api/papers/{pid}", {"title": "x"}),
        ("DELETE", f"/api/papers/{pid}", None),
        ("PUT", f"/api/papers/{pid}/annotation", {"markdown": "x", "version": 0}),
        ("POST", f"/api/papers/{pid}/annotation/revisions/1/restore", {"version": 0}),
        ("PUT", f"/api/papers/{pid}/tags/x", None),
        ("DELETE", f"/api/papers/{pid}/tags/x", None),
        ("DELETE", "/api/tags/x", None),
        ("POST", "/api/areas", {"name": "B"}),
        ("PATCH", f"/api/areas/{area}", {"name": "C"}),
        ("DELETE", f"/api/areas/{area}", None),
        ("PUT", f"/api/papers/{pid}/areas/{area}", None),
        ("DELETE", f"/api/papers/{pid}/areas/{area}", None),
        ("POST", f"/api/papers/{pid}/relations", {"target_id": pid, "relation": "cites"}),
        ("DELETE", "/api/relations/1", None),
        ("POST", f"/api/papers/{pid}/notes", {"markdown": "x"}),
        ("PATCH", "/api/notes/1", {"version": 1, "markdown": "y"}),
        ("DELETE", "/api/notes/1", None),
        ("POST", "/api/render", {"markdown": "x"}),
    ]
    for method, url, body in writes:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
            response = guarded.request(method, url, json=body, headers=headers)
            assert response.status_code == 401, (method, url, response.text)
            assert response.json()["error"]["status"] == 401
    paper = guarded.get(f"/api/papers/{pid}").json()
    assert paper["title"] == "Mine" and paper["version"] == 1
    assert guarded.get("/api/papers").status_code == 200
    assert guarded.get("/api/areas").json()["total"] == 1
    allowed = guarded.patch(f"/api/papers/{pid}", json={"title": "Renamed"}, headers=auth)
    assert allowed.status_code == 200
