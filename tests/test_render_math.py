"""Math in user Markdown: parsed on the server into escaped TeX source for KaTeX, never script,
and exported as written."""

from __future__ import annotations

import pytest
from api_helpers import add_area, add_paper
from fastapi.testclient import TestClient

from litreview.render import render_markdown, sanitize_html

EPSILON = "An $\\epsilon$-ball of radius $r$ around $x$."


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        (EPSILON, '<span class="math inline">\\epsilon</span>-ball'),
        ("$$\n\\sum_i x_i < 1\n$$", '<div class="math block">\\sum_i x_i &lt; 1</div>'),
        ("so \\(a<b\\) holds", 'so <span class="math inline">a&lt;b</span> holds'),
        ("\\[\nx^2\n\\]", '<div class="math block">x^2</div>'),
        ("see $$a+b$$ here", 'see <span class="math display">a+b</span> here'),
        (
            "\\begin{align}\na &= b\n\\end{align}",
            '<div class="math block">\\begin{align}\na &amp;= b\n\\end{align}</div>',
        ),
    ],
)
def test_every_delimiter_becomes_math_source(markdown: str, html: str) -> None:
    assert html in render_markdown(markdown)


@pytest.mark.parametrize(
    "markdown",
    ["it costs $5 and $10", "a $ sign and another $ sign", "`$x$` is code", "\\$x\\$ escaped"],
)
def test_currency_code_and_escaped_dollars_stay_text(markdown: str) -> None:
    assert "math" not in render_markdown(markdown)


def test_math_source_is_escaped_and_the_sanitiser_keeps_only_math_classes() -> None:
    html = render_markdown("$<script>alert(1)</script>$ and $$<img src=x onerror=alert(2)>$$")
    assert "<script" not in html and "<img" not in html
    assert '<span class="math inline">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in html
    cleaned = sanitize_html(
        '<span class="math inline evil" onclick="x()" style="color:red">a</span>'
        '<div class="math block other" id="y">b</div><div class="banner">c</div>'
    )
    assert cleaned.startswith('<span class="math inline">a</span><div class="math block">b</div>')
    assert "banner" not in cleaned and "evil" not in cleaned and "onclick" not in cleaned


def test_annotations_notes_and_area_descriptions_carry_math(client: TestClient) -> None:
    paper = add_paper(client)
    saved = client.put(
        f"/api/papers/{paper['id']}/annotation", json={"markdown": EPSILON, "version": 0}
    ).json()
    assert '<span class="math inline">\\epsilon</span>' in saved["html"]
    area = add_area(client, "Robustness", description="Balls: $$B_\\epsilon(x)$$")
    areas = client.get("/api/areas").json()
    described = next(a for a in areas["items"] if a["id"] == area["id"])
    assert '<span class="math display">B_\\epsilon(x)</span>' in described["description_html"]


def test_markdown_export_keeps_math_as_written(client: TestClient) -> None:
    paper = add_paper(client, "Balls")
    block = "$$\n\\|x - x'\\|_\\infty \\le \\epsilon\n$$"
    text = f"{EPSILON}\n\n{block}\n\nAnd \\(a_1 * b_2\\)."
    client.put(f"/api/papers/{paper['id']}/annotation", json={"markdown": text, "version": 0})
    exported = client.get("/api/export", params={"format": "markdown"})
    assert exported.status_code == 200
    assert EPSILON in exported.text
    assert block in exported.text
    assert "And \\(a_1 * b_2\\)." in exported.text
