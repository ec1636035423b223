"""The application shell: health, the UI's index page, security headers, error shape."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from fastapi.testclient import TestClient

from litreview.app import create_app
from litreview.config import Settings, resource_path
from litreview.query import MAX_LIMIT
from tests.conftest import LOCAL_URL


def test_health_and_index(client: TestClient) -> None:
    health = client.get("/api/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["papers"] == 0
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()
    assert client.head("/").status_code == 200


# A static import: `import ... from "./x.js"`, `export ... from "./x.js"`, `import "./x.js"`.
_STATIC_IMPORT = re.compile(
    r'^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"', re.M
)


def _imported_by(start: str) -> set[str]:
    """Every module (path under web/) that ``start`` imports statically, directly or not."""
    web = resource_path("web")
    seen: set[str] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        for found in _STATIC_IMPORT.finditer((web / module).read_text(encoding="utf-8")):
            target = found.group(1) or found.group(2)
            path = posixpath.normpath(posixpath.join(posixpath.dirname(module), target))
            if target.startswith(".") and path not in seen:
                seen.add(path)
                todo.append(path)
    return seen


def test_index_preloads_every_module_the_page_imports(client: TestClient) -> None:
    # The browser fetches them all at once instead of discovering them an import level at a
    # time (a 24-module chain cost the first row about 200 ms); a preload of a module no
    # longer imported, or a new import not preloaded, fails here.
    page = client.get("/").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', page))
    assert preloaded == _imported_by("js/main.js")
    assert all(client.get(f"/static/{path}").status_code == 200 for path in preloaded)


def test_the_list_reads_no_more_rows_at_once_than_the_api_gives(client: TestClient) -> None:
    # list_start.js mirrors the API's largest page (its owner is litreview.query): a list read
    # again asks for its rows in requests of that size, and a larger one would be refused.
    script = client.get("/static/js/list_start.js").text
    found = re.search(r"export const MAX_PAGE_SIZE = (\d+);", script)
    assert found is not None
    assert int(found.group(1)) == MAX_LIMIT


def test_security_headers_forbid_inline_scripts(client: TestClient) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "access-control-allow-origin" not in client.get("/api/health").headers


def test_unknown_route_answers_the_error_shape(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_writes_need_the_token_when_one_is_set(settings: Settings) -> None:
    app = create_app(Settings(database_url=settings.database_url, token="s3cret"))
    with TestClient(app, base_url=LOCAL_URL) as client:
        denied = client.post("/api/areas", json={"name": "A"})
        assert denied.status_code == 401
        assert "Bearer" in denied.json()["error"]["message"]
        assert client.get("/api/health").status_code == 200
        wrong = client.post("/api/areas", json={"name": "A"}, headers={"Authorization": "Bearer x"})
        assert wrong.status_code == 401
    app.state.engine.dispose()


def test_a_write_blocked_by_another_writer_answers_503(settings: Settings, db_url: str) -> None:
    import sqlite3

    import sqlalchemy as sa

    app = create_app(replace(settings, busy_timeout=0.05))  # waits 50 ms, not 5 s
    path = sa.make_url(db_url).database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a long import elsewhere holds the write lock
    with TestClient(app, base_url=LOCAL_URL) as client:
        try:
            response = client.post("/api/areas", json={"name": "Waiting"})
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert response.status_code == 503
        assert "busy" in response.json()["error"]["message"]
        assert client.post("/api/areas", json={"name": "Waiting"}).status_code == 201
    app.state.engine.dispose()


def test_an_unexpected_database_error_answers_the_error_shape(
    settings: Settings, db_url: str
) -> None:
    import sqlite3

    import sqlalchemy as sa

    app = create_app(settings)
    path = sa.make_url(db_url).database
    assert path is not None
    with sqlite3.connect(path) as other:
        other.execute("DROP TABLE tag")  # a database damaged behind the app's back
    with TestClient(app, base_url=LOCAL_URL, raise_server_exceptions=False) as client:
        response = client.get("/api/tags")
    app.state.engine.dispose()
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["status"] == 500 and "no such table" in error["message"]
