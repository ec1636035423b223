"""BibTeX name lists: "A and B and others", each name split by BibTeX's rules.

A name is "First von Last", "von Last, First" or "von Last, Jr, First"; the von part is the
run of words starting with a lower-case letter; a braced word is one word whose case counts
as upper ("{Barnes and Noble, Inc.}" is a single corporate family name). The parts are decoded
from LaTeX. Names in CJK scripts are family-name first.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from litreview.importers.latex import latex_to_unicode, needs_latex_decoding
from litreview.importers.records import AuthorRecord

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# Braces, and what a name list, a name and a part of a name are split on (outside braces).
_BRACE_OR_AND = re.compile(r"[{}]|\s+and(?=\s)", re.IGNORECASE)
_BRACE_OR_COMMA = re.compile(r"[{}]|,")
_BRACE_OR_BREAK = re.compile(r"[{}]|[\s~]+")
_WORD_BREAK = re.compile(r"[\s~]+")
# Two-character Chinese family names (the rest are one character).
_COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "司徒",
        "东方",
        "皇甫",
        "令狐",
        "夏侯",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "轩辕",
        "端木",
        "独孤",
        "歐陽",
        "諸葛",
        "東方",
        "長孫",
        "軒轅",
    }
)


@dataclass
class NameList:
    """The people of an author or editor field, and whether it ended in "and others"."""

    people: list[AuthorRecord]
    et_al: bool = False


def parse_names(text: str, known: dict[str, AuthorRecord | None] | None = None) -> NameList:
    """Split a BibTeX author/editor field into people, in order.

    ``known``: the people of earlier fields by their text, shared (a file names the same
    people again and again, and each record of them is an object the garbage collector walks
    for as long as the import holds it).
    """
    result = NameList([])
    for raw in split_name_list(text):
        if raw.lower() == "others":
            result.et_al = True
            continue
        if known is None:
            person = parse_name(raw)
        elif raw in known:
            person = known[raw]
        else:
            person = known[raw] = parse_name(raw)
        if person is not None:
            result.people.append(person)
    return result


def split_name_list(text: str) -> list[str]:
    """The names of a list, split on "and" outside braces."""
    text = text.strip()
    if "{" not in text:
        return [n for n in (p.strip() for p in _AND.split(text)) if n]
    return [name.strip() for name in _outside_braces(text, _BRACE_OR_AND) if name.strip()]


def _outside_braces(text: str, tokens: re.Pattern[str]) -> list[str]:
    """``text`` cut at the separators of ``tokens`` (braces or a separator) outside braces."""
    parts: list[str] = []
    depth = start = 0
    for token in tokens.finditer(text):
        mark = token.group()
        if mark == "{":
            depth += 1
        elif mark == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            parts.append(text[start : token.start()])
            start = token.end()
    parts.append(text[start:])
    return parts


def parse_name(raw: str) -> AuthorRecord | None:
    """One name split into family and given parts (von joins the family, Jr the display)."""
    parts = _parse_name_parts(raw)
    return AuthorRecord(*parts) if parts is not None else None


# The same people recur across a bibliography (a 7,000-entry file names ~23,000 distinct people
# 42,000 times), so a parse is remembered by its raw text.
@functools.lru_cache(maxsize=1 << 16)
def _parse_name_parts(raw: str) -> tuple[str, str, str] | None:
    person = _parse_name(raw)
    return (person.name, person.family, person.given) if person is not None else None


def _parse_name(raw: str) -> AuthorRecord | None:
    if raw.isascii() and not needs_latex_decoding(raw):
        return _plain_name(raw)
    parts = _split_commas(raw)
    words = [_words(p) for p in parts]
    if not words[0]:
        return None
    if len(parts) == 1:
        first, von, last, jr = _first_von_last(words[0])
    else:
        von, last = _von_last(words[0])
        jr = words[1] if len(parts) >= 3 else []
        first = [w for p in (words[2:] if len(parts) >= 3 else words[1:]) for w in p]
    family = _decode(" ".join(von + last))
    given = _decode(" ".join(first))
    suffix = _decode(" ".join(jr))
    if len(parts) == 1 and not suffix and _is_cjk(f"{given} {family}".strip()):
        # Written family name first, as CJK names are.
        family, given = _split_cjk(f"{given} {family}".strip())
    eastern = _is_cjk(family) and (not given or _is_cjk(given))
    name = f"{family}{given}" if eastern else f"{given} {family}".strip()
    if suffix:
        name = f"{name}, {suffix}"
    return AuthorRecord(name=name, family=family, given=given)


def _plain_name(raw: str) -> AuthorRecord | None:
    """The fast path: an ASCII name without braces or LaTeX (most names)."""
    if "," in raw:
        parts = raw.split(",")
        family = " ".join(parts[0].split())
        given = " ".join(parts[-1].split()) if len(parts) > 1 else ""
        suffix = " ".join(parts[1].split()) if len(parts) > 2 else ""
        if len(parts) > 3:
            given = " ".join(" ".join(parts[2:]).split())
    else:
        words = raw.split()
        suffix = ""
        if not words:
            return None
        start = len(words) - 1
        for i, word in enumerate(words[:-1]):
            if word[0].islower():
                start = i
                break
        family, given = " ".join(words[start:]), " ".join(words[:start])
    if not family:
        return None
    name = f"{given} {family}".strip()
    return AuthorRecord(name=f"{name}, {suffix}" if suffix else name, family=family, given=given)


def name_particles(text: str) -> list[str]:
    """The von part of each name of a list (one per person of ``parse_names``), "" where none.

    A braced family name ("{da Silva}") has none: its lower-case words are the name itself.
    """
    particles = []
    for raw in split_name_list(text):
        if raw.lower() != "others" and parse_name(raw) is not None:
            parts = _split_commas(raw)
            words = _words(parts[0])
            von = _first_von_last(words)[1] if len(parts) == 1 else _von_last(words)[0]
            particles.append(_decode(" ".join(von)))
    return particles


def name_suffix(name: str, family: str, given: str) -> str:
    """The Jr part of a "von Last, Jr, First" name: what its display name adds after a comma."""
    for base in (f"{given} {family}".strip(), f"{family}{given}"):
        if name.startswith(f"{base}, "):
            return name[len(base) + 2 :].strip()
    return ""


def _decode(text: str) -> str:
    return latex_to_unicode(text) if text else ""


def _split_commas(raw: str) -> list[str]:
    if "{" not in raw:
        return [p.strip() for p in raw.split(",")]
    return [p.strip() for p in _outside_braces(raw, _BRACE_OR_COMMA)]


def _words(part: str) -> list[str]:
    if "{" not in part:
        return [w for w in _WORD_BREAK.split(part) if w]
    return [w for w in _outside_braces(part, _BRACE_OR_BREAK) if w]


def _is_lower(word: str) -> bool:
    """BibTeX's case of a word: its first letter outside braces, or of a ``{\\...}`` accent."""
    depth = 0
    for i, c in enumerate(word):
        if c == "{":
            if depth == 0 and word.startswith("{\\", i):
                decoded = latex_to_unicode(word[i:])
                letter = next((ch for ch in decoded if ch.isalpha()), "")
                return letter.islower()
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and c == "\\":
            decoded = latex_to_unicode(word[i:])
            letter = next((ch for ch in decoded if ch.isalpha()), "")
            return letter.islower()
        elif depth == 0 and c.isalpha():
            return c.islower()
    return False


