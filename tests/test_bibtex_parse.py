"""Focused tests of the BibTeX importer: encodings, values, names, crossref, LaTeX, problems."""

from __future__ import annotations

import codecs

import pytest

from litreview.errors import ImportFailed
from litreview.importers.bibnames import parse_names
from litreview.importers.bibtex import parse_bibtex
from litreview.importers.latex import latex_to_unicode, unicode_to_latex

ENTRY = (
    "@article{k1,\n  title = {Caf\u00e9 M\u00fcller},\n  author = {M\u00fcller, J\u00f6rg},\n}\n"
)


def parse(text: str | bytes):  # type: ignore[no-untyped-def]
    return parse_bibtex(text, source="test.bib")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ENTRY.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ENTRY.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + ENTRY.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + ENTRY.encode("utf-16-be"), "utf-16-be"),
        (ENTRY.encode("cp1252"), "cp1252"),
        (("% Encoding: ISO8859_1\n" + ENTRY).encode("latin-1"), "iso8859-1"),
        (("% -*- coding: latin-2-unix -*-\n" + ENTRY).encode("iso8859-2"), "iso8859-2"),
    ],
)
def test_encodings_are_detected_and_reported(data: bytes, encoding: str) -> None:
    result = parse(data)
    assert result.info["encoding"] == encoding
    assert result.records[0].title == "Café Müller"
    assert result.records[0].authors[0].family == "Müller"


def test_gbk_is_guessed() -> None:
    data = "@article{k,\n  author = {凯撒},\n  title = {测试标题},\n}\n".encode("gbk")
    result = parse(data)
    assert result.info["encoding"] == "gbk"
    assert result.records[0].title == "测试标题"


def test_a_wrong_declaration_falls_back_and_says_so() -> None:
    data = ("% Encoding: UTF-8\n" + ENTRY).encode("cp1252")
    result = parse(data)
    assert result.info["encoding"] == "cp1252"
    assert "declared UTF-8" in result.info["encoding_note"]


def test_binary_data_is_a_clear_error() -> None:
    with pytest.raises(ImportFailed, match="not a BibTeX text file"):
        parse(b"%PDF-1.4\x00\x01\x02\x03" * 20)


def test_strings_months_concatenation_and_parentheses() -> None:
    text = """@string{ proc = "Proceedings of the" }
@STRING(conf = {Conference})
@preamble{ "\\newcommand{\\x}{y}" }
@comment{ ignored }
@inproceedings(p1,
  title = "A " # {Title},
  booktitle = proc # " Big " # conf,
  month = jun,
  year = 2020
)
"""
    result = parse(text)
    (record,) = result.records
    assert record.title == "A Title"
    assert record.venue == "Proceedings of the Big Conference"
    assert record.extra["month"] == "jun"
    assert record.year == 2020
    assert result.info["strings"] == 2 and result.info["preambles"] == 1


def test_undefined_macro_is_kept_and_reported() -> None:
    result = parse("@article{a, title = {T}, journal = J-NOPE}\n")
    assert result.records[0].venue == "J-NOPE"
    assert any("J-NOPE" in p.message and p.kind == "warning" for p in result.problems)


def test_crossref_and_xdata_inheritance() -> None:
    text = """@inproceedings{child, title = {Paper}, crossref = {parent}, pages = {1--2}}
@proceedings{parent, title = {The Proceedings}, year = 2001, publisher = {ACM},
  doi = {10.1/parent}}
@xdata{pub, address = {New York}}
@book{b, title = {Book}, xdata = {pub}}
"""
    result = parse(text)
    by_key = {r.key: r for r in result.records}
    child = by_key["child"]
    assert child.venue == "The Proceedings"  # parent title -> booktitle
    assert child.year == 2001
    assert child.extra["publisher"] == "ACM"
    assert child.doi is None  # identity is never inherited
    assert by_key["b"].extra["address"] == "New York"
    assert "pub" not in by_key  # @xdata holds data, it is not a paper


def test_crossref_cycle_and_missing_parent_are_reported() -> None:
    text = "@book{a, title={A}, crossref={b}}\n@book{b, title={B}, crossref={a}}\n"
    text += "@book{c, title={C}, crossref={nowhere}}\n"
    result = parse(text)
    messages = " ".join(p.message for p in result.problems)
    assert "cycle" in messages and "'nowhere'" in messages
    assert len(result.records) == 3


def test_field_mapping() -> None:
    text = """@article{Key2023,
  title = {On {BERT} and {\\"U}ber},
  author = {Smith, John and others},
  editor = {Doe, Jane},
  journal = {J. {\\&} Co.},
  doi = {https://doi.org/10.1000/ABC},
  eprint = {2305.01610v2}, archivePrefix = {arXiv}, primaryClass = {cs.LG},
  url = {https://example.org/x_y},
  abstract = {We show $\\alpha$-stuff.},
  keywords = {deep learning; nlp, transformers},
  annote = {Good paper.},
  pages = {1--10},
}
"""
    (record,) = parse(text).records
    assert record.key == "Key2023" and record.entry_type == "article"
    assert record.title == "On BERT and Über"
    assert record.original["title"] == 'On {BERT} and {\\"U}ber'
    assert [(a.family, a.given) for a in record.authors] == [("Smith", "John")]
    assert [a.family for a in record.editors] == ["Doe"]
    assert record.venue == "J. & Co."
    assert record.doi == "10.1000/abc"
    assert (record.arxiv_id, record.arxiv_version) == ("2305.01610", 2)
    assert record.url == "https://example.org/x_y"
    assert record.abstract == "We show α-stuff."
    assert record.tags == ["deep learning", "nlp", "transformers"]
    assert record.annotation == "Good paper."
    assert record.extra == {"primaryclass": "cs.LG", "pages": "1--10"}


