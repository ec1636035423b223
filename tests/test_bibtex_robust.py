"""Inputs built to hurt: a @string bomb, 5,000-deep nesting, keys BibTeX does not accept."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from litreview.importers.bibtex import parse_bibtex
from litreview.library.importing import import_records
from litreview.library.papers_base import get_paper_by_key


def _doubling(i: int) -> str:
    """@string NEXT = PREV # PREV # PREV # PREV: each macro four times the one before."""
    new, old = chr(98 + i), chr(97 + i)
    return f"@string{{{new} = {old} # {old} # {old} # {old}}}\n"


BOMB = (
    '@string{a = "xxxxxxxxxx"}\n'
    + "".join(_doubling(i) for i in range(12))
    + "@article{bomb, title = m}\n@article{fine, title = b}\n"
)


def test_a_string_bomb_fails_its_entry_and_nothing_else() -> None:
    result = parse_bibtex(BOMB, source="b.bib")
    assert [(r.key, r.title) for r in result.records] == [("fine", "x" * 40)]
    errors = [p for p in result.problems if p.kind == "error"]
    assert [(p.line, p.key) for p in errors] == [(14, "bomb")]
    assert "more than 100,000 characters" in errors[0].message
    assert result.info["failed"] == 1 and result.info["records"] == 1


def test_deep_nesting_is_kept_as_written_with_a_warning() -> None:
    title = "\\textbf{" * 5000 + "x" + "}" * 5000
    frac = "$" + "\\frac{1}{" * 3000 + "x" + "}" * 3000 + "$"
    text = f"@article{{deep, title = {{{title}}}}}\n@article{{frac, title = {{{frac}}}}}\n"
    result = parse_bibtex(text, source="d.bib")
    deep, nested = result.records
    assert deep.title == title  # not decoded: kept as it came
    assert nested.title == frac
    warnings = [str(p) for p in result.problems]
    assert "d.bib:1 [deep]: title nests braces more than 100 deep; kept as written" in warnings


def test_keys_bibtex_does_not_accept_are_cleaned_and_kept_as_aliases(session: Session) -> None:
    result = parse_bibtex("@article{smith%2020~x, title = {Odd key}}", source="k.bib")
    record = result.records[0]
    assert record.key == "smith_2020_x" and record.aliases == ["smith%2020~x"]
    assert "BibTeX does not accept" in str(result.problems[0])
    import_records(session, result.records)
    assert get_paper_by_key(session, "smith%2020~x").key == "smith_2020_x"


def test_the_api_refuses_such_keys(client: TestClient) -> None:
    created = client.post("/api/papers", json={"title": "A", "key": "has space"})
    assert created.status_code == 422
    assert "BibTeX does not accept" in created.json()["error"]["message"]
    paper = client.post("/api/papers", json={"title": "A", "key": "fine:key-1"}).json()
    patched = client.patch(
        f"/api/papers/{paper['id']}", json={"key": "a,b", "version": paper["version"]}
    )
    assert patched.status_code == 422 and "'a_b'" in patched.json()["error"]["message"]
