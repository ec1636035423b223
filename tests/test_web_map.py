"""The map page and area order in a real browser: draw a link by dragging, an enables cycle
refused and shown, open an area from the map, download the SVG, reorder siblings in the sidebar,
a paper's relation graph, suggestions accepted from the list; and the Mermaid export parsed by
Mermaid's own parser (vendored under tests/vendor, not shipped)."""

# ruff: noqa: F811

from __future__ import annotations

import base64
import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

# The browser, server and page fixtures of the UI tests (ruff sees their use as redefinition).
from test_web_ui import arxiv, browser, context, page, server  # noqa: F401
from web_support import LiveServer

pytestmark = pytest.mark.browser

MERMAID = Path(__file__).parent / "vendor" / "mermaid-11.12.3" / "mermaid.min.js"


def make_areas(server: LiveServer, *names: str) -> dict[str, int]:
    ids = {}
    for name in names:
        ids[name] = server.send("POST", "/api/areas", {"name": name})["id"]
    return ids


def node(page: Page, area_id: int) -> Locator:
    return page.locator(f'#map-svg .map-node[data-area-id="{area_id}"]')


def open_map(page: Page, server: LiveServer) -> None:
    """Load the map page afresh (its areas were made behind the page's back).

    A whole new load, not a fragment move and a reload: under CI load the reload once went to
    the address before the move (the library drew instead of the map).
    """
    page.goto("about:blank")
    page.goto(server.url + "/#/map")
    expect(page).to_have_url(server.url + "/#/map")


def drag(page: Page, source_id: int, target_id: int) -> None:
    start = node(page, source_id).bounding_box()
    end = node(page, target_id).bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 20, start["y"] + start["height"] / 2 + 10)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=5)
    page.mouse.up()


def test_draw_a_link_by_dragging_and_an_enables_cycle_is_refused(
    page: Page, server: LiveServer
) -> None:
    ids = make_areas(server, "Circuit discovery", "Capability removal", "Scoping models down")
    a, b, c = ids.values()
    server.send("POST", "/api/area-links", {"source_id": a, "target_id": b, "relation": "enables"})
    page.reload()
    page.get_by_role("link", name="Map").click()
    expect(node(page, c)).to_be_visible()
    expect(page.locator("#map-svg .map-edge.link-enables")).to_have_count(1)
    drag(page, b, c)
    expect(page.locator("#map-status")).to_contain_text(
        "Linked: Capability removal enables Scoping models down"
    )
    expect(page.locator("#map-svg .map-edge.link-enables")).to_have_count(2)
    drag(page, c, a)
    status = page.locator("#map-status")
    expect(status).to_contain_text("Refused")
    expect(status).to_contain_text(
        "Scoping models down -> Circuit discovery -> Capability removal -> Scoping models down"
    )
    expect(page.locator("#map-svg .map-node.in-cycle")).to_have_count(3)
    assert len(server.get("/api/area-links")["items"]) == 2
    # Another type may close a loop.
    page.get_by_label("Draw links as").select_option("related")
    drag(page, c, a)
    expect(page.locator("#map-svg .map-edge.link-related")).to_have_count(1)


def test_open_an_area_from_the_map_and_download_svg(page: Page, server: LiveServer) -> None:
    ids = make_areas(server, "Interpretability", "Robustness")
    server.add_paper("A paper on probes", area_ids=[ids["Interpretability"]])
    open_map(page, server)
    expect(node(page, ids["Interpretability"])).to_contain_text("1 paper")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download SVG").click()
    saved = Path(waiting.value.path())
    text = saved.read_text(encoding="utf-8")
    assert waiting.value.suggested_filename == "research-map.svg"
    assert text.startswith("<svg") and "Interpretability" in text and "Robustness" in text
    node(page, ids["Interpretability"]).click()
    expect(page.get_by_role("heading", level=1, name="Interpretability")).to_be_visible()
    expect(page.locator("#results .paper-row")).to_have_count(1)


