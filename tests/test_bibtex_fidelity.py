"""What came in goes out: @preamble, fields that decode to nothing, annotations as Markdown."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from litreview.exporters.bibtex import render_bibtex
from litreview.importers.bibtex import parse_bibtex
from litreview.library.importing import import_records
from litreview.library.views import load_paper_views

TUGBOAT = r"""@preamble{ "\providecommand{\TUB}{TUGboat}" # "\providecommand{\MF}{Metafont}" }

@article{tub1, title = {The {\MF} book}, journal = {\TUB{}}, series = {\TUBSERIES{}}, year = {19xx},
  month = {mar}}
"""


def test_preamble_is_written_once_at_the_top_and_macro_fields_stay(client: TestClient) -> None:
    for _ in range(2):
        upload = client.post("/api/import/bibtex", files={"file": ("tub.bib", TUGBOAT.encode())})
        assert upload.status_code == 200, upload.text
    exported = client.get("/api/export", params={"format": "bibtex"}).text
    assert exported.startswith(
        "@preamble{ {\\providecommand{\\TUB}{TUGboat}\\providecommand{\\MF}{Metafont}} }"
    )
    assert exported.count("@preamble") == 1
    [entry] = parse_bibtex(exported, source="export.bib").records
    # A logo of the TeX community (tugboat.def's) is read; a macro the file does not define
    # decodes to nothing and keeps its LaTeX. Both are written back as they came.
    assert entry.venue == "TUGboat" and entry.title == "The METAFONT book"
    assert entry.extra["series"] == "\\TUBSERIES{}"
    assert entry.extra["year"] == "19xx"
    assert "journal = {\\TUB{}}" in exported and "year = {19xx}" in exported
    assert "series = {\\TUBSERIES{}}" in exported


ANNOTE = r"""@article{code, title = {Code}, annote = {Use it like this -- see below:

```python
x = "a" if b else 'c'  # <!-- not a comment -->
```

Caf\'e, na\"{\i}ve: 50\% \& more.}}
@article{zotero, title = {Z}, annote = {Comment: 24 pages, 5 figures}}
"""


def test_annotations_stay_markdown_and_zotero_comments_go_to_arxiv_comment(
    session: Session,
) -> None:
    code, zotero = parse_bibtex(ANNOTE, source="a.bib").records
    assert code.annotation is not None
    assert "```python\nx = \"a\" if b else 'c'  # <!-- not a comment -->\n```" in code.annotation
    assert code.annotation.startswith("Use it like this -- see below:")
    assert code.annotation.endswith("50% & more.")
    assert zotero.annotation is None and zotero.arxiv_comment == "24 pages, 5 figures"
    outcomes = import_records(session, [code, zotero]).outcomes
    views = load_paper_views(session, [o.paper_id or 0 for o in outcomes])
    again = parse_bibtex(render_bibtex(views), source="b.bib").records
    assert again[0].annotation == code.annotation
    assert again[1].arxiv_comment == "24 pages, 5 figures" and again[1].annotation is None


def test_arxiv_only_papers_export_as_arxiv_does(session: Session) -> None:
    from litreview.importers.records import AuthorRecord, PaperRecord
    from litreview.models import SourceKind

    record = PaperRecord(
        title="Scaling LLMs on ImageNet",
        source=SourceKind.arxiv,
        arxiv_id="2401.00001v2",
        primary_category="cs.LG",
        year=2024,
        authors=[AuthorRecord("Ann Smith", "Smith", "Ann")],
    )
    paper_id = import_records(session, [record]).outcomes[0].paper_id or 0
    text = render_bibtex(load_paper_views(session, [paper_id]))
    assert text.startswith("@misc{")
    for line in (
        "title = {Scaling {LLMs} on {ImageNet}}",
        "eprint = {2401.00001}",
        "archivePrefix = {arXiv}",
        "primaryClass = {cs.LG}",
        "url = {https://arxiv.org/abs/2401.00001}",
    ):
        assert line in text
    [again] = parse_bibtex(text, source="x.bib").records
    assert again.arxiv_id == "2401.00001" and again.title == "Scaling LLMs on ImageNet"


SPACED = """@article{m1, title = {Two  spaces and
   a line break}, month = mar, date = { 2001-03 }, journal = {J}}
@article{m2, title = {T}, month = {mar}, abstract = {First paragraph.

Second   paragraph.}}
@article{m3, title = {T3}, month = "apr"}
"""


def test_month_macros_stay_macros_and_spacing_is_kept_for_the_export(session: Session) -> None:
    records = parse_bibtex(SPACED, source="s.bib").records
    assert records[0].title == "Two spaces and a line break"  # collapsed for display and search
    outcomes = import_records(session, records).outcomes
    text = render_bibtex(load_paper_views(session, [o.paper_id or 0 for o in outcomes]))
    assert "month = mar," in text  # a macro stays a macro
    assert "month = {mar}," in text  # text stays text
    assert "month = {apr}," in text
    assert "title = {Two  spaces and\n   a line break}," in text
    assert "Second   paragraph.}" in text
    assert "date = { 2001-03 }," in text
    again = parse_bibtex(text, source="t.bib").records
    assert [r.title for r in again] == [r.title for r in records]
    assert [r.extra.get("month") for r in again] == ["mar", "{mar}", "{apr}"]
