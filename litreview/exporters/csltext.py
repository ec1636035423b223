"""CSL-JSON text: a BibTeX title as citeproc should read it.

citeproc reads a small markup in CSL text (``<span class="nocase">``, straight quotes as quotation
marks) and changes the case of titles: it title-cases English titles for styles such as Chicago and
expects them stored in sentence case (what pandoc and Better BibTeX give it). So a title taken from
LaTeX is written with:

- its brace-protected words (``{NASA}``, ``{{Making}}``) as ``nocase`` spans;
- ``\\mkbibquote{..}`` and ``\\enquote{..}`` as quotation marks;
- math (``$1S$``) kept as it is, and sub- and superscript digits as ``<sub>``/``<sup>``;
- a LaTeX straight quote ``"`` kept literal (a one-character ``nocase`` span, so citeproc does
  not turn it into a quotation mark) and ``'`` as LaTeX prints it (a right single quote);
- in English, words in sentence case: a capitalised word that does not start the title or a
  sentence (after ``.``, ``?``, ``!`` or ``:``) is lowercased, as citeproc's own sentence case does
  (a lower-case word is left as it is: citeproc capitalises where a style wants it). Words with
  inner capitals or digits (``ImageNet``, ``GPT4``), all-capital words and protected words are
  left alone. Only titles from BibTeX are changed so: there, braces protect what must keep its
  capitals (BibTeX styles lowercase titles too); a title from arXiv or typed in has no such
  guards and is written as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litreview.importers.latex import (
    END_MARK,
    SUB_MARK,
    SUP_MARK,
    is_symbol_command,
    latex_to_unicode,
    unmarked,
)

NOCASE = '<span class="nocase">{}</span>'
# Commands whose argument biblatex prints in quotation marks.
_QUOTING = frozenset({"mkbibquote", "enquote"})
_COMMAND_BEFORE = re.compile(r"\\([A-Za-z]+)\*?\s*$|\\[^A-Za-z]$")
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_SENTENCE_END = frozenset(".?!:")
_WORD_BREAK = frozenset("-/\u2013\u2014")


@dataclass
class Piece:
    """A run of a title's text: protected from case changes or not, quoted or not."""

    text: str
    protected: bool = False
    quoted: bool = False


def title_pieces(title: str, original: object) -> list[Piece]:
    """The title in pieces, from its LaTeX input when that still decodes to ``title``."""
    if not isinstance(original, str) or ("{" not in original and "$" not in original):
        return [Piece(title)]
    pieces: list[Piece] = []
    depth, start, group = 0, 0, ""
    i = 0
    while i < len(original):
        c = original[i]
        if c == "\\":
            i += 2
            continue
        if c == "$" and depth == 0:
            # Math keeps its case (``$1S$``, ``$4\\,\\mathrm{K}$``).
            end = original.find("$", i + 1)
            if end > i:
                pieces.append(_piece(original[start:i], False, False))
                pieces.append(_piece(original[i : end + 1], True, False))
                start = i = end + 1
                continue
        if c == "{":
            if depth == 0:
                group = _group_kind(original, i)
                if group:
                    command = _COMMAND_BEFORE.search(original[:i]) if group == "quoted" else None
                    end = command.start() if command else i
                    pieces.append(_piece(original[start:end], False, False))
                    start = i
            depth += 1
        elif c == "}" and depth:
            depth -= 1
            if depth == 0 and group:
                chunk = original[start : i + 1]
                pieces.append(_piece(chunk, group == "protected", group == "quoted"))
                start, group = i + 1, ""
        i += 1
    pieces.append(_piece(original[start:], False, False))
    pieces = [p for p in pieces if p.text]
    plain = unmarked("".join(p.text for p in pieces)).strip()
    return pieces if " ".join(plain.split()) == title else [Piece(title)]


def _group_kind(original: str, i: int) -> str:
    """What the top-level group opening at ``i`` is: "protected", "quoted" or "" (neither).

    A group right after a command (``\\emph{..}``) is its argument, decoded with it; the
    argument of a quoting command is quoted; ``{\\"U}`` is a special character, not a guard.
    A symbol takes no argument: ``{{III}}\\textendash{{V}}`` guards the V too.
    """
    command = _COMMAND_BEFORE.search(original[:i])
    if command is not None and not is_symbol_command(command.group(1) or ""):
        return "quoted" if command.group(1) in _QUOTING else ""
    return "" if original[i + 1 : i + 2] == "\\" else "protected"