def test_reorder_siblings_in_the_sidebar(page: Page, server: LiveServer) -> None:
    make_areas(server, "First", "Second", "Third")
    page.reload()
    tree = page.locator("#area-tree .area-link .area-name")
    expect(tree).to_have_text(["All papers", "First", "Second", "Third"])
    third = page.locator("#area-tree .area-link", has_text="Third")
    third.drag_to(page.locator("#area-tree .area-link", has_text="First"))
    expect(tree).to_have_text(["All papers", "Third", "First", "Second"])
    page.locator("#area-tree .area-link", has_text="First").press("Alt+ArrowUp")
    expect(tree).to_have_text(["All papers", "First", "Third", "Second"])
    names = [n["name"] for n in server.get("/api/areas")["items"]]
    assert names == ["First", "Third", "Second"]


def test_mermaid_export_is_parsed_by_mermaid(browser: Browser, server: LiveServer) -> None:
    ids = make_areas(
        server, 'Evil "quote" [x] --> y <b onclick=alert(1)>bold #35; `tick` &amp;', "Plain"
    )
    first, second = ids.values()
    server.send("PATCH", f"/api/areas/{first}", {"status": "stalled"})
    server.send(
        "POST", "/api/area-links", {"source_id": first, "target_id": second, "relation": "enables"}
    )
    text = server.client.get("/api/export", params={"format": "mermaid"}).text
    markdown = server.client.get("/api/export", params={"format": "markdown", "with_map": "true"})
    fenced = markdown.text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert fenced == text
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(path=str(MERMAID))
        page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
        parse = (
            "async (t) => { try { await mermaid.parse(t); return 'ok'; }"
            " catch (e) { return String(e.message || e); } }"
        )
        assert page.evaluate(parse, text) == "ok"
        # The parser does catch a broken diagram: an unescaped quote ends the label.
        assert page.evaluate(parse, 'flowchart TB\n    n1["a "b" c"]\n') != "ok"
        shown = page.evaluate(
            """async (t) => {
                const box = document.createElement("div");
                box.innerHTML = (await mermaid.render("m", t)).svg;
                document.body.append(box);
                return {markup: box.querySelectorAll("b, [onclick]").length, text: box.textContent};
            }""",
            text,
        )
        # The hostile name is shown as text; none of it became markup.
        assert shown["markup"] == 0
        assert '"quote" [x] --> y <b onclick=alert(1)>bold #35; `tick` &amp;' in shown["text"]
    finally:
        page.close()


def test_relation_graph_and_suggestions_on_the_paper_page(page: Page, server: LiveServer) -> None:
    critique = server.add_paper("Circuits are not monosemantic")
    target = server.add_paper("Attribution patching finds circuits", doi="10.1000/patching")
    server.send(
        "POST",
        f"/api/papers/{critique['id']}/relations",
        {"target_id": target["id"], "relation": "critiques"},
    )
    server.add_paper("A comment", abstract="Comment on doi:10.1000/patching, which we doubt.")
    page.reload()
    count = page.locator("#open-suggestions .suggestion-count")
    expect(count).to_have_text("1")
    page.get_by_role("button", name="Suggestions").click()
    dialog = page.get_by_role("dialog", name="Suggested relations")
    expect(dialog).to_contain_text("A comment")
    expect(dialog).to_contain_text("critiques")
    dialog.get_by_role("button", name="Accept").click()
    expect(dialog).to_contain_text("No suggestions waiting")
    expect(count).to_have_text("0")
    dialog.get_by_role("button", name="Close").click()
    page.get_by_role("link", name="Attribution patching finds circuits").click()
    graph = page.locator(".relation-graph")
    expect(graph.locator(".graph-paper")).to_have_count(3)
    expect(graph).to_contain_text("Circuits are not monosemantic")


def test_a_papers_stance_in_an_area(page: Page, server: LiveServer) -> None:
    area = make_areas(server, "Circuit discovery")["Circuit discovery"]
    paper = server.add_paper("Attribution patching finds circuits", area_ids=[area])
    page.reload()
    page.get_by_role("link", name="Attribution patching finds circuits").click()
    with page.expect_response(lambda r: r.request.method == "PUT" and "/areas/" in r.url):
        page.get_by_label("Stance in Circuit discovery").select_option("supports")
    expect(page.get_by_label("Stance in Circuit discovery")).to_have_value("supports")
    placed = server.get(f"/api/papers/{paper['id']}")["areas"]
    assert placed[0]["stance"] == "supports"


