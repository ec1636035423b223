"""The input's own text of a modelled field, when the stored value is still what it says.

An import keeps what a BibTeX entry wrote (``paper.original``: a DOI in its own case, names as
spelled in this entry) next to the stored value (a DOI normalised, one spelling per person).
Exports give back the written form while it still agrees with the stored one.
"""

from __future__ import annotations

from typing import Any

from litreview.importers.bibfields import TITLE_FROM_MARK
from litreview.importers.bibnames import parse_names
from litreview.importers.latex import latex_to_unicode
from litreview.library.views import Person
from litreview.normalize import PersonName, normalize_doi


def written_doi(paper: Any) -> str | None:
    """The DOI as the input wrote it (its case kept), else the stored one."""
    given = (paper.original or {}).get("doi")
    if isinstance(given, str) and paper.doi and normalize_doi(given) == paper.doi:
        return given
    return paper.doi  # type: ignore[no-any-return]


def written_people(original: object, people: list[Person]) -> list[Person] | None:
    """The people as this entry spelled them, if they are still the stored people (else None).

    Compared as the library matches people: spelling variants ("J. L." and "J L") are one author.
    """
    if not isinstance(original, str):
        return None
    parsed = parse_names(original).people
    if len(parsed) != len(people) or any(
        (p.family, p.given) != (q.family, q.given)  # the same spelling: no need to fold it
        and PersonName(p.family, p.given).key != PersonName(q.family, q.given).key
        for p, q in zip(parsed, people, strict=True)
    ):
        return None
    return [Person(p.name, p.family, p.given) for p in parsed]


def borrowed_title(paper: Any) -> bool:
    """Whether the title is still the one a title-less entry took from another field."""
    original = paper.original or {}
    name = original.get(TITLE_FROM_MARK)
    if not name:
        return False
    value = (paper.extra or {}).get(name, original.get(name, ""))
    return isinstance(value, str) and paper.title == latex_to_unicode(value)
