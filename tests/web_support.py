"""Browser-test support: a real ``litreview serve`` and Debian's chromium driven by Playwright.

``live_server`` starts ``litreview serve`` in a subprocess on a free port of 127.0.0.1 with a
temporary SQLite database and ``LITREVIEW_ARXIV_API_URL`` pointing at the local arXiv stand-in
(tests/arxiv_server.py, real recorded responses), so nothing touches the internet.

Run as a script it takes the screenshots of the README (docs/screenshots/*.png):

    python tests/web_support.py screenshots
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from arxiv_server import FakeArxiv

if TYPE_CHECKING:
    from playwright.sync_api import APIResponse, Page, Route

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 60.0


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A running ``litreview serve`` and a JSON client for setting up data."""

    url: str
    db_path: Path
    arxiv: FakeArxiv
    client: httpx.Client
    pid: int = 0  # the ``litreview serve`` process

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def send(self, method: str, path: str, body: Any = None) -> Any:
        """A write call with a JSON body; the answer's JSON (None for 204)."""
        response = self.client.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    def add_paper(self, title: str, **fields: Any) -> dict[str, Any]:
        paper: dict[str, Any] = self.send("POST", "/api/papers", {"title": title, **fields})
        return paper

    def add_arxiv(
        self, ids: list[str], *, tags: list[str] | None = None, area: str | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.send(
            "POST", "/api/import/arxiv", {"ids": ids, "tags": tags or [], "area": area}
        )
        return result

    def import_bibtex(self, text: str) -> dict[str, Any]:
        response = self.client.post(
            "/api/import/bibtex",
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/x-bibtex"},
        )
        response.raise_for_status()
        report: dict[str, Any] = response.json()
        return report

    def annotate(self, paper_id: int, markdown: str) -> dict[str, Any]:
        path = f"/api/papers/{paper_id}/annotation"
        version = self.get(path)["version"]
        saved: dict[str, Any] = self.send("PUT", path, {"markdown": markdown, "version": version})
        return saved

    def area_id(self, path: str) -> int:
        def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for node in nodes:
                yield node
                yield from walk(node["children"])

        for node in walk(self.get("/api/areas")["items"]):
            if node["path"] == path:
                area_id: int = node["id"]
                return area_id
        raise KeyError(path)


def page_answers(page: Page, script: str, wanted: Any, tries: int = 200) -> Any:
    """What ``script`` (a function, run in the page in one task: nothing it reads is detached
    midway) gives, asked every 50 ms until it gives ``wanted``, 10 s at most; else its last
    answer. (Playwright's wait_for_function evaluates a string as it polls, which the app's CSP
    refuses: no 'unsafe-eval'.)"""
    value = page.evaluate(script)
    for _ in range(tries):
        if value == wanted:
            break
        page.wait_for_timeout(50)
        value = page.evaluate(script)
    return value


class HeldRequests:
    """The page's requests to one address (a glob), held back until the test lets them go.

    ``answer_now``: each goes to the server at once and the page hears the answer only when
    let go (an answer that arrives late, as on a busy machine).
    """

    def __init__(self, page: Page, url: str, *, answer_now: bool = False) -> None:
        self.page = page
        self.url = url
        self.answer_now = answer_now
        self.routes: list[Route] = []
        self.answers: list[APIResponse] = []
        self.released = False
        page.route(url, self._hold)

    def _hold(self, route: Route) -> None:  # a builtin (list.append) is no handler to Playwright
        if self.released:  # sent again before the route was removed
            route.continue_()
            return
        if self.answer_now:
            self.answers.append(route.fetch())
        self.routes.append(route)  # last: wait_for_one then finds its answer too

    def wait_for_one(self) -> None:
        """Until the page has sent one (Playwright delivers its events while the page waits)."""
        for _ in range(500):
            if self.routes:
                return
            self.page.wait_for_timeout(10)
        raise AssertionError(f"the page sent nothing to {self.url}")

    def release(self) -> None:
        """Let the held requests go on to the server (or hear their answers), and hold no more."""
        self.released = True
        for route, answer in zip(self.routes, self.answers, strict=False):
            route.fulfill(response=answer)
        for route in self.routes[len(self.answers) :]:
            route.continue_()
        self.page.unroute(self.url)


def server_env(arxiv_url: str) -> dict[str, str]:
    """The environment of the server: this one without LITREVIEW_* settings, plus the test's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LITREVIEW_")}
    env["LITREVIEW_ARXIV_API_URL"] = arxiv_url
    env["LITREVIEW_ARXIV_DELAY"] = "0"
    # A wall-clock search limit would make a busy machine's searches answer "keep typing".
    env["LITREVIEW_SEARCH_TIME_LIMIT_MS"] = "0"
    return env


@contextmanager
def live_server(
    workdir: Path,
    arxiv: FakeArxiv,
    *,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
    command_prefix: Sequence[str] = (),
    database: str | None = None,
    template: Path | None = None,
) -> Iterator[LiveServer]:
    """``litreview serve`` on a free port with the database ``workdir/library.db`` (new, or
    the one a previous server there left), or the one at the URL ``database``, until exit.

    ``env``: more settings (``LITREVIEW_*``) for the server; ``args``: more ``serve`` options;
    ``command_prefix``: a program the server runs under (e.g. ``setpriv ...``); ``template``:
    an upgraded empty library (conftest's ``template_db``) that a new ``library.db`` is a copy
    of, so the server starts without running the migrations (~0.6 s of its CPU).
    """
    db_path = workdir / "library.db"
    if template is not None and database is None and not db_path.exists():
        shutil.copyfile(template, db_path)
    port = free_port()
    log_path = workdir / "serve.log"
    command = [*command_prefix, sys.executable, "-m", "litreview.cli", "--db"]
    command.append(database or str(db_path))
    command.append("serve")
    command += ["--host", "127.0.0.1", "--port", str(port), *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env={**server_env(arxiv.url), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=url, timeout=30.0)
    try:
        _wait_until_up(process, client, log_path)
        yield LiveServer(url=url, db_path=db_path, arxiv=arxiv, client=client, pid=process.pid)
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(process: subprocess.Popen[bytes], client: httpx.Client, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"litreview serve exited early:\n{log.read_text(errors='replace')}")
        try:
            if client.get("/api/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)  # not listening yet
            continue
        time.sleep(0.1)
    raise RuntimeError(f"litreview serve did not answer in {STARTUP_SECONDS}s")


# Screenshots for the README ------------------------------------------------------------------

SCREENSHOT_PAPER = "Evaluating and Understanding the Robustness of Adversarial Logit Pairing"


def _load_screenshot_library(server: LiveServer) -> tuple[int, int]:
    """The sample library of data/ (real papers, our annotations); (paper count, a paper's id)."""
    command = [sys.executable, "-m", "litreview.cli", "--db", str(server.db_path), "load-sample"]
    subprocess.run(command, check=True, capture_output=True, env=server_env(server.arxiv.url))
    papers = server.get("/api/papers", limit=100)
    chosen = next(p for p in papers["items"] if p["title"] == SCREENSHOT_PAPER)
    paper_id: int = chosen["id"]
    return int(papers["total"]), paper_id


def take_screenshots(out_dir: Path) -> None:
    """Library and paper views, with real papers, into ``out_dir``."""
    import tempfile

    from playwright.sync_api import expect, sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeArxiv.running() as arxiv,
        live_server(Path(tmp), arxiv) as server,
        sync_playwright() as pw,
    ):
        count, paper_id = _load_screenshot_library(server)
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 820})
        page.goto(server.url + "/")
        expect(page.locator(".paper-row")).to_have_count(count)
        page.screenshot(path=str(out_dir / "library.png"))
        page.goto(f"{server.url}/#/paper/{paper_id}")
        expect(page.get_by_label("Annotation", exact=True)).to_be_enabled()
        page.screenshot(path=str(out_dir / "paper.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(server.url + "/")
        expect(page.locator(".paper-row").first).to_be_visible()
        page.screenshot(path=str(out_dir / "library-phone.png"))
        browser.close()


if __name__ == "__main__":
    if sys.argv[1:] != ["screenshots"]:
        sys.exit("usage: python tests/web_support.py screenshots")
    take_screenshots(REPO / "docs" / "screenshots")
    print(f"screenshots in {REPO / 'docs' / 'screenshots'}")