def test_download_png_under_the_apps_csp(page: Page, browser: Browser, server: LiveServer) -> None:
    ids = make_areas(server, "Circuit discovery", "Capability removal")
    a, b = ids.values()
    server.send("POST", "/api/area-links", {"source_id": a, "target_id": b, "relation": "enables"})
    open_map(page, server)
    expect(node(page, b)).to_be_visible()
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download PNG").click()
    assert waiting.value.suggested_filename == "research-map.png"
    data = Path(waiting.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    # Twice the drawing's size: two areas side by side or one above the other, with margins.
    assert 400 <= width <= 2000 and 200 <= height <= 2000, (width, height)
    # Decoded in a page of its own: the areas' fills and the link's blue are in it, not a blank.
    viewer = browser.new_page()
    try:
        colours = viewer.evaluate(
            """async (b64) => {
                const image = new Image();
                image.src = "data:image/png;base64," + b64;
                await image.decode();
                const canvas = document.createElement("canvas");
                canvas.width = image.width;
                canvas.height = image.height;
                const context = canvas.getContext("2d");
                context.drawImage(image, 0, 0);
                const pixels = context.getImageData(0, 0, image.width, image.height).data;
                const seen = new Set();
                for (let i = 0; i < pixels.length; i += 4) {
                    seen.add(`${pixels[i]},${pixels[i + 1]},${pixels[i + 2]}`);
                }
                return {white: seen.has("255,255,255"), blue: seen.has("21,101,192"),
                        count: seen.size};
            }""",
            base64.b64encode(data).decode(),
        )
    finally:
        viewer.close()
    assert colours["white"] and colours["blue"] and colours["count"] > 20, colours


def test_map_shows_a_chosen_area_column_and_hops_around_an_area(
    page: Page, server: LiveServer
) -> None:
    ids = make_areas(server, "Probes", "Circuits", "Editing", "Removal", "Elsewhere")
    chain = list(ids.values())[:4]
    for source, target in itertools.pairwise(chain):
        server.send(
            "POST",
            "/api/area-links",
            {"source_id": source, "target_id": target, "relation": "enables"},
        )
    for name in ("P success", "Impact"):
        server.send("POST", "/api/columns", {"name": name, "type": "number", "target": "area"})
    server.send(
        "POST",
        "/api/columns",
        {"name": "BOTEC", "type": "number", "target": "area", "formula": "p_success * impact"},
    )
    area = next(a for a in server.get("/api/areas")["items"] if a["id"] == ids["Probes"])
    fields = {"P success": "0.1 to 0.3", "Impact": 100}
    server.send(
        "PATCH", f"/api/areas/{ids['Probes']}", {"fields": fields, "version": area["version"]}
    )
    open_map(page, server)
    expect(page.locator("#map-svg .map-node")).to_have_count(5)
    page.get_by_label("Column shown on areas").select_option("BOTEC")
    probes = node(page, ids["Probes"])
    botec = next(n for n in server.get("/api/map")["nodes"] if n["id"] == ids["Probes"])
    median, low, high = (botec["fields"]["BOTEC"][k] for k in ("median", "low", "high"))
    assert 10 <= low < median < high <= 31  # 0.1 to 0.3 times 100
    expect(probes).to_contain_text(f"BOTEC: {median:.3g} ({low:.3g}–{high:.3g})")
    expect(node(page, ids["Circuits"])).not_to_contain_text("BOTEC")
    # One hop around Circuits: itself, Probes before it and Editing after it.
    page.get_by_label("Around").select_option(label="Circuits")
    page.get_by_label("Hops").fill("1")
    page.get_by_label("Hops").dispatch_event("change")
    shown = page.locator("#map-svg .map-node")
    expect(shown).to_have_count(3)
    expect(node(page, ids["Removal"])).to_have_count(0)
    page.get_by_label("Hops").fill("2")
    page.get_by_label("Hops").dispatch_event("change")
    expect(shown).to_have_count(4)
    expect(node(page, ids["Elsewhere"])).to_have_count(0)
    expect(probes).to_contain_text(f"BOTEC: {median:.3g}")


def test_remove_a_link_from_the_map(page: Page, server: LiveServer) -> None:
    ids = make_areas(server, "Circuit discovery", "Capability removal")
    a, b = ids.values()
    link = server.send(
        "POST", "/api/area-links", {"source_id": a, "target_id": b, "relation": "applies_to"}
    )
    open_map(page, server)
    edge = page.locator(f'#map-svg .map-edge.link[data-link-id="{link["id"]}"]')
    expect(edge).to_have_attribute(
        "aria-label", "Link: Circuit discovery applies to Capability removal"
    )
    page.once("dialog", lambda dialog: dialog.dismiss())
    edge.focus()
    page.keyboard.press("Delete")
    expect(edge).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    edge.locator("path").last.click(force=True)
    expect(page.locator("#map-status")).to_contain_text("Removed: Circuit discovery applies to")
    expect(page.locator("#map-svg .map-edge.link")).to_have_count(0)
    assert server.get("/api/area-links")["items"] == []


def test_deleting_an_area_says_first_what_happens_to_its_sub_areas(
    page: Page, server: LiveServer
) -> None:
    circuits = server.send("POST", "/api/areas", {"name": "Circuits"})["id"]
    for name in ("Attribution patching", "ACDC"):
        server.send("POST", "/api/areas", {"name": name, "parent_id": circuits})
    evals = server.send("POST", "/api/areas", {"name": "Evals"})["id"]
    server.send("POST", "/api/areas", {"name": "Sandbagging", "parent_id": evals})
    server.add_paper("Attribution patching finds circuits", area_ids=[circuits])
    page.reload()
    page.get_by_role("button", name="Areas", exact=True).click()
    dialog = page.get_by_role("dialog", name="Research areas")
    listing = dialog.locator("#areas-manage-list")
    # The browser's confirm() boxes, answered in turn; what each said is kept.
    answers: list[bool] = []
    said: list[str] = []

    def reply(confirm: Dialog) -> None:
        said.append(confirm.message)
        if answers.pop(0):
            confirm.accept()
        else:
            confirm.dismiss()

    page.on("dialog", reply)

    def delete(name: str, *choices: bool) -> None:
        said.clear()
        answers.extend(choices)
        listing.get_by_role("button", name=re.compile(f"^{name}")).click()
        dialog.get_by_role("button", name="Delete area").click()

    # Told both choices first; cancelling both changes nothing.
    delete("Circuits", False, False)
    for _ in range(200):  # the two boxes come after the plan's round trip
        if len(said) == 2:
            break
        page.wait_for_timeout(50)
    assert "removes 1 paper placement(s) there; its 2 sub-area(s) move up one level" in said[0]
    assert "OK: lift the sub-areas" in said[0]
    assert "and its 2 sub-area(s) with their" in said[1]
    assert "OK: delete the whole subtree" in said[1]
    assert server.area_id("Circuits/ACDC") > 0
    # Lift: the sub-areas move up a level; the paper stays in the library.
    delete("Circuits", True)
    expect(page.locator("#message")).to_contain_text("Area deleted.")
    assert server.area_id("ACDC") > 0 and server.area_id("Attribution patching") > 0
    assert server.get("/api/papers")["total"] == 1
    # Delete the whole subtree.
    delete("Evals", False, True)
    expect(listing).not_to_contain_text("Sandbagging")
    paths = [a["path"] for a in server.get("/api/areas")["items"]]
    assert sorted(paths) == ["ACDC", "Attribution patching"]


def view_of(page: Page) -> tuple[float, float, float]:
    """The map's pan (x, y) and zoom (k), from its viewport's transform."""
    transform = page.locator("#map-viewport").get_attribute("transform") or ""
    found = re.fullmatch(r"translate\(([-\d.e]+),([-\d.e]+)\) scale\(([-\d.e]+)\)", transform)
    assert found is not None, transform
    x, y, k = (float(v) for v in found.groups())
    return x, y, k


def test_tree_edges_links_status_colours_pan_and_zoom(page: Page, server: LiveServer) -> None:
    ids = make_areas(server, "Circuit discovery", "Capability removal")
    child = server.send(
        "POST", "/api/areas", {"name": "Sparse autoencoders", "parent_id": ids["Circuit discovery"]}
    )["id"]
    server.send("PATCH", f"/api/areas/{ids['Circuit discovery']}", {"status": "promising"})
    server.send("PATCH", f"/api/areas/{ids['Capability removal']}", {"status": "stalled"})
    server.send(
        "POST",
        "/api/area-links",
        {"source_id": child, "target_id": ids["Capability removal"], "relation": "enables"},
    )
    open_map(page, server)
    expect(page.locator("#map-svg .map-node")).to_have_count(3)
    # A tree edge is a plain grey line; a link is coloured, with an arrow and its type.
    tree = page.locator("#map-svg .map-edge.tree")
    expect(tree).to_have_count(1)
    assert tree.get_attribute("marker-end") is None
    line = page.locator("#map-svg .map-edge.link-enables path[marker-end]")
    expect(line).to_have_count(1)
    assert line.get_attribute("stroke") != tree.get_attribute("stroke")
    expect(page.locator("#map-svg .map-edge.link-enables text")).to_have_text("enables")
    # Nodes coloured by status.
    fills = {
        status: page.locator(f'#map-svg .map-node[data-status="{status}"] rect').get_attribute(
            "fill"
        )
        for status in ("promising", "stalled", "open")
    }
    assert len(set(fills.values())) == 3, fills
    # Zoom with the buttons and the wheel, pan by dragging the background.
    x, y, k = view_of(page)
    page.get_by_role("button", name="Zoom in").click()
    assert view_of(page)[2] == pytest.approx(min(4, k * 1.25))
    page.get_by_role("button", name="Zoom out").click()
    assert view_of(page)[2] == pytest.approx(k)
    box = page.locator("#map-svg").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.wheel(0, -100)
    expect(page.locator("#map-viewport")).not_to_have_attribute(
        "transform", f"translate({x},{y}) scale({k})"
    )
    x, y, k2 = view_of(page)
    assert k2 > k
    before = node(page, child).bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 45, box["y"] + 35, steps=4)
    page.mouse.up()
    assert view_of(page) == pytest.approx((x + 40, y + 30, k2))
    after = node(page, child).bounding_box()
    assert before is not None and after is not None
    assert (after["x"] - before["x"], after["y"] - before["y"]) == pytest.approx((40, 30), abs=1)


