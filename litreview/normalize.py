"""Pure helpers that turn what people paste into the forms we match on.

arXiv identifiers, DOIs, title fingerprints, personal names and citation-key stems. No I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from litreview.errors import InvalidInput

# Python's whitespace (what str.strip() removes and re's \s matches) spelled out for a character
# class: other regex engines (the Rust and JavaScript ones that read the API's schema) leave the
# separators \x1c-\x1f out of \s, so patterns the schema states list them.
SPACE = r"\s\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def any_case(word: str) -> str:
    """``word`` as a pattern in either case, without flags (that every regex engine reads)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


def _not_all_zeros(digits: int) -> str:
    """``digits`` ASCII digits, not all of them 0."""
    return "|".join(f"0{{{i}}}[1-9][0-9]{{{digits - 1 - i}}}" for i in range(digits))


_MONTH = "(?:0[1-9]|1[0-2])"


def _id_pattern(tag: str) -> str:
    """An arXiv id with its optional version; groups named ``{tag}new`` etc.

    New-style ids (since 2007-04) are YYMM.NNNN (to 2014) or YYMM.NNNNN (since 2015-01).
    Old-style ids (1991-08 to 2007-03) are archive(.SUBJECT-CLASS)/YYMMNNN, e.g. hep-th/9901001,
    math.GT/0309136 (the subject class is not part of the identifier: that is math/0309136).
    """
    four = f"(?:07(?:0[4-9]|1[0-2])|(?:0[89]|1[0-4]){_MONTH})\\.(?:{_not_all_zeros(4)})"
    five = f"(?:1[5-9]|[2-9][0-9]){_MONTH}\\.(?:{_not_all_zeros(5)})"
    new = f"(?P<{tag}new>{four}|{five})"
    number = f"(?P<{tag}number>(?:9[1-9]|0[0-7]){_MONTH}(?:{_not_all_zeros(3)}))"
    old = f"(?P<{tag}archive>[a-z]+(?:-[a-z]+)?)(?:\\.[A-Z]{{2}})?/{number}"
    return f"(?:{new}|{old})(?:v(?P<{tag}version>[1-9][0-9]*))?"


# Every form people paste, as one pattern: bare, ``arXiv:`` prefixed, abs/pdf/html URLs (a query
# or fragment copied along), with a category after it as citations write it
# ("arXiv:2305.01610 [cs.LG]"), spacing around. The API's schema states it (without group names).
_URL = (
    f"(?:{any_case('http')}[Ss]?://)?"
    f"(?:{any_case('www.')}|{any_case('export.')})?{any_case('arxiv.org/')}"
    f"(?:{any_case('abs')}|{any_case('pdf')}|{any_case('html')})/"
)
_URL_FORM = f"{_URL}{_id_pattern('url_')}(?:{any_case('.pdf')})?/*(?:[?#][^\\n]*)?"
_PLAIN_FORM = f"(?:{any_case('arxiv:')}[{SPACE}]*)?{_id_pattern('')}"
_ARXIV_FORMS = (
    f"^[{SPACE}]*(?:{_URL_FORM}|{_PLAIN_FORM})(?:[{SPACE}]*\\[[A-Za-z.-]+\\])?[{SPACE}]*$"
)
_ARXIV_RE = re.compile(_ARXIV_FORMS)
ARXIV_ID_PATTERN = re.sub(r"\(\?P<\w+>", "(?:", _ARXIV_FORMS)


@dataclass(frozen=True, order=True)
class ArxivId:
    """An arXiv identifier without its version, and the version if one was given."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse every form people paste (bare, ``arXiv:`` prefixed, abs/pdf URLs, old style).

    Raises :class:`InvalidInput` quoting the input when it is not an arXiv identifier.
    """
    match = _ARXIV_RE.fullmatch(text)
    if match is None:
        raise InvalidInput(f"not an arXiv identifier: {text!r}", input=text)
    tag = "url_" if match.group("url_new") or match.group("url_number") else ""
    new, version = match.group(f"{tag}new"), match.group(f"{tag}version")
    canonical = new or f"{match.group(f'{tag}archive')}/{match.group(f'{tag}number')}"
    return ArxivId(canonical, int(version) if version else None)


