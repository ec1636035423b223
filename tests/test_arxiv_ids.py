"""Every form of arXiv identifier people paste, and what must be refused."""

from __future__ import annotations

import re

import pytest

from litreview.errors import InvalidInput
from litreview.normalize import (
    ARXIV_ID_PATTERN,
    DOI_PATTERN,
    ArxivId,
    normalize_doi,
    parse_arxiv_id,
    try_arxiv_id,
)

ACCEPTED = [
    # bare new-style ids, with and without version
    ("2305.01610", ArxivId("2305.01610")),
    ("2305.01610v2", ArxivId("2305.01610", 2)),
    ("1501.00001", ArxivId("1501.00001")),
    ("0704.0001", ArxivId("0704.0001")),
    ("1412.6980v9", ArxivId("1412.6980", 9)),
    # arXiv: prefix, any case, with a space, with a trailing category
    ("arXiv:2305.01610", ArxivId("2305.01610")),
    ("ARXIV:2305.01610v3", ArxivId("2305.01610", 3)),
    ("arXiv: 2305.01610", ArxivId("2305.01610")),
    ("arXiv:2305.01610v2 [cs.LG]", ArxivId("2305.01610", 2)),
    ("  2305.01610\n", ArxivId("2305.01610")),
    # old-style ids; a subject class is not part of the identifier
    ("hep-th/9901001", ArxivId("hep-th/9901001")),
    ("math.GT/0309136", ArxivId("math/0309136")),
    ("math/0211159v1", ArxivId("math/0211159", 1)),
    ("cond-mat/0607501v2", ArxivId("cond-mat/0607501", 2)),
    ("q-bio/0401001", ArxivId("q-bio/0401001")),
    ("arXiv:hep-th/9901001v1", ArxivId("hep-th/9901001", 1)),
    ("cs/0701001", ArxivId("cs/0701001")),
    # abs / pdf / html URLs, http or https, export. and www. hosts, trailing slashes
    ("https://arxiv.org/abs/2305.01610", ArxivId("2305.01610")),
    ("https://arxiv.org/abs/2305.01610v3/", ArxivId("2305.01610", 3)),
    ("http://arxiv.org/pdf/2305.01610v1.pdf", ArxivId("2305.01610", 1)),
    ("https://arxiv.org/pdf/2305.01610v1", ArxivId("2305.01610", 1)),
    ("https://arxiv.org/pdf/2305.01610v2.pdf/", ArxivId("2305.01610", 2)),
    ("https://export.arxiv.org/abs/2305.01610/", ArxivId("2305.01610")),
    ("http://export.arxiv.org/abs/hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
    ("https://www.arxiv.org/abs/2305.01610", ArxivId("2305.01610")),
    ("arxiv.org/abs/2305.01610", ArxivId("2305.01610")),
    ("https://arxiv.org/abs/math.GT/0309136", ArxivId("math/0309136")),
    ("https://arxiv.org/pdf/hep-th/9901001v2.pdf", ArxivId("hep-th/9901001", 2)),
    ("https://arxiv.org/html/2305.01610v1", ArxivId("2305.01610", 1)),
    ("HTTPS://ARXIV.ORG/ABS/2305.01610", ArxivId("2305.01610")),
    ("https://arxiv.org/abs/2305.01610?context=cs", ArxivId("2305.01610")),
    ("https://arxiv.org/abs/2305.01610v2#S3", ArxivId("2305.01610", 2)),
]

REFUSED = [
    "",
    "   ",
    "abc",
    "INVALIDID",
    "2305.1610",  # too few digits
    "2305.016100",  # too many digits
    "0704.00001",  # five digits before 2015
    "1501.0001",  # four digits from 2015 on
    "0703.0001",  # new-style ids began in 2007-04
    "2313.01610",  # month 13
    "2300.01610",  # month 0
    "0000.0000",
    "2305.00000",
    "2305.01610v0",
    "2305.01610v",
    "2305.01610 v2",
    "hep-th/990100",  # six digits
    "hep-th/9913001",  # month 13
    "HEP-TH/9901001",
    "math.gt/0309136",
    "hep-th9901001",
    "arXiv:",
    "doi:10.1103/PhysRevB.85.115117",
    "https://example.org/abs/2305.01610",
    "https://arxiv.org/list/cs.LG/recent",
    "https://arxiv.org/abs/",
    "2305.01610; DROP TABLE paper",
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepts_every_pasted_form(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_refuses_with_the_input_quoted(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_arxiv_id(text)
    assert repr(text) in caught.value.message
    assert caught.value.details["input"] == text
    assert try_arxiv_id(text) is None


def test_canonical_text_keeps_the_version() -> None:
    assert str(parse_arxiv_id("arXiv:2305.01610v2")) == "2305.01610v2"
    assert str(parse_arxiv_id("math.GT/0309136")) == "math/0309136"


def test_the_schemas_pattern_is_the_validators() -> None:
    # The API's schema states ARXIV_ID_PATTERN (read by other regex engines, as a search): it
    # takes exactly what the parser takes, the Unicode digits Python's \d would match included.
    pattern = re.compile(ARXIV_ID_PATTERN)
    assert "?P<" not in ARXIV_ID_PATTERN
    for text, _ in ACCEPTED:
        assert pattern.search(text), text
    for text in [*REFUSED, "٢٣٠٥.٠١٦١٠", "２３０５.０１６１０", "2305.01610\x1c[cs.LG]x"]:
        assert not pattern.search(text), text
        assert try_arxiv_id(text) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("10.1234/abc", "10.1234/abc"),
        ("doi: https://doi.org/10.1234/ABC.", "10.1234/abc"),
        ("10.١٢٣٤/abc", None),
        ("10.1234/\x1c", None),
        ("see 10.123/abc", None),
    ],
)
def test_a_doi_is_what_the_schemas_pattern_finds(text: str, found: str | None) -> None:
    assert normalize_doi(text) == found
    assert bool(re.search(DOI_PATTERN, text)) == (found is not None)