def test_many_unlinked_areas_are_laid_in_rows_and_stay_readable(
    page: Page, server: LiveServer
) -> None:
    """Forty top-level areas and no links (the Alignment Newsletter's categories) drew as one
    strip, fitted to 0.2 of their size; they are laid in rows, and a linked pair stays together."""
    ids = make_areas(server, *(f"Category {n:02d}" for n in range(40)))
    server.send(
        "POST",
        "/api/area-links",
        {"source_id": ids["Category 07"], "target_id": ids["Category 31"], "relation": "enables"},
    )
    open_map(page, server)
    expect(page.locator("#map-svg .map-node")).to_have_count(40)
    _, _, k = view_of(page)
    assert k >= 0.5
    boxes = [node(page, i).bounding_box() for i in ids.values()]
    assert all(box is not None for box in boxes)
    rows = {round(box["y"]) for box in boxes if box is not None}
    assert len(rows) >= 4
    # No two areas overlap, and the linked pair is drawn one above the other.
    for a, b in itertools.combinations([box for box in boxes if box is not None], 2):
        apart = (
            a["x"] + a["width"] <= b["x"]
            or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"]
            or b["y"] + b["height"] <= a["y"]
        )
        assert apart, (a, b)
    above = node(page, ids["Category 07"]).bounding_box()
    below = node(page, ids["Category 31"]).bounding_box()
    assert above is not None and below is not None
    assert above["y"] + above["height"] < below["y"]
    assert abs(above["x"] - below["x"]) < above["width"]