def try_arxiv_id(text: str | None) -> ArxivId | None:
    """Like :func:`parse_arxiv_id` but None for anything that is not an arXiv id."""
    if not text:
        return None
    try:
        return parse_arxiv_id(text)
    except InvalidInput:
        return None


# A DOI anywhere in the text (the API's schema states it as is: a pattern matches anywhere).
DOI_PATTERN = f"10\\.[0-9]{{4,9}}/[^{SPACE}]+"
_DOI_RE = re.compile(DOI_PATTERN)


def normalize_doi(text: str | None) -> str | None:
    """A DOI in lower case without ``doi:`` or resolver prefixes; None when there is none."""
    if not text:
        return None
    match = _DOI_RE.search(text.strip())
    if not match:
        return None
    return match.group(0).rstrip(".,;").lower()


_FOLD_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` (accents dropped), words kept apart."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_FOLD_WORD.findall(text.lower()))


def title_fingerprint(title: str | None) -> str:
    """A matching key for titles: braces, accents, case, punctuation and spacing ignored."""
    if not title:
        return ""
    return fold(title.replace("{", "").replace("}", ""))[:200]


@dataclass(frozen=True)
class PersonName:
    """A personal (or corporate) name split for citation styles."""

    family: str
    given: str = ""

    @property
    def display(self) -> str:
        return f"{self.given} {self.family}".strip()

    @property
    def key(self) -> str:
        """What two spellings of the same person share (used to deduplicate authors)."""
        return f"{fold(self.family)}|{fold(self.given)}"


_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_PARTICLES = {"von", "van", "de", "der", "den", "la", "le", "du", "da", "di", "del", "della", "ter"}


def split_display_name(name: str) -> PersonName:
    """Split "Given Family" or "Family, Given" (as arXiv and CSV sources write names)."""
    name = " ".join(name.split())
    suffix = ""
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        if given.lower().rstrip(".") not in _SUFFIXES:
            return PersonName(family, given)
        name, suffix = family, f", {given}"
    words = name.split(" ")
    if len(words) == 1:
        return PersonName(name + suffix)
    # The family name starts at the first particle ("Adrian Del Maestro", "Ludwig van
    # Beethoven"), else it is the last word.
    for i, word in enumerate(words[1:-1], start=1):
        if word.lower() in _PARTICLES:
            return PersonName(" ".join(words[i:]) + suffix, " ".join(words[:i]))
    return PersonName(words[-1] + suffix, " ".join(words[:-1]))


_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "at", "by", "from"}


def key_stem(family: str | None, year: int | None, title: str | None) -> str:
    """A readable citation-key stem: first author's family name, year, first significant word."""
    name = "".join(fold(family or "").split()) or "anon"
    word = next((w for w in fold(title or "").split() if w not in _STOPWORDS and len(w) > 1), "")
    return f"{name}{year or ''}{word}"


# Characters a BibTeX citation key cannot hold (bibtex and biber stop or misread at them).
_KEY_SEPARATORS = rf"{SPACE},{{}}()\"#%'=\\~"
_BAD_KEY_CHARS = re.compile(f"[{_KEY_SEPARATORS}]+")
# A key as the API's schema states it (spacing around it is trimmed).
CITATION_KEY_PATTERN = rf"^[{SPACE}]*[^{_KEY_SEPARATORS}]+[{SPACE}]*$"


def is_citation_key(key: str) -> bool:
    """Whether ``key`` is a citation key BibTeX accepts (non-empty, no separators)."""
    return bool(key) and _BAD_KEY_CHARS.search(key) is None


def clean_citation_key(key: str) -> str:
    """``key`` with every run of characters BibTeX does not accept made one ``_``."""
    return _BAD_KEY_CHARS.sub("_", key.strip())