def _piece(latex: str, protected: bool, quoted: bool) -> Piece:
    """Decoded text of a piece of a title, keeping the spaces around it."""
    if not latex:
        return Piece("")
    if quoted:
        latex = latex[1:-1]  # the argument's braces
    text = latex_to_unicode(latex, marked_scripts=True)
    # A tie (``6~{The}``) is a space that the decoded text does not begin or end with.
    lead = " " if latex[:1].isspace() or latex[:1] == "~" else ""
    trail = " " if latex[-1:].isspace() or (latex[-1:] == "~" and latex[-2:-1] != "\\") else ""
    return Piece(f"{lead}{text}{trail}", protected and bool(text), quoted)


def sentence_case(pieces: list[Piece]) -> list[Piece]:
    """The pieces with their unprotected words in sentence case (citeproc's rule)."""
    state = "start"
    out: list[Piece] = []
    for piece in pieces:
        words: list[str] = []
        for token in _TOKENS.findall(piece.text):
            if not piece.protected and token.isalnum():
                token = _sentence_word(token, state in ("start", "sentence"))
            words.append(token)
            state = _next_state(state, token)
        out.append(Piece("".join(words), piece.protected, piece.quoted))
    return out


def _sentence_word(word: str, starts: bool) -> str:
    capitalised = word[:1].isupper() and _all_lower(word[1:])
    return word.lower() if capitalised and not starts else word


def _all_lower(text: str) -> bool:
    """Every character a lower-case letter (digits are not: ``Ohco2`` is not capitalised)."""
    return all(c.islower() for c in text)


def _next_state(state: str, token: str) -> str:
    last = token[-1]
    if last in _SENTENCE_END:
        return "after-end"
    if last.isalnum():
        return "in-word"
    if last.isspace():
        return "sentence" if state == "after-end" else "word-end"
    return "word-end" if last in _WORD_BREAK else state


def csl_markup(pieces: list[Piece]) -> str:
    """CSL text of the pieces: ``nocase`` spans, quotation marks and literal quotes."""
    out = []
    for piece in pieces:
        text = _literal_quotes(piece.text)
        if piece.quoted:
            stripped = text.strip()
            text = text.replace(stripped, f"\u201c{stripped}\u201d", 1) if stripped else text
        if piece.protected:
            stripped = text.strip()
            text = text.replace(stripped, NOCASE.format(stripped), 1)
        out.append(text)
    return "".join(out).strip()


# LaTeX's single quotes as it prints them (``Haiyang `Leo' Liu``).
SINGLE_QUOTES = str.maketrans({"'": "\u2019", "`": "\u2018"})


def _literal_quotes(text: str) -> str:
    text = text.translate(SINGLE_QUOTES).replace('"', NOCASE.format('"'))
    while END_MARK in text:  # innermost first: a script can hold another
        marked = _MARKED.sub(_marked_script, text)
        text, stray = marked, marked == text
        if stray:  # a mark that came in as text
            text = unmarked(text)
            break
    return _SCRIPTS.sub(_script, text) if _SCRIPTS.search(text) else text


# Sub- and superscript digits and signs (``Cu$_2$O`` decodes to ``Cu₂O``) as CSL's markup.
_SUB, _SUP = "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾"
_SCRIPTS = re.compile(f"[{_SUB}]+|[{_SUP}]+")
_PLAIN = str.maketrans(_SUB + _SUP, "0123456789+\u2212=()" * 2)  # a minus sign, as TeX prints


_MARKED = re.compile(f"([{SUB_MARK}{SUP_MARK}])([^{SUB_MARK}{SUP_MARK}{END_MARK}]*){END_MARK}")


def _marked_script(match: re.Match[str]) -> str:
    tag = "sub" if match.group(1) == SUB_MARK else "sup"
    return f"<{tag}>{match.group(2)}</{tag}>"


def _script(match: re.Match[str]) -> str:
    tag = "sub" if match.group()[0] in _SUB else "sup"
    return f"<{tag}>{match.group().translate(_PLAIN)}</{tag}>"


def csl_text(pieces: list[Piece], *, english: bool) -> str:
    """CSL text of a title's pieces (sentence case in English)."""
    return csl_markup(sentence_case(pieces) if english else pieces)


def csl_title(title: str, original: object, *, english: bool) -> str:
    """A title (from its LaTeX input when there is one) as CSL text."""
    return csl_text(title_pieces(title, original), english=english)
