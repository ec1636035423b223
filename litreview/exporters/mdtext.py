"""Markdown text pieces an export builds on: escaping, anchors, safe links, contained blocks.

User Markdown (annotations, area descriptions, an introduction) is embedded as written, with
three repairs so that it can neither break the document around it nor run script where the
document is published: raw HTML that could run script (``<script>``, ``<iframe>``, ``on...=``
handlers ...) is shown as text; headings inside it become bold paragraphs (they would otherwise
join the document's outline); and a block left open at its end (an unclosed code fence, an
unterminated ``<!--`` or ``<pre>``) is closed, or, when that does not work, the whole text is
shown as a code block.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_INLINE_ESCAPES = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>#~|"})
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}[.)])")
_URL_UNSAFE = re.compile(r"[\s()<>\\\"'`]")
_LINK_SCHEMES = ("http", "https", "ftp")
# Lines that may start a heading, a fence or an HTML block: only texts with one are parsed.
_HAZARD = re.compile(
    r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?:#|=+[ \t]*$|-+[ \t]*$|```|~~~|<)", re.M
)
_SENTINEL = "litreview0sentinel0paragraph"
_HTML_CLOSERS = (
    ("<!--", "-->"),
    ("<?", "?>"),
    ("<![CDATA[", "]]>"),
    ("<!", ">"),
)
_RAW_TAGS = re.compile(r"<(script|pre|style|textarea)\b", re.I)
# Raw HTML that would run script where the Markdown is published: shown as text instead.
_DANGEROUS_HTML = re.compile(
    r"<(?=/?(?:script|style|iframe|frame|frameset|object|embed|applet|link|meta|base|form|svg"
    r"|math)\b)|<(?=[A-Za-z][^<>]*\son[a-z]+\s*=)",
    re.I,
)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Block structure only: the inline rules (emphasis, links ...) are never needed here.
    return MarkdownIt("commonmark").disable("inline")


@lru_cache(maxsize=65536)  # names, tags and venues recur across a bibliography
def escape_inline(text: str) -> str:
    """Plain text (a title, a venue, a name) as Markdown that shows exactly that text."""
    text = " ".join(text.split()).translate(_INLINE_ESCAPES)
    return _ENTITY.sub(r"\\&", text) if "&" in text else text


def escape_line_start(text: str) -> str:
    """Escaped text that may begin a line: a leading ``-``, ``+``, ``=`` or ``1.`` is escaped."""
    found = _LINE_START.match(text)
    if found is None:
        return text
    return f"{text[: found.end() - 1]}\\{text[found.end() - 1 :]}"


def safe_url(url: str | None) -> str | None:
    """A link destination for ``url`` (http, https, ftp only), with unsafe characters encoded."""
    if not url:
        return None
    url = url.strip()
    scheme = url.split(":", 1)[0].lower()
    if scheme not in _LINK_SCHEMES or "://" not in url:
        return None
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


def anchor_base(text: str, *, lower: bool) -> str:
    """An HTML id made of ASCII letters, digits and ``_.:-`` (accents folded, others as ``-``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9_.:-]+", "-", folded).strip("-.:")
    return base.lower() if lower else base


class Anchors:
    """Unique ids in one document: the first claim of a base gets it, later ones ``-2``, ``-3``."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, base: str, fallback: str) -> str:
        base = base or fallback
        anchor, n = base, 1
        while anchor in self._taken:
            n += 1
            anchor = f"{base}-{n}"
        self._taken.add(anchor)
        return anchor


def contained_block(markdown: str, *, keep_headings: bool = False) -> str:
    """User Markdown made safe to embed between other blocks (see the module docstring)."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if "<" in text:
        text = _DANGEROUS_HTML.sub("&lt;", text)
    if not text.strip() or not _HAZARD.search(text):
        return text
    tokens = _tokens(text)
    if not keep_headings:
        text = _neutralise_headings(text, tokens)
    return _closed(text, tokens) if _leaks(tokens) else text


def _tokens(text: str) -> list[Token]:
    return _parser().parse(f"{text}\n\n{_SENTINEL}\n")


def _leaks(tokens: list[Token]) -> bool:
    """True when the sentinel paragraph after the text did not come out as its own paragraph."""
    tail = tokens[-3:]
    return not (
        len(tail) == 3
        and tail[0].type == "paragraph_open"
        and tail[0].level == 0
        and tail[1].content == _SENTINEL
    )


def _neutralise_headings(text: str, tokens: list[Token]) -> str:
    lines = text.split("\n")
    headings = [
        (tok, tokens[i + 1].content)
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.map is not None
    ]
    for tok, content in reversed(headings):
        assert tok.map is not None
        start, end = tok.map
        end = min(end, len(lines))
        first = lines[start]
        if tok.markup.startswith("#"):
            prefix = first[: first.index("#")]
        else:
            head = content.split("\n", 1)[0]
            at = first.find(head)
            prefix = first[:at] if at >= 0 else ""
        words = " ".join(content.split())
        bold = words if (not words or "**" in words or words.endswith("\\")) else f"**{words}**"
        replacement = [prefix + bold]
        if end < len(lines) and lines[end].strip():
            replacement.append(re.sub(r"[^>]", "", prefix))
        lines[start:end] = replacement
    return "\n".join(lines)


def _closed(text: str, tokens: list[Token]) -> str:
    """``text`` with the block left open at its end closed (``tokens``: its parse)."""
    opener = next(
        (t for t in reversed(tokens) if t.level == 0 and not t.type.endswith("_close")), None
    )
    closer = _closer_for(opener) if opener is not None else None
    if closer is not None:
        repaired = f"{text}\n{closer}"
        if not _leaks(_tokens(repaired)):
            return repaired
    return as_code_block(text)


def _closer_for(token: Token) -> str | None:
    if token.type == "fence":
        return token.markup
    if token.type == "html_block":
        start = token.content.lstrip()
        raw = _RAW_TAGS.match(start)
        if raw:
            return f"</{raw.group(1)}>"
        return next((close for open_, close in _HTML_CLOSERS if start.startswith(open_)), None)
    return None


def as_code_block(text: str) -> str:
    """Text shown verbatim: a fenced code block with a fence longer than any inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"
