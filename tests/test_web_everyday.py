"""Everyday use in a real browser: math typeset by KaTeX, web sources, the export dialog,
the relation picker by keyboard. Fixtures are those of tests/test_web_ui.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_web_ui
from playwright.sync_api import Page, Request, expect
from test_web_ui import open_paper
from web_support import LiveServer

pytestmark = pytest.mark.browser
# The browser, server and page fixtures of the main browser test module.
arxiv = test_web_ui.arxiv
browser = test_web_ui.browser
server = test_web_ui.server
context = test_web_ui.context
page = test_web_ui.page


def test_math_in_annotations_and_area_descriptions_is_typeset(
    page: Page, server: LiveServer
) -> None:
    area = server.send(
        "POST", "/api/areas", {"name": "Balls", "description": "Radius $$r > \\epsilon$$ here."}
    )
    paper = server.add_paper("Certified balls")
    server.send("PUT", f"/api/papers/{paper['id']}/areas/{area['id']}")
    server.annotate(paper["id"], "An $\\epsilon$-ball.\n\n$$\n\\sum_i x_i^2 \\le 1\n$$")
    page.reload()
    open_paper(page, "Certified balls")
    preview = page.locator("#annotation-preview")
    expect(preview.locator(".math.inline .katex")).to_have_count(1)
    expect(preview.locator(".math.block .katex-display")).to_have_count(1)
    tex = preview.locator(".math.inline annotation[encoding='application/x-tex']")
    expect(tex).to_have_text("\\epsilon")
    expect(preview).not_to_contain_text("$")
    # Typing new math re-renders the preview, typeset again.
    editor = page.get_by_label("Annotation", exact=True)
    editor.fill("Now $\\delta$ and \\(x<y\\).")
    expect(preview.locator(".katex")).to_have_count(2)
    page.locator("#area-tree").get_by_role("button", name=re.compile("^Balls")).click()
    description = page.locator("#area-description")
    expect(description.locator(".math.display .katex")).to_have_count(1)


def test_add_a_forum_post_by_hand_and_relate_it_by_keyboard(page: Page, server: LiveServer) -> None:
    server.add_paper("Latent adversarial training", authors=["Stephen Casper"], year=2024)
    server.add_paper("Latent attacks revisited", year=2023)
    page.reload()
    page.get_by_role("button", name="Add papers").click()
    dialog = page.get_by_role("dialog", name="Add papers")
    dialog.get_by_role("tab", name="Web source").click()
    form = dialog.get_by_role("tabpanel", name="Web source")
    form.get_by_label("Title").fill("LAT does not remove the capability")
    form.get_by_label("Kind").select_option(label="Forum post")
    form.get_by_label("Web address").fill("https://www.lesswrong.com/posts/xyz/lat-critique")
    form.get_by_label("Authors").fill("Jane Doe; Richard Roe")
    form.get_by_label("Date").fill("2024-05-02")
    form.get_by_label("Site").fill("LessWrong")
    form.get_by_role("button", name="Add web source").click()
    expect(form.locator("#web-results")).to_contain_text("Added LAT does not remove the capability")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    open_paper(page, "LAT does not remove the capability")
    expect(page.locator(".paper-meta")).to_contain_text("2024 · LessWrong · forum post")

    relations = page.get_by_role("region", name="Relations", exact=True)
    relations.get_by_label("Relation", exact=True).select_option("critiques")
    search = relations.get_by_label("Other paper")
    search.fill("latent")
    options = relations.locator("button.suggestion")
    expect(options).to_have_count(2)
    search.press("Escape")
    expect(options).to_have_count(0)
    expect(search).to_be_focused()
    search.fill("latent a")
    expect(options).to_have_count(2)
    search.press("ArrowDown")
    expect(options.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_be_focused()
    second = options.nth(1).locator(".suggestion-title").inner_text()
    page.keyboard.press("Enter")
    expect(relations.locator(".chosen")).to_have_text(f"Selected: {second}")
    expect(relations.get_by_label("Note")).to_be_focused()
    page.keyboard.type("the capability comes back")
    page.keyboard.press("Enter")
    expect(relations.locator(".relation")).to_contain_text("critiques")
    expect(relations.locator(".relation")).to_contain_text(second)

    post = server.get("/api/papers", q="capability")["items"][0]
    assert post["entry_type"] == "online" and post["date"] == "2024-05-02"
    bib = server.client.get("/api/export", params={"format": "bibtex"}).text
    assert "entrysubtype = {forum-post}" in bib


def test_a_change_from_elsewhere_waits_while_a_suggestion_is_chosen(
    page: Page, server: LiveServer
) -> None:
    """A live change redraws the open paper, but not under a focused suggestion: on two busy
    workers the page's own import once arrived late and took the keyboard's place in the list."""
    paper = server.add_paper("Latent adversarial training", year=2024)
    server.add_paper("Latent attacks revisited", year=2023)
    server.send("POST", "/api/areas", {"name": "Robustness"})
    page.reload()
    open_paper(page, "Latent adversarial training")
    relations = page.get_by_role("region", name="Relations", exact=True)
    search = relations.get_by_label("Other paper")
    search.fill("attacks")
    options = relations.locator("button.suggestion")
    expect(options).to_have_count(1)
    search.press("ArrowDown")
    expect(options.nth(0)).to_be_focused()

    def reread(request: Request) -> bool:  # the paper, or its annotation, read after the event
        return request.method == "GET" and f"/api/papers/{paper['id']}" in request.url

    with page.expect_request_finished(reread):
        server.send(
            "PATCH", f"/api/papers/{paper['id']}", {"version": paper["version"], "status": "read"}
        )
    page.evaluate("() => new Promise((done) => setTimeout(done, 100))")  # the answer is handled
    expect(options.nth(0)).to_be_focused()
    expect(search).to_have_value("attacks")
    expect(page.locator("#paper-status")).to_have_value("unread")  # not redrawn yet
    page.keyboard.press("Enter")
    expect(relations.locator(".chosen")).to_have_text("Selected: Latent attacks revisited")
    relations.get_by_role("button", name="Add relation").click()
    expect(relations.locator(".relation")).to_contain_text("Latent attacks revisited")
    # Nothing is being typed now: the next change from elsewhere redraws the paper.
    server.send("PUT", f"/api/papers/{paper['id']}/tags/robustness")
    expect(page.locator("#paper-status")).to_have_value("read")
    expect(page.get_by_role("button", name="Remove tag robustness")).to_be_visible()
    # An area picked and not yet assigned is kept through a change from elsewhere too.
    side = page.get_by_role("complementary", name="Paper details")
    side.get_by_label("Assign to area").select_option(label="Robustness")
    with page.expect_request_finished(reread):
        server.send("PUT", f"/api/papers/{paper['id']}/tags/adversarial")
    page.evaluate("() => new Promise((done) => setTimeout(done, 100))")
    side.get_by_role("button", name="Assign").click()
    expect(side.get_by_role("button", name="Remove from area Robustness")).to_be_visible()


def test_a_change_from_elsewhere_keeps_the_keyboard_where_it_was(
    page: Page, server: LiveServer
) -> None:
    """The redraw of the open paper keeps the focus on the button or field that had it: in CI
    a note's own move came back as a live change and took the focus off its "Move down"."""
    paper = server.add_paper("Latent adversarial training", year=2024, tags=["robustness"])
    for text in ("First, a quote.", "Then a question?"):
        server.send("POST", f"/api/papers/{paper['id']}/notes", {"kind": "note", "markdown": text})
    page.reload()
    open_paper(page, "Latent adversarial training")
    notes = page.get_by_role("region", name="Notes")
    status = page.locator("#paper-status")
    path = f"/api/papers/{paper['id']}"

    def change_elsewhere(value: str) -> None:
        server.send("PATCH", path, {"version": server.get(path)["version"], "status": value})
        expect(status).to_have_value(value)  # the view is redrawn

    move_down = notes.get_by_role("button", name=re.compile("^Move down note “First"))
    move_down.focus()
    change_elsewhere("to_read")
    expect(move_down).to_be_focused()
    remove_tag = page.get_by_role("button", name="Remove tag robustness")
    remove_tag.focus()
    change_elsewhere("read")
    expect(remove_tag).to_be_focused()
    # The annotation being written keeps the keyboard and its text.
    annotation = page.get_by_label("Annotation", exact=True)
    annotation.click()
    annotation.press_sequentially("Half a sent")
    change_elsewhere("skimmed")
    expect(annotation).to_be_focused()
    annotation.press_sequentially("ence.")
    expect(annotation).to_have_value("Half a sentence.")
    # Moving by keyboard: the moved note keeps the focus through its own live change.
    move_down.focus()
    page.keyboard.press("Enter")
    expect(notes.locator(".note").nth(1)).to_contain_text("First, a quote.")
    move_up = notes.get_by_role("button", name=re.compile("^Move up note “First"))
    expect(move_up).to_be_focused()
    change_elsewhere("read")
    expect(move_up).to_be_focused()