def test_arxiv_id_from_url_or_eprinttype() -> None:
    text = """@misc{a, title = {A}, url = {https://arxiv.org/abs/1706.03762v5}}
@online{b, title = {B}, eprint = {1706.03762}, eprinttype = {arxiv}}
@article{c, title = {C}, eprint = {12345}, eprinttype = {pubmed}}
"""
    a, b, c = parse(text).records
    assert (a.arxiv_id, a.arxiv_version) == ("1706.03762", 5)
    assert b.arxiv_id == "1706.03762"
    assert c.arxiv_id is None and c.extra["eprint"] == "12345"


def test_failed_blocks_duplicates_and_keyless_entries_are_reported() -> None:
    text = """@article{good1, title = {One}}
@article{bad, title = {Unbalanced {brace}
@article{good2, title = {Two}}
@article{good1, title = {Another one}}
@article{dupfield, title = {X}, title = {Y}}
@article{
  title = {No key}, year = 2001}
"""
    result = parse(text)
    titles = [r.title for r in result.records]
    assert titles == ["One", "Two", "Another one", "X", "No key"]
    by_line = {p.line: p for p in result.problems}
    assert by_line[2].kind == "error" and "could not parse" in by_line[2].message
    assert "duplicate citation key 'good1'" in by_line[4].message
    assert "given more than once" in by_line[5].message
    assert "no citation key" in by_line[6].message
    assert result.records[-1].key is None


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("Abbasi, Mazhar Ali", ("Abbasi", "Mazhar Ali")),
        ("Ludwig van Beethoven", ("van Beethoven", "Ludwig")),
        ("de la Fontaine, Jean", ("de la Fontaine", "Jean")),
        ("Jean de la Fontaine", ("de la Fontaine", "Jean")),
        ("Smith, Jr., John", ("Smith", "John")),
        ("{Barnes and Noble, Inc.}", ("Barnes and Noble, Inc.", "")),
        ("{\\'E}mile Zola", ("Zola", "Émile")),
        ('M{\\"u}ller, J{\\"o}rg', ("Müller", "Jörg")),
        ("{von Neumann}, John", ("von Neumann", "John")),
        ("Per Brinch Hansen", ("Hansen", "Per Brinch")),
        ("李时珍", ("李", "时珍")),
        ("欧阳修", ("欧阳", "修")),
        ("山田 太郎", ("山田", "太郎")),
        ("Wang, Xiaoming", ("Wang", "Xiaoming")),
    ],
)
def test_names(field: str, expected: tuple[str, str]) -> None:
    (person,) = parse_names(field).people
    assert (person.family, person.given) == expected


def test_name_lists_split_on_and_outside_braces() -> None:
    names = parse_names("A. Smith and {Barnes and Noble} AND B. Jones and others")
    assert [p.family for p in names.people] == ["Smith", "Barnes and Noble", "Jones"]
    assert names.et_al
    assert parse_names("Smith, Jr., John").people[0].name == "John Smith, Jr."


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ('M{\\"u}ller', "Müller"),
        ("\\'{E}cole \\c{c}a \\v{S}koda", "École ça Škoda"),
        ("{\\ss} {\\o} {\\aa} \\L{}\\'od\\'z", "ß ø å Łódź"),
        ('Na\\"{\\i}ve', "Naïve"),
        ("Taylor {{\\&} Francis}", "Taylor & Francis"),
        ("50\\% of \\$5 \\#1 a\\_b", "50% of $5 #1 a_b"),
        ("pages 1--2 and---so ``quoted''", "pages 1–2 and—so “quoted”"),
        ("\\emph{Deep} \\textbf{nets} \\url{http://x.org/~a_b}", "Deep nets http://x.org/~a_b"),
        ("H$_2$O and $\\alpha$-$\\beta$ at $10^3$", "H₂O and α-β at 10³"),
        ("plain   text\n  wrapped", "plain text wrapped"),
    ],
)
def test_latex_to_unicode(latex: str, text: str) -> None:
    assert latex_to_unicode(latex) == text


@pytest.mark.parametrize(
    "text", ["a & b", "50% of $x$ \\alpha", "{braces} ~ ^ _ #", "x -- y ''q''", "Müller 测试"]
)
def test_escaping_round_trips(text: str) -> None:
    assert latex_to_unicode(unicode_to_latex(text)) == text


def test_escapes_the_specials() -> None:
    assert unicode_to_latex("R&D 100% $5 #1 a_b") == "R\\&D 100\\% \\$5 \\#1 a\\_b"
