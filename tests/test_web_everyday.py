"""Everyday use in a real browser: math typeset by KaTeX, web sources, the export dialog,
the relation picker by keyboard. Fixtures are those of tests/test_web_ui.py."""

from __future__ import annotations

import re

import pytest
import test_web_ui
from playwright.sync_api import Page, expect
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