def test_export_dialog_with_a_title_and_without_private_tags(
    page: Page, server: LiveServer
) -> None:
    server.add_paper("Latent adversarial training", tags=["LAT", "to-check"])
    page.reload()
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")
    dialog.get_by_label("Title").fill("LAT: an annotated bibliography")
    dialog.get_by_label("Introduction (Markdown)").fill("Papers on *latent* attacks.")
    dialog.get_by_text("Private tags", exact=True).click()
    dialog.locator("#private-tag-list").get_by_label("to-check").check()
    expect(dialog.get_by_label("Not private")).to_be_enabled()
    dialog.get_by_label("Not private").check()
    with page.expect_download() as download_info:
        dialog.get_by_role("link", name="Download").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# LAT: an annotated bibliography\n")
    assert "Papers on *latent* attacks." in text
    assert "LAT" in text.split("Latent adversarial training", 1)[1]
    assert "to-check" not in text
    tags = {t["name"]: t["private"] for t in server.get("/api/tags")["items"]}
    assert tags == {"LAT": False, "to-check": True}
    dialog.get_by_label("None", exact=True).check()
    with page.expect_download() as download_info:
        dialog.get_by_role("link", name="Download").click()
    assert "*Tags:*" not in Path(download_info.value.path()).read_text(encoding="utf-8")


