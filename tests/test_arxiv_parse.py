"""Atom parsing against real arXiv responses of both API generations (../shared/corpus/arxiv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from litreview.errors import UpstreamError
from litreview.importers.arxiv import FeedError, parse_feed
from litreview.models import SourceKind

pytestmark = pytest.mark.corpus

LEGACY_ONE = "arxivpy2016_id_list_1111.2011v2.xml"
NEW_OLD_STYLE = "arxivpy2026_id_hep-ex_0406020v1_s0_m100_84b15d66c0ce.xml"


def read(corpus: Path, name: str) -> bytes:
    return (corpus / "arxiv" / name).read_bytes()


def test_every_corpus_response_parses(corpus: Path) -> None:
    files = sorted((corpus / "arxiv").glob("*.xml"))
    assert len(files) >= 15
    for path in files:
        feed = parse_feed(path.read_bytes())
        assert not feed.problems, path.name
        for record in feed.records:
            assert record.source == SourceKind.arxiv
            assert record.title and "\n" not in record.title and "  " not in record.title
            assert record.abstract and "\n" not in record.abstract
            assert record.arxiv_id and record.arxiv_version
            assert record.authors and all(a.family for a in record.authors)
            assert record.published and record.published.endswith("Z")
            assert record.year == int(record.published[:4])
            assert record.url == f"https://arxiv.org/abs/{record.arxiv_id}"
            assert record.pdf_url and record.pdf_url.startswith("https://arxiv.org/pdf/")
            assert record.primary_category in record.arxiv_categories
            assert record.key is None and record.entry_type == "article"


def test_legacy_feed_with_wrapped_title_doi_and_journal_ref(corpus: Path) -> None:
    feed = parse_feed(read(corpus, LEGACY_ONE))
    assert (feed.total_results, feed.start_index, feed.items_per_page) == (1, 0, 10)
    [r] = feed.records
    assert r.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert r.abstract is not None
    assert r.abstract.startswith("Theoretical description of anisotropic systems, such as layered")
    assert r.abstract.endswith("extra dimension to the theory describing a single node.")
    assert (r.arxiv_id, r.arxiv_version) == ("1111.2011", 2)
    assert [a.name for a in r.authors] == [
        "James M. Murray",
        "Adrian Del Maestro",
        "Zlatko Tesanovic",
    ]
    assert r.published == "2011-11-08T18:48:36Z"
    assert r.arxiv_updated == "2012-04-02T12:38:54Z"
    assert r.date == "2011-11-08" and r.year == 2011
    assert r.doi == "10.1103/physrevb.85.115117"
    assert r.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert r.venue == r.journal_ref
    assert r.arxiv_comment == "8 pages, 3 figures. Published version"
    assert r.primary_category == "cond-mat.str-el"
    assert r.arxiv_categories == ["cond-mat.str-el", "cond-mat.stat-mech"]
    assert r.pdf_url == "https://arxiv.org/pdf/1111.2011v2"
    assert r.source_detail == "arXiv API 1111.2011v2"


def test_new_format_old_style_id_with_affiliation(corpus: Path) -> None:
    feed = parse_feed(read(corpus, NEW_OLD_STYLE))
    [r] = feed.records
    assert (r.arxiv_id, r.arxiv_version) == ("hep-ex/0406020", 1)
    assert r.title == "Sparticle Reconstruction at LHC"
    assert r.published == "2004-06-07T11:08:22Z"  # <published> after <category> in 2026 feeds
    assert r.primary_category == "hep-ex" and r.arxiv_categories == ["hep-ex"]
    [author] = r.authors
    assert author.name == "Alessia Tricomi"
    assert author.affiliation == "for the ATLAS and CMS Collaborations"
    assert r.arxiv_comment is not None and r.arxiv_comment.startswith("Presented at XXXIX")
    assert r.journal_ref is None and r.venue is None and r.doi is None


def test_old_style_ids_keep_their_archive(corpus: Path) -> None:
    [perelman] = parse_feed(read(corpus, "pubs_id_list_math_0211159.xml")).records
    assert perelman.arxiv_id == "math/0211159"
    assert perelman.primary_category == "math.DG"
    # The legacy API lists MSC classes as categories; they are kept, apart from arXiv's.
    assert perelman.arxiv_categories == ["math.DG"]
    assert perelman.extra == {"classification": "53C"}
    [knuth] = parse_feed(read(corpus, "pubs_id_list_math_9501234.xml")).records
    assert knuth.arxiv_id == "math/9501234" and knuth.year == 1995
    assert knuth.journal_ref == "J. Algebraic Combin. 6 (1997), no. 3, 253--257"


def test_many_authors_with_affiliations_in_order(corpus: Path) -> None:
    [r] = parse_feed(read(corpus, "pubs_id_list_astro-ph_9812133.xml")).records
    assert r.arxiv_id == "astro-ph/9812133"
    assert len(r.authors) > 25
    assert r.authors[0].name == "S. Perlmutter" and r.authors[0].family == "Perlmutter"
    assert all(a.affiliation for a in r.authors)
    assert r.abstract is not None
    assert "(Omega_M <~ 1.5)" in r.abstract and "P(Lambda >" in r.abstract  # entities decoded
    assert r.doi == "10.1086/307221"


def test_non_ascii_names_survive(corpus: Path) -> None:
    [r] = parse_feed(
        read(corpus, "arxivpy2026_id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml")
    ).records
    assert r.arxiv_id == "1707.08567"
    assert len(r.authors) == 34
    wubben = next(a for a in r.authors if a.family == "Wübben")
    assert wubben.name == "Dirk Wübben" and wubben.given == "Dirk"
    names = {
        a.name
        for f in (corpus / "arxiv").glob("arxivpy2026_q_testing_*.xml")
        for rec in parse_feed(f.read_bytes()).records
        for a in rec.authors
    }
    assert "Aurora Ramírez" in names and "José Raúl Romero" in names


def test_new_format_journal_ref_and_doi(corpus: Path) -> None:
    feed = parse_feed(read(corpus, "arxivpy2026_q_testing_s0_m10_bc5a6c384fe9.xml"))
    assert (feed.total_results, feed.start_index, feed.items_per_page) == (214881, 0, 10)
    first = feed.records[0]
    assert (first.arxiv_id, first.arxiv_version) == ("2202.12139", 1)
    assert first.doi == "10.1109/icstw55395.2022.00035"
    assert first.journal_ref is not None and first.journal_ref.startswith("Artificial Intelligence")
    assert first.arxiv_categories == ["cs.SE", "cs.LG"]


def test_error_feed_is_an_error_not_a_record(corpus: Path) -> None:
    new = parse_feed(read(corpus, "arxivpy2026_id_abc_s0_m100_b79c8dcf6bc3.xml"))
    assert new.records == []
    assert new.errors == [FeedError("incorrect id format for abc", "abc")]
    legacy = parse_feed(read(corpus, "pubs_id_list_INVALIDID.xml"))
    assert legacy.errors == [FeedError("incorrect id format for INVALIDID", "INVALIDID")]


def test_empty_feed(corpus: Path) -> None:
    feed = parse_feed(read(corpus, "arxivpy2026_id_0000.0000_s0_m100_8b51d9633a68.xml"))
    assert feed.records == [] and feed.errors == [] and feed.entry_count == 0
    assert feed.total_results == 0


def test_text_that_is_not_a_feed_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError, match="not XML"):
        parse_feed(b"<html><body>Service Unavailable")
    with pytest.raises(UpstreamError, match="not an Atom feed"):
        parse_feed(b"<html><body>Service Unavailable</body></html>")


def test_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>'
    )
    with pytest.raises(UpstreamError, match="refuse"):
        parse_feed(bomb)


def test_an_unusable_entry_is_a_problem_not_a_crash() -> None:
    text = (
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<entry><id>http://arxiv.org/abs/2305.01610v1</id><title> </title></entry>"
        "<entry><id>http://arxiv.org/abs/2305.01611v1</id><title>Fine</title></entry>"
        "</feed>"
    )
    feed = parse_feed(text)
    assert [r.arxiv_id for r in feed.records] == ["2305.01611"]
    assert len(feed.problems) == 1 and "2305.01610" in feed.problems[0].message
