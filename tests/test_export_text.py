"""Markdown pieces of the exports: escaping, links, anchors, embedding user Markdown; templates."""

from __future__ import annotations

import pytest
from export_library import build_library
from markdown_it import MarkdownIt
from sqlmodel import Session

from litreview.errors import InvalidInput
from litreview.exporters import get_format, mdtext
from litreview.exporters.mdtext import (
    Anchors,
    anchor_base,
    contained_block,
    escape_inline,
    escape_line_start,
    is_inert,
    safe_url,
)
from litreview.library.export import ExportOptions, TemplateSource, load_export
from litreview.query import PaperFilter

MD = MarkdownIt("commonmark")
SENTINEL = "after the block"


def plain(markdown: str) -> str:
    """The text of a one-paragraph document, as a reader sees it."""
    tokens = MD.parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], markdown
    children = tokens[1].children or []
    assert all(c.type == "text" for c in children), [c.type for c in children]
    return "".join(c.content for c in children)


@pytest.mark.parametrize(
    "text",
    [
        "*not emphasis* and _nor this_",
        "[not a link](http://x) ![nor an image](y)",
        "<b>not html</b> &amp; &#42; & plain",
        "`not code` ~~not struck~~ | a | pipe |",
        "C# and #hashtag and closing ##",
        "back\\slash\\",
        "Ünïcödé — “quotes” 🙂",
    ],
)
def test_escaped_text_reads_as_itself(text: str) -> None:
    assert plain(escape_inline(text)) == text


@pytest.mark.parametrize("text", ["- dash", "+ plus", "= equals", "2017. Year", "3) three"])
def test_line_starts_that_would_make_blocks_are_escaped(text: str) -> None:
    assert plain(escape_line_start(escape_inline(text))) == text


def test_safe_urls() -> None:
    assert safe_url("https://example.org/a b(c)") == "https://example.org/a%20b%28c%29"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("HTTP://EXAMPLE.ORG") == "HTTP://EXAMPLE.ORG"
    assert safe_url("") is None


def test_anchors_are_ascii_and_unique() -> None:
    assert anchor_base("müller2024critique", lower=False) == "muller2024critique"
    assert anchor_base("Adversarial training/Latent", lower=True) == "adversarial-training-latent"
    anchors = Anchors()
    assert [anchors.claim("a", "x"), anchors.claim("a", "x"), anchors.claim("", "x")] == [
        "a",
        "a-2",
        "x",
    ]


def stays_contained(markdown: str) -> str:
    """The block, checked: text after it is still a paragraph of its own."""
    block = contained_block(markdown)
    tokens = MD.parse(f"{block}\n\n{SENTINEL}\n")
    assert tokens[-2].content == SENTINEL and tokens[-3].level == 0, block
    assert not any(t.type == "heading_open" for t in tokens), block
    return block


@pytest.mark.parametrize(
    "markdown",
    [
        "```\nunclosed fence",
        "~~~~ python\nunclosed tilde fence\n~~~",
        "<!-- unclosed comment",
        "<pre>\nunclosed pre",
        "<?php unclosed",
        "<![CDATA[ unclosed",
        "# ATX heading\ntext right after",
        "Setext\n===",
        "> # heading in a quote\n> text",
        "- # heading in a list\n  text",
        "plain text with a #hash",
    ],
)
def test_user_markdown_is_contained(markdown: str) -> None:
    stays_contained(markdown)


def test_headings_become_bold_paragraphs_in_their_container() -> None:
    assert contained_block("# Title ##\ntext") == "**Title**\n\ntext"
    assert contained_block("> # Quoted\n> more") == "> **Quoted**\n>\n> more"
    assert contained_block("Two\nlines\n---") == "**Two lines**"


def test_text_without_hazards_is_untouched() -> None:
    text = "Some *Markdown* with a [link](https://x.org) and `code`.\n\n- a\n- b"
    assert contained_block(text) == text


