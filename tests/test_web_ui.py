"""The web UI in a real browser: Debian's chromium through Playwright, against ``litreview serve``.

Each test gets its own server and database (tests/web_support.py); the arXiv API is the local
stand-in serving recorded real responses. Waiting is Playwright's auto-waiting ``expect``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from arxiv_server import FakeArxiv, fixture_entries
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    Request,
    expect,
    sync_playwright,
)
from web_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HeldRequests,
    LiveServer,
    chromium_missing_reason,
    live_server,
)

pytestmark = pytest.mark.browser

LUTTINGER_IDS = ["1201.4869", "1005.5383", "1101.2206"]
LATTICE_IDS = ["cond-mat/0412498", "cond-mat/0603029"]
BAD_BIBTEX = """@article{good2020,
  title = {A Good Paper About Reading Groups},
  author = {Doe, Jane},
  year = {2020},
}

@article{broken2021,
  title = {Missing brace,
  author = {Roe, Richard},
  year = 2021,

@book{fine2019, title = {Fine Book on Annotation}, author = {Smith, Ann}, year = {2019}}
"""


@pytest.fixture(scope="module")
def arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv.running() as fake:
        fake.add_entries(fixture_entries())
        yield fake


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path: Path, arxiv: FakeArxiv, template_db: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path, arxiv, template=template_db) as running:
        yield running


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser context; anything the app's CSP refused on its pages fails the test (a style
    attribute set from a script is dropped without an error). Framing is refused on purpose:
    the security tests' hostile pages try it."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    ctx.set_default_timeout(10_000)
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text and "frame-ancestors" not in text:
            refused.append(text)

    ctx.on("console", on_console)
    yield ctx
    ctx.close()
    assert refused == []


@pytest.fixture
def page(context: BrowserContext, server: LiveServer) -> Iterator[Page]:
    """A page of the app; any uncaught script error fails the test."""
    errors: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(server.url + "/")
    yield pg
    pg.close()  # its live stream (/api/events) ends before the server stops
    assert errors == []


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def rows(page: Page) -> Locator:
    return page.locator("#results .paper-row")


def open_paper(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.get_by_label("Annotation", exact=True)).to_be_enabled()


def test_add_papers_by_arxiv_id_shows_per_id_results(page: Page, server: LiveServer) -> None:
    expect(page.locator("#results")).to_contain_text("Your library is empty")
    page.get_by_role("button", name="Add papers").click()
    dialog = page.get_by_role("dialog", name="Add papers").get_by_role("tabpanel", name="arXiv")
    dialog.get_by_label("arXiv IDs or links").fill(
        "1201.4869\nhttps://arxiv.org/abs/1005.5383v1, 9999.99999"
    )
    dialog.get_by_label("Tags for every paper").fill("helium, 1D")
    dialog.get_by_label("Area").fill("Condensed matter/Luttinger liquids")
    dialog.get_by_role("button", name="Fetch from arXiv").click()
    report = dialog.locator("#arxiv-results")
    expect(report.locator("tbody tr")).to_have_count(3)
    expect(report.locator("tr", has_text="1201.4869")).to_contain_text("added")
    expect(report.locator("tr", has_text="arxiv.org/abs/1005.5383v1")).to_contain_text("added")
    expect(report.locator("tr", has_text="9999.99999")).to_contain_text("failed")
    expect(report).to_contain_text("2 added")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Add papers")).to_be_hidden()
    expect(rows(page)).to_have_count(2)
    expect(page.locator("#results")).to_contain_text("A Luttinger Liquid Core Inside Helium-4")
    tree = page.locator("#area-tree")
    tree.get_by_role("button", name="Sub-areas of Condensed matter").click()
    expect(tree.get_by_role("button", name=re.compile(r"Luttinger liquids\s*2"))).to_be_visible()
    expect(page.locator("#tag-cloud")).to_contain_text("helium")


def test_search_as_you_type_and_filter_by_area(page: Page, server: LiveServer) -> None:
    server.add_arxiv(LUTTINGER_IDS, tags=["helium"], area="Condensed matter/Luttinger liquids")
    server.add_arxiv(LATTICE_IDS, area="Condensed matter/Lattice models")
    page.reload()
    expect(rows(page)).to_have_count(5)
    expect(page.locator("#result-count")).to_have_text("5 papers")

    page.keyboard.press("/")  # the shortcut focuses the search field
    search = page.get_by_role("searchbox", name="Search papers")
    expect(search).to_be_focused()
    search.press_sequentially("checkerboard", delay=20)
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("From stripe to checkerboard order")
    assert "q=checkerboard" in page.url
    search.fill("")
    expect(rows(page)).to_have_count(5)

    tree = page.locator("#area-tree")
    tree.get_by_role("button", name="Sub-areas of Condensed matter").click()
    tree.get_by_role("button", name=re.compile(r"^Lattice models")).click()
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_role("heading", level=1, name="Lattice models")).to_be_visible()
    # A parent area includes the papers of its sub-areas.
    tree.get_by_role("button", name=re.compile(r"^Condensed matter")).click()
    expect(rows(page)).to_have_count(5)
    # Filters combine: the area with a tag and the status.
    page.get_by_label("Tag", exact=True).fill("helium")
    page.get_by_label("Tag", exact=True).press("Enter")
    expect(rows(page)).to_have_count(3)
    page.get_by_label("Status", exact=True).select_option("read")
    expect(page.locator("#results")).to_contain_text("No papers match")
    page.get_by_role("button", name="Clear filters").click()
    expect(rows(page)).to_have_count(5)


def test_the_first_page_is_asked_for_once_before_the_session(
    context: BrowserContext, server: LiveServer
) -> None:
    # list_start.js asks for the address's page as the page starts, beside the app's modules
    # and /api/session (the first row waited for both); the list takes that answer, not a second.
    server.add_paper("Helium films at low temperature")
    server.add_paper("Lattice models of magnets")
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
    page.goto(f"{server.url}/#/?q=helium")
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Helium films")
    expect(page.locator("#q")).to_have_value("helium")
    page.wait_for_load_state("networkidle")
    lists = [url for url in asked if "/api/papers?" in url]
    assert len(lists) == 1 and "q=helium" in lists[0]
    session = next(url for url in asked if url.endswith("/api/session"))
    assert asked.index(lists[0]) < asked.index(session)
    page.close()


def test_sidebar_loads_areas_level_by_level_and_filters_tags(
    page: Page, server: LiveServer
) -> None:
    top = server.send("POST", "/api/areas", {"name": "Robustness"})
    lat = server.send(
        "POST", "/api/areas", {"name": "Latent adversarial training", "parent_id": top["id"]}
    )
    deep = server.send(
        "POST", "/api/areas", {"name": "Targeted LAT", "description": "Aimed *attacks*."}
    )
    server.send("PATCH", f"/api/areas/{deep['id']}", {"parent_id": lat["id"]})
    paper = server.add_paper("Targeted latent attacks", tags=[f"topic {i:02d}" for i in range(40)])
    server.add_paper("Popular one", tags=["popular", "rare-zebra"])
    server.add_paper("Popular two", tags=["popular"])
    server.send("PUT", f"/api/papers/{paper['id']}/areas/{deep['id']}")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.reload()
    expect(rows(page)).to_have_count(3)

    tree = page.locator("#area-tree")
    expect(tree.get_by_role("button", name=re.compile(r"^Robustness\s*1"))).to_be_visible()
    expect(tree.locator(".area-link")).to_have_count(2)  # All papers, Robustness: no more yet
    tree.get_by_role("button", name="Sub-areas of Robustness").click()
    expect(tree.get_by_role("button", name="Sub-areas of Robustness")).to_have_attribute(
        "aria-expanded", "true"
    )
    tree.get_by_role("button", name="Sub-areas of Latent adversarial training").click()
    tree.get_by_role("button", name=re.compile(r"^Targeted LAT\s*1")).click()
    expect(rows(page)).to_have_count(1)
    expect(page.get_by_role("heading", level=1, name="Targeted LAT")).to_be_visible()
    expect(page.locator("#area-description em")).to_have_text("attacks")
    assert not [url for url in asked if url.endswith("/api/areas")], "the whole tree was loaded"

    # A search leaves the tree as it is (the same elements, the mark moved only).
    tree.locator(".area-link").first.evaluate("el => { el.dataset.probe = 'kept'; }")
    tree.get_by_role("button", name=re.compile(r"^All papers")).click()
    page.get_by_role("searchbox", name="Search papers").fill("popular")
    expect(rows(page)).to_have_count(2)
    expect(tree.locator(".area-link").first).to_have_attribute("data-probe", "kept")
    expect(tree.get_by_role("button", name=re.compile(r"^Targeted LAT"))).to_be_visible()

    # Tags: the most used first, 30 of them; the filter box asks the server for the others.
    cloud = page.locator("#tag-cloud")
    expect(cloud.locator(".tag")).to_have_count(30)
    expect(cloud.locator(".tag").first).to_contain_text("popular")
    expect(cloud).to_contain_text("30 of 42")
    page.get_by_label("Filter tags").fill("ZEBRA")
    expect(cloud.locator(".tag")).to_have_count(1)
    cloud.get_by_role("button", name=re.compile("^rare-zebra")).click()
    expect(rows(page)).to_have_count(1)
    page.get_by_label("Filter tags").fill("nothing like it")
    expect(cloud).to_contain_text("No tag contains that.")

    # Opened at an area the sidebar has not listed: its name and description are asked for,
    # and the areas above it open to show it, marked.
    page.goto(f"{server.url}/#/?area={deep['id']}")
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Targeted LAT")).to_be_visible()
    expect(tree.get_by_role("button", name=re.compile(r"^Targeted LAT"))).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator("#active-filters")).to_contain_text(
        "area: Robustness/Latent adversarial training/Targeted LAT"
    )


def test_load_more_fetches_the_next_page(page: Page, server: LiveServer) -> None:
    entries = "\n".join(
        f"@article{{paper{n:03d}, title = {{Paged paper number {n}}}, year = {{{1950 + n}}}}}"
        for n in range(60)
    )
    assert server.import_bibtex(entries)["counts"]["added"] == 60
    page.reload()
    expect(rows(page)).to_have_count(50)
    expect(page.locator("#result-count")).to_have_text("60 papers · showing 50")
    page.get_by_role("button", name="Load more").click()
    expect(rows(page)).to_have_count(60)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()

    # Read again after a change from elsewhere, the list keeps the pages loaded and the row
    # the keyboard was on.
    title = rows(page).nth(55).locator(".paper-title")
    name = title.inner_text()
    title.focus()
    [paper] = [p for p in server.get("/api/papers", limit=60)["items"] if p["title"] == name]
    path = f"/api/papers/{paper['id']}"
    server.send("PATCH", path, {"version": paper["version"], "status": "read"})
    expect(rows(page).nth(55).locator(".status")).to_have_text("Read")
    expect(rows(page)).to_have_count(60)
    expect(page.get_by_role("link", name=name, exact=True)).to_be_focused()
    # An edit made on the paper's page: back in the list, the row is where it was.
    page.keyboard.press("Enter")
    with page.expect_response(lambda response: response.request.method == "PATCH"):
        page.locator("#paper-rating").select_option("4")
    assert server.get(path)["rating"] == 4
    page.get_by_role("link", name="← Library").click()
    expect(rows(page).nth(55).locator(".rating")).to_be_visible()
    expect(rows(page)).to_have_count(60)
    expect(page.get_by_role("link", name=name, exact=True)).to_be_in_viewport()
    page.get_by_label("Sort by").select_option("year")
    page.get_by_label("Order").select_option("asc")
    expect(rows(page).first).to_contain_text("Paged paper number 0")


def test_a_long_list_read_again_asks_in_the_apis_largest_pages(
    page: Page, server: LiveServer
) -> None:
    """560 rows loaded: read again, they come in two requests (500 rows, then the rest of the
    pages shown), not twelve pages of 50 whose counts and rankings the server would each redo."""
    entries = "\n".join(
        f"@article{{long{n:03d}, title = {{Long list paper {n}}}, year = {{2000}}}}"
        for n in range(560)
    )
    assert server.import_bibtex(entries)["counts"]["added"] == 560
    page.reload()
    more = page.get_by_role("button", name="Load more")
    for shown in range(100, 601, 50):
        more.click()
        expect(rows(page)).to_have_count(min(shown, 560))
    asked: list[str] = []
    page.on(
        "request",
        lambda request: asked.append(request.url) if "/api/papers?" in request.url else None,
    )
    [first] = server.get("/api/papers", limit=1)["items"]
    server.send("PATCH", f"/api/papers/{first['id']}", {"version": first["version"], "rating": 3})
    expect(rows(page).first.locator(".rating")).to_be_visible()
    expect(rows(page)).to_have_count(560)
    reads = sorted((int(q["offset"][0]), int(q["limit"][0])) for q in map(query_of, asked))
    assert reads == [(0, 500), (500, 100)]


def test_the_keyboard_walks_the_list_and_comes_back_to_its_row(
    page: Page, server: LiveServer
) -> None:
    """A triage by keyboard: down from the search into the list, row to row, open a paper,
    Escape back onto its row, on to the next; past the last row, the next page."""
    entries = "\n".join(
        f"@article{{walk{n:03d}, title = {{Walked paper number {n}}}, year = {{{1950 + n}}}}}"
        for n in range(55)
    )
    assert server.import_bibtex(entries)["counts"]["added"] == 55
    page.reload()
    titles = rows(page).locator(".paper-title")
    expect(titles).to_have_count(50)
    search = page.get_by_role("searchbox", name="Search papers")
    search.focus()
    page.keyboard.press("ArrowDown")
    expect(titles.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(titles.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(titles.nth(2)).to_be_focused()
    page.keyboard.press("k")
    expect(titles.nth(1)).to_be_focused()
    name = titles.nth(1).inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("#paper-title")).to_have_text(name)
    page.keyboard.press("Escape")
    expect(titles.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(titles.nth(2)).to_be_focused()
    titles.nth(49).focus()
    page.keyboard.press("ArrowDown")
    expect(titles).to_have_count(55)
    expect(titles.nth(50)).to_be_focused()
    titles.nth(0).focus()
    page.keyboard.press("ArrowUp")
    expect(search).to_be_focused()


def test_annotation_autosaves_and_persists_after_reload(page: Page, server: LiveServer) -> None:
    server.add_arxiv(["1201.4869"])
    page.reload()
    open_paper(page, "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores")
    editor = page.get_by_label("Annotation", exact=True)
    state = page.locator(".save-state")
    expect(state).to_have_text("Saved")
    editor.fill("First take: **1D core** of helium.")
    expect(page.locator("#annotation-preview strong")).to_have_text("1D core")
    expect(state).to_have_text("Saved")  # autosaved about a second after typing stopped
    editor.fill("Second take: a *Luttinger liquid* core.")
    editor.press("Control+s")
    expect(state).to_have_text("Saved")
    page.reload()
    expect(page.get_by_label("Annotation", exact=True)).to_have_value(
        "Second take: a *Luttinger liquid* core."
    )
    expect(page.locator("#annotation-preview em")).to_have_text("Luttinger liquid")

    # The earlier text is in the revision history and can be restored.
    page.get_by_text("Revision history").click()
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_label("Annotation", exact=True)).to_have_value(
        "First take: **1D core** of helium."
    )
    saved = server.get(f"/api/papers/{server.get('/api/papers')['items'][0]['id']}/annotation")
    assert saved["markdown"] == "First take: **1D core** of helium."

    # Back in the library the paper is marked as annotated; leaving saved what was typed.
    editor = page.get_by_label("Annotation", exact=True)
    editor.fill("Typed just before leaving.")
    page.get_by_role("link", name="← Library").click()
    expect(rows(page).first.locator(".annotated")).to_be_visible()
    paper_id = server.get("/api/papers")["items"][0]["id"]
    expect(page.locator("#result-count")).to_have_text("1 paper")
    assert server.get(f"/api/papers/{paper_id}/annotation")["markdown"] == (
        "Typed just before leaving."
    )


def test_hiding_the_tab_saves_the_annotation_at_once(page: Page, server: LiveServer) -> None:
    paper = server.add_paper("Saved when hidden", authors=["Ada Lovelace"])
    page.reload()
    open_paper(page, "Saved when hidden")
    editor = page.get_by_label("Annotation", exact=True)
    expect(page.locator(".save-state")).to_have_text("Saved")
    editor.fill("Written just before switching tabs.")
    # The tab goes to the background before the autosave delay has passed.
    page.evaluate(
        """() => {
            const hidden = {value: "hidden", configurable: true};
            Object.defineProperty(document, "visibilityState", hidden);
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    expect(page.locator(".save-state")).to_have_text("Saved", timeout=900)
    saved = server.get(f"/api/papers/{paper['id']}/annotation")
    assert saved["markdown"] == "Written just before switching tabs."


def test_conflicting_edit_is_shown_and_resolved_without_loss(
    context: BrowserContext, page: Page, server: LiveServer
) -> None:
    server.add_arxiv(["1005.5383"])
    paper_id = server.get("/api/papers")["items"][0]["id"]
    mine = page
    mine.goto(f"{server.url}/#/paper/{paper_id}")
    theirs = context.new_page()
    # Their page hears of no change (no live stream), so it stays stale whatever the timing:
    # with the stream, mine's save reached it before or after its next edit, by chance.
    theirs.route("**/api/events", lambda route: route.abort())
    theirs.goto(f"{server.url}/#/paper/{paper_id}")
    for pg in (mine, theirs):
        expect(pg.get_by_label("Annotation", exact=True)).to_be_enabled()

    theirs.get_by_label("Annotation", exact=True).fill("Their reading of the paper.")
    theirs.get_by_label("Annotation", exact=True).press("Control+s")
    expect(theirs.locator(".save-state")).to_have_text("Saved")

    mine.get_by_label("Annotation", exact=True).fill("My reading, written at the same time.")
    mine.get_by_label("Annotation", exact=True).press("Control+s")
    dialog = mine.get_by_role("dialog", name="This annotation was changed elsewhere")
    expect(dialog).to_be_visible()
    expect(mine.locator(".save-state")).to_contain_text("Conflict")
    expect(dialog.get_by_label("Your text")).to_have_value("My reading, written at the same time.")
    expect(dialog.get_by_label("Their text (saved)")).to_have_value("Their reading of the paper.")
    mine.keyboard.press("Escape")  # a choice is needed: Escape does not dismiss it
    expect(dialog).to_be_visible()
    assert server.get(f"/api/papers/{paper_id}/annotation")["markdown"] == (
        "Their reading of the paper."
    )
    dialog.get_by_role("button", name="Keep mine").click()
    expect(dialog).to_be_hidden()
    expect(mine.locator(".save-state")).to_have_text("Saved")
    saved = server.get(f"/api/papers/{paper_id}/annotation")
    assert saved["markdown"] == "My reading, written at the same time."
    revisions = server.get(f"/api/papers/{paper_id}/annotation/revisions")["items"]
    assert "Their reading of the paper." in [r["markdown"] for r in revisions]

    # The other way round: the stale page takes the saved text.
    theirs.get_by_label("Annotation", exact=True).fill("Their second thoughts.")
    theirs.get_by_label("Annotation", exact=True).blur()
    other_dialog = theirs.get_by_role("dialog", name="This annotation was changed elsewhere")
    expect(other_dialog).to_be_visible()
    other_dialog.get_by_role("button", name="Take theirs").click()
    expect(theirs.get_by_label("Annotation", exact=True)).to_have_value(
        "My reading, written at the same time."
    )
    expect(theirs.locator(".save-state")).to_have_text("Saved")
    theirs.close()


def test_bibtex_upload_reports_failures_with_line_numbers(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    bib = tmp_path / "reading-group.bib"
    bib.write_text(BAD_BIBTEX, encoding="utf-8")
    page.get_by_role("button", name="Add papers").click()
    dialog = page.get_by_role("dialog", name="Add papers")
    dialog.get_by_role("tab", name="BibTeX").click()
    dialog = dialog.get_by_role("tabpanel", name="BibTeX")
    dialog.get_by_label("BibTeX file").set_input_files(str(bib))
    dialog.get_by_role("button", name="Import BibTeX").click()
    report = dialog.locator("#bibtex-results")
    expect(report.locator(".report-summary")).to_contain_text("reading-group.bib")
    expect(report.locator(".report-summary")).to_contain_text("2 added")
    failure = report.locator(".report-failures li")
    expect(failure).to_have_count(1)
    expect(failure).to_contain_text("line 7")
    expect(failure).to_contain_text("broken2021")
    page.get_by_role("dialog", name="Add papers").get_by_role("button", name="Close").click()
    expect(rows(page)).to_have_count(2)


def test_pasted_bibtex_is_imported_with_latex_decoded(page: Page, server: LiveServer) -> None:
    pasted = (
        '@article{pasted2023, title = {Pasted {BibTeX} entry}, author = {M{\\"u}ller, Ana},'
        " year = 2023, keywords = {pasted; robustness}}"
    )
    page.get_by_role("button", name="Add papers").click()
    dialog = page.get_by_role("dialog", name="Add papers")
    dialog.get_by_role("tab", name="BibTeX").click()
    panel = dialog.get_by_role("tabpanel", name="BibTeX")
    panel.get_by_label("…or paste BibTeX").fill(pasted)
    panel.get_by_role("button", name="Import BibTeX").click()
    expect(panel.locator("#bibtex-results .report-summary")).to_contain_text("1 added")
    dialog.get_by_role("button", name="Close").click()
    row = rows(page).filter(has_text="Pasted BibTeX entry")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Müller")
    expect(row).to_contain_text("pasted")


def test_xss_payloads_do_not_run(page: Page, server: LiveServer) -> None:
    response = page.request.get(server.url + "/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    title = '<img src=x onerror="window.__xss=1">Robust <script>window.__xss=2</script>'
    paper = server.add_paper(
        title,
        authors=['<img src=x onerror="window.__xss=3">Mallory'],
        tags=['<svg onload="window.__xss=4">'],
        abstract='<iframe src="javascript:window.__xss=5"></iframe>',
    )
    server.annotate(
        paper["id"],
        '<img src=x onerror="window.__xss=6"> <script>window.__xss=7</script> '
        "[click](javascript:window.__xss=8) **bold**",
    )
    area = server.send(
        "POST",
        "/api/areas",
        {
            "name": '<img src=x onerror="window.__xss=12">Area',
            "description": "<script>window.__xss=9</script>",
        },
    )
    server.send("PUT", f"/api/papers/{paper['id']}/areas/{area['id']}")
    page.reload()
    link = page.locator("#results .paper-title")
    expect(link).to_have_text(title)  # shown as text, not markup
    expect(page.locator("#results img")).to_have_count(0)
    page.locator("#area-tree").get_by_role("button", name=re.compile("onerror")).click()
    expect(rows(page)).to_have_count(1)
    link.click()
    expect(page.locator("#paper-title")).to_have_text(title)
    expect(page.locator("#annotation-preview strong")).to_have_text("bold")
    expect(page.locator(".paper-side")).to_contain_text('<svg onload="window.__xss=4">')
    editor = page.get_by_label("Annotation", exact=True)
    editor.fill('<img src=y onerror="window.__xss=10"><script>window.__xss=11</script>')
    editor.press("Control+s")
    expect(page.locator(".save-state")).to_have_text("Saved")
    assert page.locator("#annotation-preview script").count() == 0
    assert page.locator("#annotation-preview [onerror]").count() == 0
    assert page.evaluate("window.__xss") is None


def test_export_downloads_the_selection(page: Page, server: LiveServer) -> None:
    server.add_arxiv(LUTTINGER_IDS, area="Luttinger liquids")
    server.add_arxiv(LATTICE_IDS, area="Lattice models")
    page.reload()
    page.locator("#area-tree").get_by_role("button", name=re.compile(r"^Lattice models")).click()
    expect(rows(page)).to_have_count(2)
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")
    expect(dialog).to_contain_text("in Lattice models")
    dialog.get_by_label("BibTeX").check()
    with page.expect_download() as info:
        dialog.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename.endswith(".bib")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.count("@") == 2
    assert "checkerboard" in text and "Luttinger" not in text


def test_keyboard_and_phone_width(context: BrowserContext, page: Page, server: LiveServer) -> None:
    server.add_arxiv(LUTTINGER_IDS[:2], area="Luttinger liquids")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(rows(page)).to_have_count(2)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at phone width ({width}px)"
    toggle = page.get_by_role("button", name="Research areas")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    page.locator("#area-tree").get_by_role("button", name=re.compile("^Luttinger")).click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    rows(page).first.locator("a").click()
    expect(page.get_by_label("Annotation", exact=True)).to_be_enabled()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the paper view scrolls sideways at phone width ({width}px)"
    page.locator("body").press("Escape")
    expect(page.locator("#library-view")).to_be_visible()
    expect(page.locator("#paper-view")).to_be_hidden()


def test_organise_a_paper_tags_areas_status_relations(page: Page, server: LiveServer) -> None:
    server.add_arxiv(LUTTINGER_IDS, tags=["helium"])
    server.send(
        "POST", "/api/areas", {"name": "Superfluids", "description": "Flow without *friction*."}
    )
    page.reload()
    open_paper(page, "Helium-4 Luttinger liquids in nanopores")
    side = page.get_by_role("complementary", name="Paper details")

    side.get_by_label("Status").select_option("read")
    side.get_by_label("Rating").select_option("4")
    expect(side.get_by_label("Rating")).to_have_value("4")

    tag_input = side.get_by_label("Add a tag")
    tag_input.fill("nanopores")
    tag_input.press("Enter")
    expect(side.get_by_role("button", name="Remove tag nanopores")).to_be_visible()
    side.get_by_role("button", name="Remove tag helium").click()
    expect(side.get_by_role("button", name="Remove tag helium")).to_be_hidden()

    side.get_by_label("Assign to area").select_option(label="Superfluids")
    side.get_by_role("button", name="Assign").click()
    expect(side.get_by_role("button", name="Remove from area Superfluids")).to_be_visible()

    relations = page.get_by_role("region", name="Relations", exact=True)
    relations.get_by_label("Relation", exact=True).select_option("extends")
    relations.get_by_label("Other paper").fill("Interacting bosons")
    relations.get_by_role("button", name=re.compile("^Interacting bosons in one dimension")).click()
    relations.get_by_label("Note").fill("uses its theory")
    relations.get_by_role("button", name="Add relation").click()
    expect(relations.locator(".relation")).to_contain_text("extends")
    expect(relations.locator(".relation")).to_contain_text("uses its theory")

    paper = server.get("/api/papers", q="Helium-4 Luttinger liquids in nanopores")["items"][0]
    assert paper["status"] == "read" and paper["rating"] == 4
    assert paper["tags"] == ["nanopores"]
    assert [a["path"] for a in paper["areas"]] == ["Superfluids"]

    # The other paper shows the relation from its side, and can remove it.
    relations.get_by_role("link", name=re.compile("^Interacting bosons")).click()
    other = page.get_by_role("region", name="Relations", exact=True)
    expect(other.locator(".relation")).to_contain_text("extended by")
    other.get_by_role("button", name=re.compile("^Remove relation")).click()
    expect(other).to_contain_text("No relations yet.")

    # Back in the library: the area filter shows its description and the paper.
    page.locator("#area-tree").get_by_role("button", name=re.compile("^Superfluids")).click()
    expect(page.locator("#area-description em")).to_have_text("friction")
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Read")


def test_manage_areas_create_rename_move_delete(page: Page, server: LiveServer) -> None:
    page.get_by_role("button", name="Areas", exact=True).click()
    dialog = page.get_by_role("dialog", name="Research areas")
    for name in ("Adversarial training", "Robustness"):
        dialog.get_by_label("Name").fill(name)
        dialog.get_by_role("button", name="Create area").click()
        expect(dialog.locator("#areas-manage-list")).to_contain_text(name)
        dialog.get_by_role("button", name="+ New area").click()

    # A second area of the same name at the same level: the API's error is shown.
    dialog.get_by_label("Name").fill("Robustness")
    dialog.get_by_role("button", name="Create area").click()
    expect(page.locator("#message")).to_contain_text("already exists")

    # Rename and move under another area, with a description.
    dialog.locator("#areas-manage-list").get_by_role(
        "button", name=re.compile("^Adversarial training")
    ).click()
    dialog.get_by_label("Name").fill("Adversarial training (LAT)")
    dialog.get_by_label("Parent").select_option(label="Robustness")
    dialog.get_by_label("Description (Markdown)").fill("Training on *worst-case* inputs.")
    dialog.get_by_role("button", name="Save area").click()
    expect(page.locator("#message")).to_contain_text("Area saved.")
    listing = dialog.locator("#areas-manage-list")
    expect(listing.locator("li ul")).to_contain_text("Adversarial training (LAT)")
    assert server.area_id("Robustness/Adversarial training (LAT)") > 0
    dialog.get_by_role("button", name="Close").click()
    sidebar = page.locator("#area-tree")
    sidebar.get_by_role("button", name="Sub-areas of Robustness").click()
    expect(sidebar.locator("li ul")).to_contain_text("Adversarial training (LAT)")

    page.get_by_role("button", name="Areas", exact=True).click()
    listing.get_by_role("button", name=re.compile(r"^Adversarial training \(LAT\)")).click()
    page.once("dialog", lambda confirm: confirm.accept())
    dialog.get_by_role("button", name="Delete area").click()
    expect(sidebar).not_to_contain_text("Adversarial training (LAT)")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_areas_move_by_drag_and_drop(page: Page, server: LiveServer) -> None:
    page.get_by_role("button", name="Areas", exact=True).click()
    dialog = page.get_by_role("dialog", name="Research areas")
    for name in ("Robustness", "Latent adversarial training", "Interpretability"):
        dialog.get_by_label("Name").fill(name)
        dialog.get_by_role("button", name="Create area").click()
        expect(dialog.locator("#areas-manage-list")).to_contain_text(name)
        dialog.get_by_role("button", name="+ New area").click()
    listing = dialog.locator("#areas-manage-list")

    def item(name: str) -> Locator:
        return listing.get_by_role("button", name=re.compile(f"^{re.escape(name)}"))

    # Onto another area: it becomes a sub-area, in the dialog, the sidebar and the store.
    item("Latent adversarial training").drag_to(item("Robustness"))
    expect(page.locator("#message")).to_contain_text("Area moved.")
    expect(listing.locator("li ul")).to_contain_text("Latent adversarial training")
    # The sidebar shows it under its parent once that is opened (by script: the dialog is modal).
    page.locator("#area-tree").get_by_role("button", name="Sub-areas of Robustness").dispatch_event(
        "click"
    )
    expect(page.locator("#area-tree li ul")).to_contain_text("Latent adversarial training")
    assert server.area_id("Robustness/Latent adversarial training") > 0

    # An area cannot go inside its own sub-area: refused, and nothing moves.
    item("Robustness").drag_to(item("Latent adversarial training"))
    expect(page.locator("#message")).to_contain_text("cannot move inside itself")
    assert server.area_id("Robustness/Latent adversarial training") > 0

    # Onto the drop zone at the end: back to the top level.
    item("Latent adversarial training").drag_to(listing.locator(".drop-root"))
    expect(listing.locator("li ul")).to_have_count(0)
    assert server.area_id("Latent adversarial training") > 0
    assert {node["path"] for node in server.get("/api/areas")["items"]} == {
        "Robustness",
        "Latent adversarial training",
        "Interpretability",
    }


def notes_card(page: Page) -> Locator:
    return page.get_by_role("region", name="Notes")


def open_paper_by_id(page: Page, server: LiveServer, paper_id: int) -> None:
    page.goto(f"{server.url}/#/paper/{paper_id}")
    expect(page.get_by_label("Annotation", exact=True)).to_be_enabled()


def add_note(notes: Locator, kind: str, text: str, location: str = "") -> None:
    form = notes.get_by_role("form", name="Add a note")
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_label("Note", exact=True).fill(text)
    form.get_by_label("Location").fill(location)
    form.get_by_role("button", name="Add note").click()


def test_notes_add_edit_move_delete_and_persist(page: Page, server: LiveServer) -> None:
    paper = server.add_paper("Helium in nanopores", authors=["Ada Lovelace"])
    open_paper_by_id(page, server, paper["id"])
    notes = notes_card(page)
    items = notes.locator(".note")
    expect(notes).to_contain_text("No notes yet.")

    # An empty note is not sent, and the form says why.
    form = notes.get_by_role("form", name="Add a note")
    form.get_by_role("button", name="Add note").click()
    expect(form.get_by_role("alert")).to_contain_text("empty note")
    assert server.get(f"/api/papers/{paper['id']}/notes")["total"] == 0

    add_note(notes, "Quote", "The core is **one-dimensional**.", "p. 4")
    expect(items).to_have_count(1)
    expect(form.get_by_label("Note", exact=True)).to_have_value("")
    expect(form.get_by_label("Location")).to_have_value("")
    # Ctrl+Enter in the text adds the note too.
    form.get_by_label("Kind").select_option(label="Question")
    form.get_by_label("Note", exact=True).fill("Why a *Luttinger* liquid?")
    form.get_by_label("Note", exact=True).press("Control+Enter")
    expect(items).to_have_count(2)
    expect(items.nth(0).locator(".note-kind")).to_have_text("Quote")
    expect(items.nth(0).locator("blockquote strong")).to_have_text("one-dimensional")
    expect(items.nth(0)).to_contain_text("p. 4")
    expect(items.nth(1).locator(".note-kind")).to_have_text("Question")
    expect(items.nth(1).locator("em")).to_have_text("Luttinger")

    # Edit the question in place.
    notes.get_by_role("button", name="Edit question “Why a Luttinger liquid?”").click()
    editing = notes.get_by_role("form", name=re.compile("^Edit note"))
    expect(editing.get_by_label("Note", exact=True)).to_be_focused()
    editing.get_by_label("Note", exact=True).fill("Why a Luttinger liquid, not a Fermi liquid?")
    editing.get_by_label("Location").fill("§2")
    editing.get_by_role("button", name="Save").click()
    expect(editing).to_have_count(0)
    expect(items.nth(1)).to_contain_text("Why a Luttinger liquid, not a Fermi liquid?")
    expect(items.nth(1)).to_contain_text("§2")

    # Move the question above the quote; the focus stays with the moved note.
    notes.get_by_role("button", name=re.compile("^Move up question")).click()
    expect(items.nth(0).locator(".note-kind")).to_have_text("Question")
    expect(items.nth(1).locator(".note-kind")).to_have_text("Quote")
    expect(notes.get_by_role("button", name=re.compile("^Move down question"))).to_be_focused()
    expect(notes.get_by_role("button", name=re.compile("^Move up question"))).to_be_disabled()

    # Delete the quote: asked first; dismissing keeps it.
    delete_quote = notes.get_by_role("button", name=re.compile("^Delete quote"))
    page.once("dialog", lambda confirm: confirm.dismiss())
    delete_quote.click()
    expect(items).to_have_count(2)
    page.once("dialog", lambda confirm: confirm.accept())
    delete_quote.click()
    expect(items).to_have_count(1)

    page.reload()
    expect(page.get_by_label("Annotation", exact=True)).to_be_enabled()
    expect(items).to_have_count(1)
    expect(items.first.locator(".note-kind")).to_have_text("Question")
    expect(items.first).to_contain_text("Why a Luttinger liquid, not a Fermi liquid?")
    expect(items.first).to_contain_text("§2")
    stored = server.get(f"/api/papers/{paper['id']}/notes")
    assert stored["total"] == 1
    [note] = stored["items"]
    assert note["kind"] == "question" and note["location"] == "§2"
    assert note["markdown"] == "Why a Luttinger liquid, not a Fermi liquid?"
    assert note["position"] == 0

    # At phone width neither the list nor an open edit scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    notes.get_by_role("button", name=re.compile("^Edit question")).click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the notes scroll sideways at phone width ({width}px)"
    notes.get_by_role("button", name="Cancel").click()
    expect(notes.get_by_role("form", name=re.compile("^Edit note"))).to_have_count(0)


def test_note_markup_is_shown_inert(page: Page, server: LiveServer) -> None:
    paper = server.add_paper("Notes with markup")
    payload = '<img src=x onerror="window.__xss=1"> <script>window.__xss=1</script> **bold**'
    server.send(
        "POST",
        f"/api/papers/{paper['id']}/notes",
        {
            "kind": "critique",
            "markdown": payload,
            "location": '<img src=x onerror="window.__xss=1">',
        },
    )
    open_paper_by_id(page, server, paper["id"])
    notes = notes_card(page)
    add_note(notes, "Quote", '<img src=y onerror="window.__xss=1"><script>window.__xss=1</script>')
    expect(notes.locator(".note")).to_have_count(2)
    expect(notes.locator(".note").first.locator("strong")).to_have_text("bold")
    expect(notes.locator(".note").first).to_contain_text('<img src=x onerror="window.__xss=1">')
    notes.get_by_role("button", name=re.compile("^Edit critique")).click()
    notes.get_by_role("button", name="Cancel").click()
    assert notes.locator("script").count() == 0
    assert notes.locator("[onerror]").count() == 0
    assert page.evaluate("window.__xss") is None


def test_stale_note_edit_keeps_the_typed_text(page: Page, server: LiveServer) -> None:
    paper = server.add_paper("Edited in two places")
    path = f"/api/papers/{paper['id']}/notes"
    note = server.send("POST", path, {"kind": "note", "markdown": "First thoughts."})
    open_paper_by_id(page, server, paper["id"])
    notes = notes_card(page)
    notes.get_by_role("button", name="Edit note “First thoughts.”").click()
    editing = notes.get_by_role("form", name=re.compile("^Edit note"))
    mine = "My longer thoughts, typed in the browser."
    editing.get_by_label("Note", exact=True).fill(mine)
    editing.get_by_label("Location").fill("p. 7")

    # Behind the browser's back the note changes.
    theirs = "Their edit, saved elsewhere."
    server.send(
        "PATCH", f"/api/notes/{note['id']}", {"version": note["version"], "markdown": theirs}
    )
    editing.get_by_role("button", name="Save").click()
    # The one conflict dialog (as for the annotation): both versions, nothing overwritten.
    dialog = page.get_by_role("dialog", name="This note was changed elsewhere")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Your text")).to_have_value(re.compile("^" + re.escape(mine)))
    expect(dialog.get_by_label("Their text (saved)")).to_have_value(
        re.compile("^" + re.escape(theirs))
    )
    assert server.get(path)["items"][0]["markdown"] == theirs  # nothing overwritten

    dialog.get_by_role("button", name="Keep mine").click()
    expect(editing).to_have_count(0)
    expect(notes.locator(".note")).to_contain_text(mine)
    [saved] = server.get(path)["items"]
    assert saved["markdown"] == mine and saved["location"] == "p. 7"
    assert saved["version"] == note["version"] + 2


def test_note_edit_survives_a_move_elsewhere(page: Page, server: LiveServer) -> None:
    paper = server.add_paper("Moved while edited")
    path = f"/api/papers/{paper['id']}/notes"
    first = server.send("POST", path, {"kind": "note", "markdown": "First."})
    server.send("POST", path, {"kind": "question", "markdown": "Second?"})
    open_paper_by_id(page, server, paper["id"])
    notes = notes_card(page)
    notes.get_by_role("button", name="Edit note “First.”").click()
    editing = notes.get_by_role("form", name=re.compile("^Edit note"))
    editing.get_by_label("Note", exact=True).fill("First, reworded.")
    # Only its place changes elsewhere: the text is as the edit began, so saving asks nothing.
    server.send("PATCH", f"/api/notes/{first['id']}", {"version": first["version"], "position": 1})
    editing.get_by_role("button", name="Save").click()
    expect(editing).to_have_count(0)
    assert [n["markdown"] for n in server.get(path)["items"]] == ["Second?", "First, reworded."]


LEAVE_QUESTION = "You have an unsaved note on this paper. Leave and discard it?"


def answer_next_dialog(page: Page, *, accept: bool) -> list[str]:
    """Answer the page's next dialog; the list gets its message once it is answered."""
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", answer)
    return asked


def history_length(page: Page) -> int:
    length: int = page.evaluate("history.length")
    return length


def test_unsaved_new_note_is_kept_until_leaving_is_confirmed(
    page: Page, server: LiveServer
) -> None:
    paper = server.add_paper("Drafted in the notes")
    open_paper_by_id(page, server, paper["id"])
    paper_url = page.url
    entries = history_length(page)
    draft = notes_card(page).get_by_role("form", name="Add a note").get_by_label("Note", exact=True)
    draft.fill("Half a thought, not added yet.")
    back = page.get_by_role("link", name="← Library")

    # Cancel: the paper stays, with the draft, at the same address and history.
    asked = answer_next_dialog(page, accept=False)
    back.click()
    expect(draft).to_have_value("Half a thought, not added yet.")
    assert asked == [LEAVE_QUESTION]
    expect(page).to_have_url(paper_url)
    expect(page.locator("#library-view")).to_be_hidden()
    assert history_length(page) == entries

    # OK: the library, and the draft is gone, not saved.
    asked = answer_next_dialog(page, accept=True)
    back.click()
    expect(page.locator("#library-view")).to_be_visible()
    expect(page.locator("#paper-view")).to_be_hidden()
    assert asked == [LEAVE_QUESTION]
    assert server.get(f"/api/papers/{paper['id']}/notes")["total"] == 0
    page.go_back()
    expect(notes_card(page)).to_contain_text("No notes yet.")
    expect(draft).to_have_value("")


def test_unsaved_note_edit_survives_a_cancelled_browser_back(
    page: Page, server: LiveServer
) -> None:
    paper = server.add_paper("Edited then left")
    path = f"/api/papers/{paper['id']}/notes"
    server.send("POST", path, {"kind": "note", "markdown": "First thoughts."})
    page.reload()
    open_paper(page, "Edited then left")  # from the list: back returns to it
    paper_url = page.url
    notes = notes_card(page)
    notes.get_by_role("button", name="Edit note “First thoughts.”").click()
    text = notes.get_by_role("form", name=re.compile("^Edit note")).get_by_label("Note", exact=True)
    text.fill("Second thoughts, still unsaved.")

    asked = answer_next_dialog(page, accept=False)
    page.go_back()
    expect(page).to_have_url(paper_url)
    expect(text).to_have_value("Second thoughts, still unsaved.")
    expect(page.locator("#library-view")).to_be_hidden()
    assert asked == [LEAVE_QUESTION]

    # Asked once more, OK goes back to the list; the note is as it was saved.
    asked = answer_next_dialog(page, accept=True)
    page.go_back()
    expect(rows(page)).to_have_count(1)
    expect(page.locator("#paper-view")).to_be_hidden()
    assert asked == [LEAVE_QUESTION]
    assert [n["markdown"] for n in server.get(path)["items"]] == ["First thoughts."]


def test_leaving_without_unsaved_notes_asks_nothing(page: Page, server: LiveServer) -> None:
    server.send("POST", "/api/areas", {"name": "Superfluids"})
    paper = server.add_paper("Nothing left unsaved")
    server.send("POST", f"/api/papers/{paper['id']}/notes", {"kind": "note", "markdown": "Kept."})
    asked: list[str] = []

    def refuse(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.reload()
    library = page.locator("#library-view")

    # An edit opened and left as it was is nothing to lose; nor is a note once added.
    open_paper(page, "Nothing left unsaved")
    notes = notes_card(page)
    notes.get_by_role("button", name="Edit note “Kept.”").click()
    expect(notes.get_by_role("form", name=re.compile("^Edit note"))).to_be_visible()
    page.go_back()
    expect(library).to_be_visible()
    open_paper(page, "Nothing left unsaved")
    add_note(notes, "Question", "Added before leaving?")
    expect(notes.locator(".note")).to_have_count(2)
    page.get_by_role("link", name="← Library").click()
    expect(library).to_be_visible()

    # From a paper page the sidebar's areas open the library, filtered.
    open_paper(page, "Nothing left unsaved")
    page.locator("#area-tree").get_by_role("button", name=re.compile("^Superfluids")).click()
    expect(library).to_be_visible()
    expect(page.locator("#paper-view")).to_be_hidden()
    expect(page.locator("#results")).to_contain_text("No papers match these filters.")
    assert asked == []


def test_export_prints_notes_status_and_ratings_on_request(page: Page, server: LiveServer) -> None:
    paper = server.add_paper("Defending against unforeseen failure modes", year=2024, rating=4)
    server.annotate(paper["id"], "Latent attacks make refusal training more robust.")
    server.send(
        "POST",
        f"/api/papers/{paper['id']}/notes",
        {"kind": "quote", "markdown": "We perturb the residual stream.", "location": "p. 3"},
    )
    page.reload()
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")

    def download() -> str:
        with page.expect_download() as info:
            dialog.get_by_role("link", name="Download").click()
        return Path(info.value.path()).read_text(encoding="utf-8")

    plain = download()
    assert "refusal training" in plain and "residual stream" not in plain
    dialog.get_by_label("Further notes (quotes, questions, critique)").check()
    dialog.get_by_label("Ratings").check()
    full = download()
    assert "> We perturb the residual stream.\n>\n> — p. 3" in full
    assert "*Rating:* 4/5" in full and "*Rating:*" not in plain
    # Other formats have no such options: they are disabled, and the link leaves them out.
    dialog.get_by_label("BibTeX").check()
    expect(dialog.get_by_label("Ratings")).to_be_disabled()
    assert "with_notes" not in (
        dialog.get_by_role("link", name="Download").get_attribute("href") or ""
    )


LOOK_ALIKES = """
@article{smith2001intro, title = {Editor's introduction}, author = {Smith, Ann}, year = 2001,
  journal = {Journal of Things}}
@inproceedings{smith2002intro, title = {Editor's Introduction}, author = {Ann Smith and Bo Li},
  year = 2002, booktitle = {Proceedings of Stuff}, doi = {10.1000/stuff.1}}
"""


def test_duplicates_page_merges_a_pair_field_by_field(page: Page, server: LiveServer) -> None:
    server.import_bibtex(LOOK_ALIKES)
    page.reload()
    link = page.get_by_role("link", name=re.compile("Possible duplicates"))
    expect(link).to_contain_text("1")
    link.click()
    pair = page.get_by_role("article", name=re.compile("Pair"))
    expect(pair).to_contain_text("same title, years 2001 and 2002, both by Smith")
    authors = pair.locator('tr[data-field="authors"]')
    authors.get_by_label(re.compile("Ann Smith; Bo Li")).check()
    # The DOI is empty on the first paper: the second one's is chosen already.
    expect(pair.locator('tr[data-field="doi"]').get_by_label("10.1000/stuff.1")).to_be_checked()
    pair.get_by_role("button", name="Merge").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Merged into smith2001intro; also cited as smith2002intro"
    )
    expect(page.get_by_text("No possible duplicates.")).to_be_visible()
    papers = server.get("/api/papers")["items"]
    assert len(papers) == 1
    merged = papers[0]
    assert merged["aliases"] == ["smith2002intro"]
    assert merged["doi"] == "10.1000/stuff.1" and merged["venue"] == "Journal of Things"
    assert [a["family"] for a in merged["authors"]] == ["Smith", "Li"]
    page.get_by_role("link", name="Open the paper").click()
    expect(page.get_by_role("heading", level=1, name="Editor's introduction")).to_be_visible()


def test_a_save_during_an_import_waits_and_lands(
    tmp_path: Path, arxiv: FakeArxiv, context: BrowserContext, template_db: Path
) -> None:
    """The server answers 503 while another writer holds the library (a long import, here a
    held write lock): the editor says it saves after the import, keeps the text, retries."""
    env = {"LITREVIEW_BUSY_TIMEOUT": "0.2"}  # the server gives up on the lock at once
    with live_server(tmp_path, arxiv, env=env, template=template_db) as server:
        paper = server.add_paper("Annotated during an import")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server.url}/#/paper/{paper['id']}")
        editor = page.get_by_label("Annotation", exact=True)
        expect(editor).to_be_enabled()
        answers: list[int] = []
        page.on(
            "response", lambda r: answers.append(r.status) if r.request.method == "PUT" else None
        )
        importer = sqlite3.connect(server.db_path)
        try:
            importer.execute("BEGIN IMMEDIATE")  # holds the write lock, as an import's writing
            editor.fill("Typed while the import runs.")
            editor.press("Control+s")
            state = page.locator(".save-state")
            expect(state).to_have_text("Saving after the import finishes…")
            expect(editor).to_have_value("Typed while the import runs.")
            expect(page.locator("#message")).to_be_hidden()  # no error is shown
            editor.press("End")
            editor.type(" More.")  # typing goes on while the save waits
        finally:
            importer.rollback()
            importer.close()
        expect(state).to_have_text("Saved", timeout=15_000)
        path = f"/api/papers/{paper['id']}/annotation"
        assert server.get(path)["markdown"] == "Typed while the import runs. More."
        assert 503 in answers and answers[-1] == 200
        assert errors == []


def test_a_stale_paper_field_uses_the_one_conflict_dialog(page: Page, server: LiveServer) -> None:
    paper = server.add_paper("Rated in two places")
    open_paper_by_id(page, server, paper["id"])
    # Behind the browser's back the same field changes.
    server.send(
        "PATCH", f"/api/papers/{paper['id']}", {"version": paper["version"], "status": "read"}
    )
    page.locator("#paper-status").select_option("skimmed")
    dialog = page.get_by_role("dialog", name="This paper was changed elsewhere")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Your text")).to_have_value("status: skimmed")
    expect(dialog.get_by_label("Their text (saved)")).to_have_value("status: read")
    assert server.get(f"/api/papers/{paper['id']}")["status"] == "read"  # nothing overwritten
    dialog.get_by_role("button", name="Take theirs").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#paper-status")).to_have_value("read")
    assert server.get(f"/api/papers/{paper['id']}")["status"] == "read"


def test_a_rating_and_a_tag_given_together_are_sent_in_order_and_both_kept(
    page: Page, server: LiveServer
) -> None:
    """Each write bumps the paper's version; the page sends its own writes one after another."""
    paper = server.add_paper("Rated and tagged at once")
    open_paper_by_id(page, server, paper["id"])
    held = HeldRequests(page, f"**/api/papers/{paper['id']}")
    seen: list[str] = []

    def note(what: str, request: Request) -> None:
        if request.method != "GET" and "/api/papers/" in request.url:
            seen.append(f"{what} {request.method}")

    page.on("request", lambda request: note("send", request))
    page.on("response", lambda response: note("answer", response.request))
    side = page.get_by_role("complementary", name="Paper details")
    side.get_by_label("Rating").select_option("4")
    held.wait_for_one()  # the rating's PATCH
    assert len(held.routes) == 1
    tag_input = side.get_by_label("Add a tag")
    tag_input.fill("adversarial")
    tag_input.press("Enter")
    held.release()
    expect(side.get_by_role("button", name="Remove tag adversarial")).to_be_visible()
    assert seen == ["send PATCH", "answer PATCH", "send PUT", "answer PUT"]
    stored = server.get(f"/api/papers/{paper['id']}")
    assert stored["rating"] == 4 and stored["tags"] == ["adversarial"]
