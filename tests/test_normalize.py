"""Pure helpers: DOIs, title fingerprints, display-name splitting, key stems."""

from __future__ import annotations

import pytest

from litreview.normalize import key_stem, normalize_doi, split_display_name, title_fingerprint


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("10.1103/PhysRevB.85.024414", "10.1103/physrevb.85.024414"),
        ("https://doi.org/10.1000/ABC.", "10.1000/abc"),
        ("doi:10.48550/arXiv.2403.05030", "10.48550/arxiv.2403.05030"),
        ("not a doi", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_doi(text: str | None, doi: str | None) -> None:
    assert normalize_doi(text) == doi


def test_title_fingerprint_ignores_case_accents_braces_punctuation() -> None:
    assert title_fingerprint("{B}ayesian  Méthods: a Primer!") == "bayesian methods a primer"
    assert title_fingerprint(None) == ""


@pytest.mark.parametrize(
    ("name", "family", "given"),
    [
        ("Adrian Del Maestro", "Del Maestro", "Adrian"),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig"),
        ("Smith, John Q.", "Smith", "John Q."),
        ("Martin Luther King, Jr.", "King, Jr.", "Martin Luther"),
        ("Jean-Paul Sartre", "Sartre", "Jean-Paul"),
        ("Plato", "Plato", ""),
    ],
)
def test_split_display_name(name: str, family: str, given: str) -> None:
    split = split_display_name(name)
    assert (split.family, split.given) == (family, given)


def test_key_stem_is_ascii_and_skips_stopwords() -> None:
    assert key_stem("Müller-Brockmann", 2020, "The Art of War") == "mullerbrockmann2020art"
    assert key_stem(None, None, "") == "anon"