HOSTILE = [
    'x <script>alert(1)</script> <img src=x onerror="y()">',
    '<img src="x"/onerror=alert(1)>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1)) and ![i](data:image/svg+xml,<svg onload=alert(1)>)",
    '<a href="javascript:alert(1)">x</a>',
    "<javascript:alert(1)>",
    "\\`<img src=x onerror=alert(1)>`",
    "`a` <svg/onload=alert(1)> `b`",
    "[x]: javascript:alert(1)\n\n[y][x]",
    "[x]: javascript:alert(1)",  # used by another paper's text: [y][x]
    "> [x]: vbscript:alert(1)",
    "[x]: ftp://example.org/file",
    "<!-- open comment\n\n<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_raw_html_and_script_links_are_shown_as_text(text: str) -> None:
    block = contained_block(text)
    assert is_inert(block)
    html = MarkdownIt("commonmark", {"html": True}).render(block)
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert 'href="javascript' not in html.lower() and 'src="data' not in html.lower()


SAFE = [
    "plain words, *emphasis* and `code`",
    "[a](https://example.org) and ![i](https://example.org/i.png) and [b](#sec)",
    "[a]: https://example.org\n\n[b][a] and [c](mailto:x@y.z)",
    "a ] ( b ]: c",
]


@pytest.mark.parametrize("text", HOSTILE + SAFE)
def test_the_quick_check_never_passes_what_the_parse_refuses(text: str) -> None:
    # Text the quick check passes without parsing must be text the parse passes too.
    assert not mdtext._plainly_inert(text) or mdtext._parsed_inert(text)
    if text in SAFE:
        assert is_inert(text)


def test_raw_html_shows_as_text_as_in_the_ui_and_safe_markdown_is_kept() -> None:
    kept = MD.render(contained_block("<sub>2</sub> and <details>ok</details>"))
    assert "&lt;sub&gt;2&lt;/sub&gt;" in kept  # as text, as the UI shows it
    text = "`<b>` in code, <https://example.org>, <me@example.org>, [a](#sec), [b](mailto:x@y.z)"
    assert contained_block(text) == text
    fenced = "```html\n<script>shown()</script>\n```"
    assert contained_block(fenced) == fenced


# --- templates ----------------------------------------------------------------------------

TEMPLATE = """\
# {{ title | md }}
{% for section in document.walk() %}
{{ "#" * (section.depth + 2) }} {{ section.name | md }}
{% for placed in section.entries %}
- [{{ placed.entry.title | md }}](#{{ placed.entry.anchor }}) {{ placed.entry.short }}
{% endfor %}
{% endfor %}
"""


def template_export(session: Session, text: str, name: str = "my.md.j2") -> str:
    options = ExportOptions(title="Mine", template=TemplateSource(name, text))
    return get_format("markdown").render(load_export(session, PaperFilter(), options))


def test_a_template_gets_the_model_of_the_built_in_layout(session: Session) -> None:
    build_library(session)
    text = template_export(session, TEMPLATE)
    assert text.startswith("# Mine\n## Adversarial training\n- [Towards Deep Learning")
    assert "- [A critique of \\*latent\\* adversarial training" in text
    assert "(Madry et al., 2017)" not in text and "Madry et al., 2017" in text
    assert "## Other\n- [Attention Is All You Need](#vaswani2017attention) Vaswani, 2017\n" in text
    assert template_export(session, "{{ builtin() }}") == get_format("markdown").render(
        load_export(session, PaperFilter(), ExportOptions(title="Mine"))
    )


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("line one\n{% for x in %}\n", "my.md.j2:2", "template my.md.j2:2: "),
        ("ok\nok\n{{ nothing_here }}\n", "my.md.j2:3", "'nothing_here' is undefined"),
        ("{{ 1 // 0 }}", "my.md.j2:1", "ZeroDivisionError"),
        ("\n{{ title.__class__.__mro__ }}", "my.md.j2:2", "__class__"),
        ("{{ document.walk.__globals__ }}", "my.md.j2:1", "__globals__"),
    ],
)
def test_template_errors_name_the_file_and_line(
    session: Session, text: str, where: str, what: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        template_export(session, text)
    assert where in caught.value.message
    assert what in caught.value.message
