"""BibTeX field values: ``{...}``, ``"..."``, numbers, macros and ``#`` concatenation.

bibtexparser's splitter hands over each value as written; this evaluates it the way BibTeX
does: the outer delimiters go, ``@string`` macros (case-insensitive, plus the month names)
expand, and pieces joined by ``#`` are concatenated. The text inside the delimiters is kept as
written (LaTeX and inner braces included).
"""

from __future__ import annotations

import re

MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}


# The longest value ``@string`` macros may expand to: a few hundred bytes of nested macros must
# not become megabytes. A longer expansion fails its entry (or its macro).
MAX_EXPANDED_CHARS = 100_000


class ExpansionTooLong(ValueError):
    """A value whose macros expand past :data:`MAX_EXPANDED_CHARS`."""


# Braces, with escaped characters (``\\{``) as tokens of their own so they are skipped.
_BRACE_TOKENS = re.compile(r"\\.|[{}]", re.DOTALL)


class Macros:
    """The ``@string`` macros of one file, with BibTeX's predefined month names."""

    def __init__(self) -> None:
        self._defined: dict[str, str] = {}
        # Macros whose value expanded too far: using one fails the value.
        self._too_long: set[str] = set()

    def define(self, name: str, value: str) -> None:
        self._defined[name.strip().lower()] = value
        self._too_long.discard(name.strip().lower())

    def define_too_long(self, name: str) -> None:
        self._defined.pop(name.strip().lower(), None)
        self._too_long.add(name.strip().lower())

    def user(self, name: str) -> bool:
        """Whether the file itself defines ``name``."""
        lowered = name.strip().lower()
        return lowered in self._defined or lowered in self._too_long

    def get(self, name: str) -> str | None:
        lowered = name.lower()
        if lowered in self._too_long:
            raise ExpansionTooLong(
                f"@string {name} expands to more than {MAX_EXPANDED_CHARS:,} characters"
            )
        value = self._defined.get(lowered)
        return value if value is not None else MONTHS.get(lowered)


def evaluate(raw: str, macros: Macros) -> tuple[str, list[str]]:
    """The value of a field as written, and the names of macros that were not defined."""
    raw = raw.strip()
    if not raw:
        return "", []
    first, last = raw[0], raw[-1]
    if first == "{" and last == "}":
        inner = raw[1:-1]
        if ("{" not in inner and "}" not in inner) or _closes_at(raw, len(raw) - 1):
            return inner, []
    elif first == '"' and last == '"' and len(raw) > 1:
        inner = raw[1:-1]
        if '"' not in inner or _quote_closes_at_end(raw):
            return inner, []
    elif raw.isdigit():
        return raw, []
    return _concatenation(raw, macros)


def _closes_at(raw: str, index: int) -> bool:
    """Whether the brace opened at 0 is closed at ``index`` (and not before)."""
    depth = 0
    for match in _BRACE_TOKENS.finditer(raw):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return match.start() == index
    return False


def _quote_closes_at_end(raw: str) -> bool:
    depth = 0
    for i, c in enumerate(raw[1:-1], start=1):
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif c == '"' and depth == 0 and raw[i - 1] != "\\":
            return False
    return True


def _concatenation(raw: str, macros: Macros) -> tuple[str, list[str]]:
    pieces: list[str] = []
    undefined: list[str] = []
    total = 0
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c.isspace() or c == "#":
            i += 1
        elif c == "{":
            end = _group_end(raw, i, "{")
            pieces.append(raw[i + 1 : end])
            i = end + 1
        elif c == '"':
            end = _group_end(raw, i, '"')
            pieces.append(raw[i + 1 : end])
            i = end + 1
        else:
            end = i
            while end < n and not raw[end].isspace() and raw[end] != "#":
                end += 1
            word = raw[i:end]
            if word.isdigit():
                pieces.append(word)
            else:
                value = macros.get(word)
                if value is None:
                    undefined.append(word)
                    value = word
                total += len(value)
                if total > MAX_EXPANDED_CHARS:
                    raise ExpansionTooLong(
                        f"@string macros expand to more than {MAX_EXPANDED_CHARS:,} characters"
                    )
                pieces.append(value)
            i = end
    return "".join(pieces), undefined


def _group_end(raw: str, start: int, opener: str) -> int:
    """Index of the delimiter closing the group opened at ``start`` (or the end of ``raw``)."""
    depth = 0
    i = start + 1
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0 and opener == "{":
                return i
            depth = max(depth - 1, 0)
        elif c == '"' and opener == '"' and depth == 0:
            return i
        i += 1
    return len(raw)
