"""The local server against the web, in a real browser (Debian's chromium through Playwright).

A page from another origin (a second local server) tries to write to the library; a name that
resolves to 127.0.0.1 (DNS rebinding, through chromium's host resolver rules) is refused; the
API docs render under the app's CSP; an exported Markdown file with hostile annotations,
rendered to HTML by markdown-it-py, runs nothing when opened.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from arxiv_server import FakeArxiv
from markdown_it import MarkdownIt
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect
from test_web_ui import arxiv, browser, context, server  # noqa: F401  (fixtures)
from web_support import CHROMIUM, CHROMIUM_ARGS, LiveServer, live_server

pytestmark = pytest.mark.browser

BIBTEX = "@article{planted2024, title={Planted by another site}, year={2024}}"
HOSTILE = [
    "<script>window.ran = 'script'; alert(1)</script>",
    '<img src="x"/onerror="window.ran = \'img\'; alert(2)">',
    "[click me](javascript:window.ran='link';alert(3))",
    "<a href=\"javascript:window.ran='a';alert(4)\">a link</a>",
    "![pic](javascript:alert(5))",
    "<svg/onload=\"window.ran = 'svg'; alert(6)\">",
    "<iframe src=\"javascript:parent.ran='iframe'\"></iframe>",
    "<details open ontoggle=\"window.ran='details'\">x</details>",
]


@pytest.fixture
def other_origin() -> Iterator[Callable[[str], str]]:
    """``serve(html)``: the URL of a page with ``html`` on another local server (origin)."""
    servers: list[ThreadingHTTPServer] = []

    def serve(html: str) -> str:
        body = html.encode("utf-8")

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(httpd)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        # "localhost" makes it another site as well as another origin
        return f"http://localhost:{httpd.server_address[1]}/"

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def _attack_page(target: str) -> str:
    return f"""<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="{target}/api/import/bibtex" enctype="text/plain"
      target="sink"><input name="{BIBTEX[:-1]}" value="}}"></form>
<form id="g" method="POST" action="{target}/api/areas" target="sink">
  <input name="name" value="Planted"></form>
