"""The table and matrix views (web/table.html) in a real browser against ``litreview serve``."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from test_web_ui import arxiv, browser, context, server  # noqa: F401  (shared fixtures)
from web_support import HeldRequests, LiveServer, page_answers

pytestmark = pytest.mark.browser


@pytest.fixture
def table_page(context: BrowserContext, server: LiveServer) -> Iterator[Page]:  # noqa: F811
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert errors == []


def open_table(page: Page, server: LiveServer) -> None:  # noqa: F811
    page.goto(f"{server.url}/static/table.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def cell(page: Page, row: int, column: str) -> Any:
    """The grid cell of a row (from 0, in display order) in the column titled ``column``."""
    header = page.locator(".tabulator-col", has_text=column).first
    field = header.get_attribute("tabulator-field")
    return page.locator(".tabulator-row").nth(row).locator(f'[tabulator-field="{field}"]')


def fields_of(server: LiveServer, paper_id: int) -> dict[str, Any]:  # noqa: F811
    fields: dict[str, Any] = server.get(f"/api/papers/{paper_id}")["fields"]
    return fields


def test_create_a_column_and_edit_cells_with_the_keyboard(
    table_page: Page,
    server: LiveServer,  # noqa: F811
) -> None:
    first = server.add_paper("Scaling laws", year=2020)
    second = server.add_paper("Reward hacking", year=2022)
    page = table_page
    open_table(page, server)
    page.get_by_text("New column").click()
    page.get_by_label("Name").fill("Params")
    page.get_by_label("Type").select_option("number")
    page.get_by_role("button", name="Create column").click()
    expect(page.locator(".tabulator-col", has_text="Params")).to_be_visible()
    cell(page, 0, "Params").click()
    page.keyboard.type("175")
    page.keyboard.press("Enter")
    expect(cell(page, 0, "Params")).to_have_text("175")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.type("0.1 to 0.3")
    page.keyboard.press("Enter")
    expect(cell(page, 1, "Params")).to_have_text("0.1732 (0.1 to 0.3)")
    assert fields_of(server, first["id"]) == {"Params": 175}
    assert fields_of(server, second["id"])["Params"]["low"] == 0.1
    # Escape leaves a value as it was.
    cell(page, 0, "Params").click()
    page.keyboard.type("9")
    page.keyboard.press("Escape")
    expect(cell(page, 0, "Params")).to_have_text("175")


def test_two_cells_of_a_row_typed_quickly_are_saved_in_order(
    table_page: Page,
    server: LiveServer,  # noqa: F811
) -> None:
    """The second cell's PATCH waits for the first's answer and sends the version it left."""
    paper = server.add_paper("Scaling laws", year=2020)
    for name in ("Params", "Tokens"):
        server.send("POST", "/api/columns", {"name": name, "type": "number"})
    page = table_page
    open_table(page, server)
    held = HeldRequests(page, f"**/api/papers/{paper['id']}")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.method) if r.method == "PATCH" else None)
    cell(page, 0, "Params").click()
    page.keyboard.type("175")
    page.keyboard.press("Enter")
    held.wait_for_one()  # the first cell's PATCH
    cell(page, 0, "Tokens").click()
    page.keyboard.type("300")
    page.keyboard.press("Enter")
    assert sent == ["PATCH"]  # the second waits its turn
    held.release()
    expect(cell(page, 0, "Tokens")).to_have_text("300")
    assert _eventually(lambda: fields_of(server, paper["id"]).get("Tokens")) == 300
    assert fields_of(server, paper["id"]) == {"Params": 175, "Tokens": 300}


def test_paste_a_block_sort_filter_and_save_a_view(
    table_page: Page,
    server: LiveServer,  # noqa: F811
) -> None:
    server.send("POST", "/api/columns", {"name": "Method", "type": "text"})
    server.send("POST", "/api/columns", {"name": "Size", "type": "number"})
    ids = [server.add_paper(title)["id"] for title in ("Alpha", "Beta", "Gamma")]
    page = table_page
    open_table(page, server)
    cell(page, 0, "Method").click()
    page.evaluate(
        """() => {
        const data = new DataTransfer();
        data.setData("text/plain", "RLHF\\t7\\nSFT\\t70\\nDPO\\t1.5");
        const target = document.querySelector(".tabulator-cell.tabulator-range-selected")
          || document.querySelector(".tabulator-tableholder");
        target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
    }"""
    )
    expect(cell(page, 2, "Size")).to_have_text("1.5")
    for paper_id, method, size in zip(ids, ("RLHF", "SFT", "DPO"), (7, 70, 1.5), strict=True):
        assert _eventually(lambda p=paper_id: fields_of(server, p)) == {
            "Method": method,
            "Size": size,
        }
    # Sort by Size (its header's sort arrow, by the server): smallest first, then largest.
    arrow = page.locator(".tabulator-col", has_text="Size").locator(".tabulator-col-sorter")
    arrow.click()
    expect(cell(page, 0, "Title")).to_have_text("Gamma")
    arrow.click()
    expect(cell(page, 0, "Title")).to_have_text("Beta")
    page.locator(".tabulator-col", has_text="Method").locator("input").press_sequentially("sf")
    expect(page.locator(".tabulator-row")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept("SFT papers"))
    page.get_by_role("button", name="Save view…").click()
    expect(page.locator("#view-select")).to_contain_text("SFT papers")
    views = server.get("/api/views")["items"]
    assert views[0]["name"] == "SFT papers"
    assert {"field": views[0]["spec"]["filters"][0]["field"], "value": "sf"} in views[0]["spec"][
        "filters"
    ]
    assert views[0]["spec"]["sort"][0]["dir"] == "desc"
    # The CSV export is what the grid shows: the header filter goes with it.
    expect(page.locator("#export-csv")).to_have_attribute(
        "href", re.compile(r"field=Method%3Acontains%3Asf")
    )


def test_every_column_the_grid_shows_sorts_on_the_server(
    table_page: Page,
    server: LiveServer,  # noqa: F811
) -> None:
    """Key, status, tags and areas sort by their header as title, year and rating do: the
    server's paper query orders the pages (tags and areas by a paper's first one, papers
    without any last)."""
    zoology = server.send("POST", "/api/areas", {"name": "Zoology"})
    alignment = server.send("POST", "/api/areas", {"name": "Alignment"})
    server.add_paper("Alpha", tags=["zeta"], area_ids=[zoology["id"]], status="read")
    server.add_paper("Beta", tags=["alpha", "omega"], status="unread")
    server.add_paper("Gamma", area_ids=[alignment["id"]], status="skimmed")
    by_key = [p["title"] for p in server.get("/api/papers", sort="key", order="asc")["items"]]
    page = table_page
    open_table(page, server)
    titles = page.locator('.tabulator-row [tabulator-field="title"]')
    expected = {
        "Key": (by_key, by_key[::-1]),
        "Status": (["Alpha", "Gamma", "Beta"], ["Beta", "Gamma", "Alpha"]),
        "Tags": (["Beta", "Alpha", "Gamma"], ["Alpha", "Beta", "Gamma"]),
        "Areas": (["Gamma", "Alpha", "Beta"], ["Alpha", "Gamma", "Beta"]),
    }
    for column, (up, down) in expected.items():
        header = page.locator(".tabulator-col", has_text=column).first
        arrow = header.locator(".tabulator-col-sorter")
        with page.expect_response(re.compile(r"/api/papers\?.*sort=")) as answer:
            arrow.click()
        assert f"sort={column.lower()}" in answer.value.url
        expect(titles).to_have_text(up)
        arrow.click()
        expect(titles).to_have_text(down)


def _eventually(read: Any, tries: int = 100) -> Any:
    """What ``read()`` gives once it gives something, asked every 0.1 s for 10 s at most (the
    browser's saves go on meanwhile: it is another process); else its last answer."""
    value = read()
    for _ in range(tries):
        if value:
            return value
        time.sleep(0.1)
        value = read()
    return value


LEVELS = ["Model", "Training", "Agent", "Multi-agent", "Institution", "Society"]
TIMES = ["Design", "Training", "Deployment", "Monitoring"]


def test_a_6x4_matrix_files_a_paper_into_a_cell_and_exports(
    table_page: Page,
    server: LiveServer,  # noqa: F811
) -> None:
    server.send("POST", "/api/columns", {"name": "Level", "type": "choice", "options": LEVELS})
    server.send("POST", "/api/columns", {"name": "When", "type": "choice", "options": TIMES})
    filed = server.add_paper("Circuit breakers")
    loose = server.add_paper("Red teaming at scale")
    server.send(
        "PATCH",
        f"/api/papers/{filed['id']}",
        {"version": filed["version"], "fields": {"Level": "Model", "When": "Training"}},
    )
    page = table_page
    open_table(page, server)
    page.get_by_role("button", name="Matrix").click()
    page.locator("#matrix-rows").select_option("column:Level")
    page.locator("#matrix-cols").select_option("column:When")
    cells = page.locator("#matrix td.cell")
    expect(cells).to_have_count(24)
    model_training = page.locator('#matrix td[data-row="Model"][data-col="Training"]')
    expect(model_training).to_have_text("1")
    # Shaded by count; an empty cell is blank on screen and says 0 to a screen reader. Read in
    # the page in one go: the two dimension picks each draw the matrix, and a cell found by the
    # first draw is detached by the second (its style then reads "").
    shade = """() => getComputedStyle(document.querySelector(
        '#matrix td[data-row="Model"][data-col="Training"]')).getPropertyValue('--shade')"""
    assert page_answers(page, shade, "100%") == "100%"
    empty = page.locator('#matrix td[data-row="Agent"][data-col="Design"]')
    expect(empty).to_have_text("")
    expect(empty).to_have_attribute("aria-label", "Agent × Design: 0 papers")
    model_training.click()
    expect(page.locator("#matrix-cell")).to_contain_text("Circuit breakers")
    page.get_by_role("button", name="Matrix").click()  # back to the list of unfiled papers
    page.locator("#matrix-rows").select_option("column:Level")
    page.locator("#matrix-cols").select_option("column:When")
    target = page.locator('#matrix td[data-row="Agent"][data-col="Deployment"]')
    page.locator(f'#matrix-cell li[data-id="{loose["id"]}"]').drag_to(target)
    expect(target).to_have_text("1")
    assert fields_of(server, loose["id"]) == {"Level": "Agent", "When": "Deployment"}
    page.get_by_role("button", name="Markdown table").click()
    expect(page.locator("#matrix-md")).to_have_value(re.compile(r"^\| Level \|"))
    markdown = page.locator("#matrix-md").input_value()
    assert markdown.splitlines()[0] == "| Level | Design | Training | Deployment | Monitoring |"
    assert "[Red teaming at scale](" in markdown.splitlines()[4]


def test_export_the_table_as_csv(table_page: Page, server: LiveServer) -> None:  # noqa: F811
    server.send("POST", "/api/columns", {"name": "Stage", "type": "text"})
    paper = server.add_paper("Sleeper agents", year=2024)
    server.send(
        "PATCH", f"/api/papers/{paper['id']}", {"version": 1, "fields": {"Stage": "read twice"}}
    )
    page = table_page
    open_table(page, server)
    page.locator("#column-chooser summary").click()
    page.locator('#column-choices input[value="tags"]').uncheck()
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    header, row = text.splitlines()[:2]
    assert header == "key,title,year,status,rating,area,Stage"
    assert row.endswith(",Sleeper agents,2024,unread,,,read twice")


def test_the_table_opens_on_the_library_selection(
    table_page: Page,
    server: LiveServer,  # noqa: F811
) -> None:
    kept = server.add_paper("Scaling laws", year=2020, tags=["safety"])
    server.add_paper("Reward hacking", year=2022)
    page = table_page
    page.goto(f"{server.url}/#/?tag=safety")
    link = page.get_by_role("link", name="Table")
    expect(link).to_have_attribute("href", "/static/table.html?tag=safety")
    link.click()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#row-count")).to_have_text("1 of 1 papers")
    expect(cell(page, 0, "Title")).to_have_text(kept["title"])
    expect(page.locator("#export-csv")).to_have_attribute("href", re.compile(r"tag=safety"))


def test_the_grid_fits_the_window_and_follows_its_size(
    table_page: Page,
    server: LiveServer,  # noqa: F811
) -> None:
    """A spreadsheet takes the window: no page scroll hides the bar when the grid takes the
    keyboard, its last row is on screen, and it follows the window's size."""
    for n in range(40):
        server.add_paper(f"Paper {n:02d}", year=2000 + n)
    server.send("POST", "/api/areas", {"name": "A much longer area name than usual " * 3})
    page = table_page
    page.set_viewport_size({"width": 1200, "height": 800})
    open_table(page, server)
    expect(page.locator(".tabulator-row")).not_to_have_count(0)

    def fits(height: int) -> None:
        geometry = "() => [window.scrollY, document.querySelector('#grid').getBoundingClientRect()]"
        scrolled, grid = page.evaluate(geometry)
        assert scrolled == 0
        assert height - 40 <= grid["bottom"] <= height, (grid, height)

    fits(800)
    wide = page.evaluate("() => document.querySelector('#grid').getBoundingClientRect().width")
    assert wide > 1100  # not the reading width of the library's pages
    page.set_viewport_size({"width": 1000, "height": 640})
    bottom = "() => document.querySelector('#grid').getBoundingClientRect().bottom <= 640"
    assert page_answers(page, bottom, True)
    fits(640)
