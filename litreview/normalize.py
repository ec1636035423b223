"""Pure helpers that turn what people paste into the forms we match on.

arXiv identifiers, DOIs, title fingerprints, personal names and citation-key stems. No I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from litreview.errors import InvalidInput

# New-style ids (since 2007-04): YYMM.NNNN (to 2014) or YYMM.NNNNN, optional version.
_NEW_ID = r"(?P<new>\d{4}\.\d{4,5})"
# Old-style ids (1991-08 to 2007-03): archive(.SUBJECT-CLASS)/YYMMNNN, e.g. hep-th/9901001,
# math.GT/0309136. The subject class is not part of the identifier: math.GT/0309136 is
# math/0309136.
_OLD_ID = r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Z]{2})?/(?P<number>\d{7})"
_ID_RE = re.compile(rf"^(?:{_NEW_ID}|{_OLD_ID})(?:v(?P<version>[1-9]\d*))?$")
_URL_RE = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>.+?)(?:\.pdf)?/*$",
    re.IGNORECASE,
)
# What people copy along with an id: a query or fragment on a URL, a category after a
# citation ("arXiv:2305.01610 [cs.LG]").
_URL_TAIL_RE = re.compile(r"[?#].*$")
_CATEGORY_TAIL_RE = re.compile(r"\s*\[[A-Za-z.-]+\]$")


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
    candidate = _CATEGORY_TAIL_RE.sub("", text.strip())
    url = _URL_RE.match(_URL_TAIL_RE.sub("", candidate))
    if url:
        candidate = url.group("rest")
    elif candidate[:6].lower() == "arxiv:":
        candidate = candidate[6:].strip()
    match = _ID_RE.match(candidate)
    if not match or _bad_new_id(match.group("new")) or _bad_old_id(match.group("number")):
        raise InvalidInput(f"not an arXiv identifier: {text!r}", input=text)
    version = match.group("version")
    canonical = match.group("new") or f"{match.group('archive')}/{match.group('number')}"
    return ArxivId(canonical, int(version) if version else None)


def _bad_new_id(new: str | None) -> bool:
    if new is None:
        return False
    yymm, number = new.split(".")
    month = int(yymm[2:])
    # New-style ids began in 2007-04; five-digit numbers in 2015-01, before that four digits.
    return (
        not 1 <= month <= 12
        or int(yymm) < 704
        or (len(number) == 5) != (int(yymm) >= 1501)
        or int(number) == 0
    )


def _bad_old_id(number: str | None) -> bool:
    if number is None:
        return False
    year, month, serial = int(number[:2]), int(number[2:4]), int(number[4:])
    # Old-style ids ran from 1991-08 (yy=91) to 2007-03 (yy=07).
    return not 1 <= month <= 12 or not (year >= 91 or year <= 7) or serial == 0


def try_arxiv_id(text: str | None) -> ArxivId | None:
    """Like :func:`parse_arxiv_id` but None for anything that is not an arXiv id."""
    if not text:
        return None
    try:
        return parse_arxiv_id(text)
    except InvalidInput:
        return None


_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)


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
_KEY_SEPARATORS = r"\s,{}()\"#%'=\\~"
_BAD_KEY_CHARS = re.compile(f"[{_KEY_SEPARATORS}]+")
# A key as the API's schema states it (spacing around it is trimmed).
CITATION_KEY_PATTERN = rf"^\s*[^{_KEY_SEPARATORS}]+\s*$"


def is_citation_key(key: str) -> bool:
    """Whether ``key`` is a citation key BibTeX accepts (non-empty, no separators)."""
    return bool(key) and _BAD_KEY_CHARS.search(key) is None


def clean_citation_key(key: str) -> str:
    """``key`` with every run of characters BibTeX does not accept made one ``_``."""
    return _BAD_KEY_CHARS.sub("_", key.strip())