<script>
const bib = {BIBTEX!r};
async function attack() {{
  const tries = [];
  tries.push(fetch("{target}/api/import/bibtex", {{method: "POST", mode: "no-cors",
    headers: {{"Content-Type": "text/plain"}}, body: bib}}));
  const form = new FormData();
  form.append("file", new Blob([bib], {{type: "application/x-bibtex"}}), "x.bib");
  tries.push(fetch("{target}/api/import/bibtex", {{method: "POST", mode: "no-cors",
    body: form}}));
  tries.push(fetch("{target}/api/areas", {{method: "POST", mode: "no-cors",
    headers: {{"Content-Type": "text/plain"}}, body: JSON.stringify({{name: "Planted"}})}}));
  await Promise.allSettled(tries);
  const sink = document.querySelector("iframe");
  for (const id of ["f", "g"]) {{
    await new Promise((done) => {{
      sink.addEventListener("load", done, {{once: true}});
      setTimeout(done, 3000);
      document.getElementById(id).submit();
    }});
  }}
  document.title = "done";
}}
attack();
</script></body></html>"""


def test_another_origin_cannot_write(
    context: BrowserContext,  # noqa: F811
    server: LiveServer,  # noqa: F811
    other_origin: Callable[[str], str],
) -> None:
    seen: list[tuple[str, int]] = []
    page = context.new_page()
    page.on(
        "response",
        lambda r: (
            seen.append((r.request.method + " " + r.url, r.status))
            if r.url.startswith(server.url)
            else None
        ),
    )
    page.goto(other_origin(_attack_page(server.url)))
    expect(page).to_have_title("done", timeout=20_000)
    assert server.get("/api/papers")["total"] == 0
    assert server.get("/api/areas")["total"] == 0
    form_answers = [status for what, status in seen if what.startswith("POST")]
    assert form_answers and all(status == 403 for status in form_answers), seen
    # the same requests without a browser's headers (a script, curl) still work
    made = server.client.post("/api/areas", json={"name": "Mine"})
    assert made.status_code == 201


def test_a_name_resolving_to_the_server_is_refused(
    browser: Browser,  # noqa: F811
    server: LiveServer,  # noqa: F811
) -> None:
    port = server.url.rsplit(":", 1)[1]
    rebinding = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.example 127.0.0.1"],
    )
    try:
        page = rebinding.new_page()
        answer = page.goto(f"http://rebind.example:{port}/api/papers")
        assert answer is not None and answer.status == 403
        assert "host name" in page.content()
        answer = page.goto(f"http://rebind.example:{port}/")
        assert answer is not None and answer.status == 403
        assert server.get("/api/health")["status"] == "ok"  # the real name still answers
    finally:
        rebinding.close()


def test_the_api_docs_render_their_operations_under_the_csp(
    page: Page,
    server: LiveServer,  # noqa: F811
) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    answer = page.goto(server.url + "/docs")
    assert answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert page.locator(".opblock").count() > 10
    expect(page.get_by_text("/api/papers", exact=True).first).to_be_visible()
    assert violations == []
    assert page.request.get(server.url + "/redoc").status == 404


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:  # noqa: F811
    errors: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    assert errors == []


def test_an_exported_markdown_file_with_hostile_annotations_runs_nothing(
    page: Page,
    server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    for i, payload in enumerate(HOSTILE):
        paper = server.add_paper(f"Paper {i}")
        server.annotate(paper["id"], f"Before.\n\n{payload}\n\nAfter {payload}")
        server.send("POST", f"/api/papers/{paper['id']}/notes", {"markdown": payload})
    area = server.send("POST", "/api/areas", {"name": "Area", "description": HOSTILE[1]})
    assert area["description"] == HOSTILE[1]
    exported = server.client.get("/api/export", params={"format": "markdown"})
    assert exported.status_code == 200
    # as pandoc or a static-site generator would publish it: CommonMark with raw HTML on
    html = MarkdownIt("commonmark", {"html": True}).render(exported.text)
    published = tmp_path / "bibliography.html"
    published.write_text(f"<!doctype html><meta charset=utf-8><body>{html}</body>", "utf-8")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(published.as_uri())
    expect(page.get_by_text("Paper 7").first).to_be_visible()
    for link in page.locator("a[href]").all():
        href = link.get_attribute("href") or ""
        assert href.startswith(("http://", "https://", "mailto:", "#")), href
    assert page.locator("script, iframe, svg, img[onerror], [ontoggle]").count() == 0
    page.wait_for_timeout(300)  # let any handler that slipped through fire
    assert page.evaluate("window.ran") is None
    assert dialogs == []


NETWORK_TOKEN = "correct-horse-battery-staple"


@pytest.fixture
def network_server(
    tmp_path: Path,
    arxiv: FakeArxiv,  # noqa: F811
    template_db: Path,
) -> Iterator[LiveServer]:
    """``serve --host 0.0.0.0`` as for a group on a network: the token guards reads too."""
    env = {"LITREVIEW_TOKEN": NETWORK_TOKEN}
    args = ["--host", "0.0.0.0"]
    with live_server(tmp_path, arxiv, env=env, args=args, template=template_db) as running:
        running.client.headers["Authorization"] = f"Bearer {NETWORK_TOKEN}"
        yield running


def test_on_a_network_the_ui_asks_for_the_token_once_and_again_when_wrong(
    context: BrowserContext,  # noqa: F811
    network_server: LiveServer,
) -> None:
    network_server.add_paper("Behind the token")
    assert httpx.get(network_server.url + "/api/papers").status_code == 401  # reads need it too
    answers = iter(["not-the-token", NETWORK_TOKEN])
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept(next(answers))

    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", answer)
    page.goto(network_server.url + "/")
    expect(page.locator("#results .paper-row")).to_have_count(1)
    expect(page.get_by_role("link", name="Behind the token")).to_be_visible()
    # asked once for all the first page's calls, then once more, saying the token was wrong
    assert len(asked) == 2, asked
    assert "needs its access token" in asked[0]
    assert "refused" in asked[1] and "not this server's token" in asked[1]
    assert page.evaluate("sessionStorage.getItem('litreview.token')") == NETWORK_TOKEN
    # kept for the session: a reload and a write ask nothing
    page.reload()
    expect(page.get_by_role("link", name="Behind the token")).to_be_visible()
    made = page.evaluate(
        """async () => (await import("/static/js/api.js")).api("/api/areas",
             {method: "POST", json: {name: "Asked once"}})"""
    )
    assert made["name"] == "Asked once"
    assert len(asked) == 2
    assert errors == []
    # another tab's session starts without it
    fresh = context.browser.new_context() if context.browser else None
    assert fresh is not None
    try:
        other = fresh.new_page()
        other.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        other.goto(network_server.url + "/")
        expect(other.get_by_text("set the API token in Settings").first).to_be_visible()
        assert asked[2:] and all("needs its access token" in m for m in asked[2:])
    finally:
        fresh.close()


def _attack_on_new_routes(target: str, source: int, dest: int) -> str:
    """Writes to the routes added in round 2, as another site's page would try them."""
    posts = {
        "/api/columns": {"name": "Planted", "type": "text", "target": "paper"},
        "/api/area-links": {"source_id": source, "target_id": dest, "relation": "enables"},
        "/api/members": {"name": "mallory", "role": "owner", "password": "planted-password"},
        "/api/tokens": {"name": "stolen", "write": True},
        "/api/views": {"name": "Planted", "target": "paper", "spec": {}},
    }
    fetches = "\n".join(
        f"""  tries.push(fetch("{target}{path}", {{method: "POST", mode: "no-cors",
    headers: {{"Content-Type": "text/plain"}}, body: JSON.stringify({body!r})}}));"""
        for path, body in posts.items()
    ).replace("True", "true")
    return f"""<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="{target}/api/columns" target="sink">
  <input name="name" value="Planted"><input name="type" value="text"></form>
<form id="g" method="POST" action="{target}/api/import/table" enctype="multipart/form-data"
      target="sink"><input type="hidden" name="source" value="x"></form>
<script>
async function attack() {{
  const tries = [];
{fetches}
  const table = new FormData();
  table.append("file", new Blob(["title\\nPlanted row\\n"], {{type: "text/csv"}}), "x.csv");
  tries.push(fetch("{target}/api/import/table", {{method: "POST", mode: "no-cors",
    body: table}}));
  await Promise.allSettled(tries);
  const sink = document.querySelector("iframe");
  for (const id of ["f", "g"]) {{
    await new Promise((done) => {{
      sink.addEventListener("load", done, {{once: true}});
      setTimeout(done, 3000);
      document.getElementById(id).submit();
    }});
  }}
  document.title = "done";
}}
attack();
</script></body></html>"""


