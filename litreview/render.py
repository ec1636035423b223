"""Markdown to sanitised HTML, for annotations and area descriptions.

markdown-it-py renders CommonMark (plus tables and strikethrough) with raw HTML switched off, so
``<script>`` typed into an annotation comes out as text; nh3 then cleans the result anyway, so
nothing that can run survives: no script or style elements, no event-handler attributes, no
``javascript:`` or ``data:`` URLs. Every link gets ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from litreview.errors import Conflict, PayloadTooLarge

MAX_MARKDOWN_CHARS = 1_000_000
LINK_REL = "noopener noreferrer"
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
    "code": {"class"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


_MD = _markdown()


def check_size(markdown: str, *, field: str = "markdown") -> None:
    """Refuse text over :data:`MAX_MARKDOWN_CHARS` (413)."""
    if len(markdown) > MAX_MARKDOWN_CHARS:
        raise PayloadTooLarge(
            f"the text is longer than {MAX_MARKDOWN_CHARS:,} characters", field=field
        )


def sanitize_html(html: str) -> str:
    """HTML cleaned to the allowed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


@lru_cache(maxsize=512)
def render_markdown(markdown: str) -> str:
    """The sanitised HTML of ``markdown`` (the same text renders to the same HTML)."""
    check_size(markdown)
    if not markdown.strip():
        return ""
    return sanitize_html(_MD.render(markdown))


def with_current_html(conflict: Conflict) -> Conflict:
    """A stale save's conflict, with the current text (``current_markdown``) also rendered, so
    an editor can show what changed elsewhere."""
    markdown = conflict.details.get("current_markdown")
    if isinstance(markdown, str):
        conflict.details["current_html"] = render_markdown(markdown)
    return conflict
