"""Markdown to sanitised HTML, for annotations and area descriptions.

markdown-it-py renders CommonMark (plus tables and strikethrough) with raw HTML switched off, so
``<script>`` typed into an annotation comes out as text; nh3 then cleans the result anyway, so
nothing that can run survives: no script or style elements, no event-handler attributes, no
``javascript:`` or ``data:`` URLs. Every link gets ``rel="noopener noreferrer"``.

Math (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``, amsmath environments) is parsed by
mdit-py-plugins and kept as its TeX source, escaped, in ``<span class="math inline">`` or
``<div class="math block">``; the browser typesets those with KaTeX (web/js/math.js). Currency
("$5 and $10") stays text: a ``$`` next to a digit or a space does not open or close math.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from litreview.errors import Conflict, PayloadTooLarge

# An annotation or note is at most this long (a long review is ~50,000 characters) ...
MAX_MARKDOWN_CHARS = 200_000
# ... and renders within this time: some short texts ("[" repeated) take markdown-it
# quadratic time; 1 M characters of them took minutes.
MAX_RENDER_SECONDS = 2.0
LINK_REL = "noopener noreferrer"
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "blockquote",
        "br",
        "code",
        "del",
        "div",
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
        "span",
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
# The only classes a span or div may carry: math for KaTeX to typeset.
MATH_CLASSES = {"span": {"math", "inline", "display"}, "div": {"math", "block"}}
# Every token the math plugins make -> the element that keeps its source: inline math, display
# math within a paragraph (``$$a$$`` in a sentence), display math on lines of its own.
_INLINE = '<span class="math inline">{}</span>'
_DISPLAY_IN_TEXT = '<span class="math display">{}</span>'
_BLOCK = '<div class="math block">{}</div>\n'
MATH_TOKENS = {
    "math_inline": _INLINE,
    "math_inline_double": _DISPLAY_IN_TEXT,
    "math_block": _BLOCK,
    "math_block_label": _BLOCK,
    "math_block_eqno": _BLOCK,
    "amsmath": _BLOCK,
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def _render_math(
    self: RendererProtocol,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    return MATH_TOKENS[token.type].format(escapeHtml(token.content.strip()))


def _past_deadline(env: Any) -> None:
    deadline = env.get("deadline") if isinstance(env, dict) else None
    if deadline is not None and time.monotonic() > deadline:
        raise PayloadTooLarge(
            f"the text takes longer than {MAX_RENDER_SECONDS:g} s to render; shorten or"
            " simplify it (long runs of brackets, backticks or table rows)",
            field="markdown",
        )


def _deadline_block(state: StateBlock, _start: int, _end: int, _silent: bool) -> bool:
    _past_deadline(state.env)
    return False  # never matches: only checks the clock before each block rule runs


def _deadline_inline(state: StateInline, _silent: bool) -> bool:
    _past_deadline(state.env)
    return False  # ... and before each position's inline rules


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )
    dollarmath_plugin(
        md, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True
    )
    texmath_plugin(md, delimiters="brackets")
    amsmath_plugin(md)
    for name in MATH_TOKENS:
        md.add_render_rule(name, _render_math)
    md.block.ruler.before("table", "deadline", _deadline_block)
    md.inline.ruler.before("text", "deadline", _deadline_inline)
    return md


_MD = _markdown()


def check_markdown(markdown: str, *, field: str = "markdown") -> None:
    """Refuse (413) text over :data:`MAX_MARKDOWN_CHARS` or slower than
    :data:`MAX_RENDER_SECONDS` to render; what passes is rendered (and cached) already."""
    if len(markdown) > MAX_MARKDOWN_CHARS:
        raise PayloadTooLarge(
            f"the text is longer than {MAX_MARKDOWN_CHARS:,} characters", field=field
        )
    _render(markdown)


def sanitize_html(html: str) -> str:
    """HTML cleaned to the allowed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in MATH_CLASSES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


@lru_cache(maxsize=512)
def _render(markdown: str) -> str:
    if not markdown.strip():
        return ""
    env = {"deadline": time.monotonic() + MAX_RENDER_SECONDS}
    return sanitize_html(_MD.render(markdown, env))


@lru_cache(maxsize=64)
def render_markdown(markdown: str) -> str:
    """The sanitised HTML of ``markdown`` (the same text renders to the same HTML).

    Stored text that is too long or too slow to render (it came in before the limits, or
    through an import) is shown as escaped plain text, so that it never blocks a read."""
    try:
        if len(markdown) > MAX_MARKDOWN_CHARS:
            raise PayloadTooLarge("too long")
        return _render(markdown)
    except PayloadTooLarge:
        return f"<pre>{html.escape(markdown)}</pre>"


def with_current_html(conflict: Conflict) -> Conflict:
    """A stale save's conflict, with the current text (``current_markdown``) also rendered, so
    an editor can show what changed elsewhere."""
    markdown = conflict.details.get("current_markdown")
    if isinstance(markdown, str):
        conflict.details["current_html"] = render_markdown(markdown)
    return conflict