def test_another_origin_cannot_write_through_the_routes_of_round_two(
    context: BrowserContext,  # noqa: F811
    server: LiveServer,  # noqa: F811
    other_origin: Callable[[str], str],
) -> None:
    source = server.send("POST", "/api/areas", {"name": "Source"})["id"]
    dest = server.send("POST", "/api/areas", {"name": "Target"})["id"]
    before = {
        path: server.client.get(path).json()
        for path in ("/api/columns", "/api/area-links", "/api/members", "/api/tokens")
    }
    seen: list[tuple[str, int]] = []
    tried: set[str] = set()
    page = context.new_page()
    page.on(
        "response",
        lambda r: (
            seen.append((r.request.method + " " + r.url, r.status))
            if r.url.startswith(server.url)
            else None
        ),
    )
    page.on(
        "request",
        lambda r: tried.add(r.url[len(server.url) :]) if r.url.startswith(server.url) else None,
    )
    page.goto(other_origin(_attack_on_new_routes(server.url, source, dest)))
    expect(page).to_have_title("done", timeout=20_000)
    for path, state in before.items():
        assert server.client.get(path).json() == state, path
    assert server.get("/api/papers")["total"] == 0
    assert server.get("/api/views")["items"] == []
    assert tried >= {
        "/api/columns",
        "/api/area-links",
        "/api/members",
        "/api/tokens",
        "/api/views",
        "/api/import/table",
    }, tried
    posts = [status for what, status in seen if what.startswith("POST")]
    assert posts and all(status == 403 for status in posts), seen
    # without a browser's headers (a script) the same write works
    made = server.client.post("/api/columns", json={"name": "Mine", "type": "text"})
    assert made.status_code == 201, made.text
