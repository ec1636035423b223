"""Markdown text pieces an export builds on: escaping, anchors, safe links, contained blocks.

User Markdown (annotations, area descriptions, an introduction) is embedded as written, with
repairs so that it can neither break the document around it nor run script where the document
is published (pandoc, a static-site generator, a browser's Markdown viewer): raw HTML is shown
as text, as the UI shows it (every ``<`` outside code becomes ``&lt;``, but for autolinks to
http(s) and mailto); headings inside it become bold paragraphs (they would otherwise join the
document's outline); and a block left open at its end (an unclosed code fence) is closed, or,
when that does not work, the whole text is shown as a code block. A last check parses the result
as a CommonMark renderer with HTML on would: any raw HTML left, or a link or image whose target
is not http(s), mailto or an in-document anchor (``javascript:``, ``data:``, a file ...), and the
text is shown as a code block instead.
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
_LINK_SCHEMES = ("http", "https")
_SAFE_TARGET = re.compile(r"^(?:https?://|mailto:|#)", re.I)
_SAFE_AUTOLINK = re.compile(
    r"<(?:(?:https?://|mailto:)[^\s<>]*"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)>",
    re.I,
)
_BACKTICKS = re.compile(r"`+")
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


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Block structure only: the inline rules (emphasis, links ...) are never needed here.
    return MarkdownIt("commonmark").disable("inline")


@lru_cache(maxsize=1)
def _full_parser() -> MarkdownIt:
    # What a publisher's renderer sees: CommonMark with raw HTML on, plus tables.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


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
        text = escape_raw_html(text)
    if text.strip() and _HAZARD.search(text):
        tokens = _tokens(text)
        if not keep_headings:
            text = _neutralise_headings(text, tokens)
        text = _closed(text, tokens) if _leaks(tokens) else text
    return text if is_inert(text) else as_code_block(text)


def escape_raw_html(text: str) -> str:
    """Every ``<`` outside code as ``&lt;`` (so no raw HTML), but for safe autolinks."""
    code_lines: set[int] = set()
    for token in _parser().parse(text):
        if token.type in ("fence", "code_block") and token.map is not None:
            code_lines.update(range(*token.map))
    lines = text.split("\n")
    return "\n".join(
        line if i in code_lines or "<" not in line else _escape_line(line)
        for i, line in enumerate(lines)
    )


def _escape_line(line: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            out.append(line[i : i + 2])
            i += 2
        elif char == "`":
            run = _BACKTICKS.match(line, i)
            assert run is not None
            closing = _closing_run(line, run.end(), len(run.group()))
            end = closing if closing is not None else run.end()
            out.append(line[i:end])
            i = end
        elif char == "<":
            link = _SAFE_AUTOLINK.match(line, i)
            out.append(link.group() if link else "&lt;")
            i = link.end() if link else i + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _closing_run(line: str, start: int, length: int) -> int | None:
    """The end of the next run of exactly ``length`` backticks (a code span's end), if any."""
    for run in _BACKTICKS.finditer(line, start):
        if len(run.group()) == length:
            return run.end()
    return None


def is_inert(markdown: str) -> bool:
    """True when ``markdown`` holds no raw HTML and no link or image to a target other than
    http(s), mailto or an anchor, as a CommonMark renderer with HTML on reads it."""
    return _plainly_inert(markdown) or _parsed_inert(markdown)


def _parsed_inert(markdown: str) -> bool:
    """:func:`is_inert` by parsing ``markdown`` as a renderer would."""
    # A link definition is document-wide: another paper's text could use it (``[y][x]``). Those
    # markdown-it takes are in ``env``; those it refuses (``javascript:``) stay text that a
    # renderer accepting any scheme (pandoc) would take as a definition.
    env: dict[str, dict[str, dict[str, str]]] = {}
    stack = list(_full_parser().parse(markdown, env))
    targets = [ref.get("href", "") for ref in env.get("references", {}).values()]
    while stack:
        token = stack.pop()
        if token.type in ("html_block", "html_inline"):
            return False
        if token.type == "inline":
            targets.extend(_DEFINITION.findall(token.content))
        target = token.attrGet("href") if token.type == "link_open" else None
        target = token.attrGet("src") if token.type == "image" else target
        if target is not None:
            targets.append(str(target))
        stack.extend(token.children or ())
    return all(_SAFE_TARGET.match(target.strip()) for target in targets)


# A line that reads as a link definition, and its target.
_DEFINITION = re.compile(r"^[ >]*\[[^\]]+\]:\s*<?(\S*)", re.M)
# Where a link or image target can begin: an inline link's ``](`` or a definition's ``]:``.
_TARGET_STARTS = re.compile(r"\]\(\s*(\S*)|\]:\s*(\S*)")


def _plainly_inert(markdown: str) -> bool:
    """True for text that cannot hold raw HTML or an unsafe target, seen without parsing it:
    no ``<`` at all, and every place a link target could begin starts a safe one. (Most
    annotations; parsing each one in full was four fifths of a large export.)"""
    if "<" in markdown:
        return False
    return all(
        _SAFE_TARGET.match(inline or definition)
        for inline, definition in _TARGET_STARTS.findall(markdown)
    )


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