def test_an_area_chip_keeps_its_name_whole_above_its_stance(page: Page, server: LiveServer) -> None:
    """Squeezed beside its stance select, "Adversarial examples" broke inside a word; and a
    long provenance file name ran out of its card."""
    entry = b"@article{notbugs, title = {Adversarial examples are not bugs}}"
    name_of_file = "alignment_newsletter_database_exported_in_full.bib"
    server.client.post(
        "/api/import/bibtex", files={"file": (name_of_file, entry)}
    ).raise_for_status()
    [paper] = server.get("/api/papers")["items"]
    area = server.send("POST", "/api/areas", {"name": "Adversarial examples"})
    server.send("PUT", f"/api/papers/{paper['id']}/areas/{area['id']}")
    page.reload()
    open_paper(page, "Adversarial examples are not bugs")
    side = page.get_by_role("complementary", name="Paper details")
    expect(side.locator(".area-chip span").first).to_have_text("Adversarial examples")
    # Measured in one go: a live redraw of the paper (the import and the filing above come back
    # over /api/events) between two reads would leave the second on a detached element.
    found = page.evaluate(
        """() => {
        const side = document.querySelector(".paper-side");
        const name = side.querySelector(".area-chip span");
        const box = (el) => el.getBoundingClientRect();
        const card = box(side.querySelector(".provenance"));
        return {
          line: parseFloat(getComputedStyle(name).lineHeight),
          name: box(name).height,
          stance: box(side.querySelector(".area-chip select")),
          remove: box(side.querySelector(".area-chip .chip-remove")),
          cardRight: card.right,
          rights: [...side.querySelectorAll(".provenance li")]
            .map((li) => box(li).left + li.scrollWidth),
        };
      }"""
    )
    assert found["name"] < 1.5 * found["line"]  # one line
    stance, remove = found["stance"], found["remove"]
    assert stance["y"] <= remove["y"] + remove["height"] / 2 <= stance["y"] + stance["height"]
    assert found["rights"] and all(right <= found["cardRight"] + 1 for right in found["rights"])


def test_a_long_tag_name_wraps_inside_the_sidebar(page: Page, server: LiveServer) -> None:
    long_tag = "a-very-long-working-tag-name-" * 4
    server.add_paper("Tagged at length", tags=[long_tag])
    page.reload()
    pill = page.locator("#tag-cloud .tag").first
    expect(pill).to_contain_text(long_tag)
    sidebar = page.locator("#sidebar")
    pill_box, side_box = pill.bounding_box(), sidebar.bounding_box()
    assert pill_box and side_box
    assert pill_box["x"] + pill_box["width"] <= side_box["x"] + side_box["width"] + 1
    assert pill_box["height"] > 30  # wrapped onto more than one line