def _first_von_last(words: list[str]) -> tuple[list[str], list[str], list[str], list[str]]:
    if len(words) == 1:
        return [], [], words, []
    lower = [_is_lower(w) for w in words[:-1]]
    if any(lower):
        start = lower.index(True)
        end = len(lower) - 1 - lower[::-1].index(True)
        return words[:start], words[start : end + 1], words[end + 1 :], []
    return words[:-1], [], words[-1:], []


def _von_last(words: list[str]) -> tuple[list[str], list[str]]:
    end = 0
    for i, word in enumerate(words[:-1]):
        if _is_lower(word):
            end = i + 1
    return words[:end], words[end:]


def _is_cjk(text: str) -> bool:
    return bool(text) and all(_cjk_char(c) or c == " " for c in text) and _cjk_char(text[0])


def _cjk_char(c: str) -> bool:
    o = ord(c)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3040 <= o <= 0x30FF
        or 0xAC00 <= o <= 0xD7AF
        or 0x20000 <= o <= 0x2A6DF
        or 0xF900 <= o <= 0xFAFF
    )


def _split_cjk(name: str) -> tuple[str, str]:
    """Family name first: "李时珍" is 李 + 时珍, "欧阳修" 欧阳 + 修, "山田 太郎" 山田 + 太郎."""
    if " " in name:
        family, given = name.split(" ", 1)
        return family, given.strip()
    if len(name) < 2 or len(name) > 4:
        return name, ""
    if name[:2] in _COMPOUND_SURNAMES or len(name) == 4:
        return name[:2], name[2:]
    return name[:1], name[1:]
