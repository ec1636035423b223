"""Exports on a small library: golden files per format, determinism, CommonMark structure, filters.

Golden files live in tests/golden/ (Markdown ones named ``*.md.golden`` so that no formatter
rewrites them); after a deliberate change of layout, rewrite them with
``LITREVIEW_REGENERATE_GOLDEN=1 pytest tests/test_export.py`` and read the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from export_library import build_library, records
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from litreview.db import make_engine, upgrade
from litreview.errors import InvalidInput, NotFound
from litreview.exporters import FORMATS, document, get_format
from litreview.library.export import (
    ExportData,
    ExportOptions,
    ExportReader,
    PaperOrder,
    TemplateSource,
    load_export,
)
from litreview.library.views import PaperView
from litreview.query import PaperFilter

pytestmark = pytest.mark.both_dialects

GOLDEN = Path(__file__).parent / "golden"
INTRO = "Papers on *latent* adversarial training, with notes.\n\n## How to read this\n\nBy area."


def assert_golden(name: str, text: str) -> None:
    """``text`` is byte-for-byte the golden file (rewritten when LITREVIEW_REGENERATE_GOLDEN=1)."""
    path = GOLDEN / name
    data = text.encode("utf-8")
    if os.environ.get("LITREVIEW_REGENERATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path}; run with LITREVIEW_REGENERATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} differs from its golden file"


@pytest.fixture
def library(session: Session) -> dict[str, int]:
    ids = build_library(session)
    session.commit()
    return ids


def export(
    session: Session, fmt: str, selection: PaperFilter | None = None, **options: object
) -> str:
    data = load_export(session, selection or PaperFilter(), ExportOptions(**options))  # type: ignore[arg-type]
    return get_format(fmt).render(data)


def full_markdown(session: Session) -> str:
    return export(
        session,
        "markdown",
        title="Latent adversarial training: an annotated bibliography",
        intro=INTRO,
        with_status=True,
        with_rating=True,
    )


# --- golden files -------------------------------------------------------------------------


def test_markdown_golden(session: Session, library: dict[str, int]) -> None:
    assert_golden("library.md.golden", full_markdown(session))


def test_markdown_area_golden(session: Session, library: dict[str, int]) -> None:
    selection = PaperFilter(area="Adversarial training")
    assert_golden(
        "area.md.golden", export(session, "markdown", selection, order=PaperOrder.by_title)
    )


def test_csljson_golden(session: Session, library: dict[str, int]) -> None:
    text = export(session, "csl-json")
    assert_golden("library.csl.json", text)
    items = json.loads(text)
    assert [item["id"] for item in items] == sorted(item["id"] for item in items)


def test_bibtex_golden_through_the_registry(session: Session, library: dict[str, int]) -> None:
    assert_golden("library.bib", export(session, "bibtex"))


# --- determinism --------------------------------------------------------------------------


def test_two_exports_of_an_unchanged_library_are_identical(
    engine: Engine, library: dict[str, int]
) -> None:
    for name in FORMATS:
        with Session(engine) as first, Session(engine) as second:
            assert export(first, name, with_status=True) == export(second, name, with_status=True)


def test_insertion_order_does_not_change_any_export(tmp_path: Path) -> None:
    texts: list[dict[str, str]] = []
    for reverse in (False, True):
        engine = make_engine(f"sqlite:///{tmp_path / f'lib-{reverse}.db'}")
        upgrade(engine)
        with Session(engine) as session:
            build_library(session, reverse=reverse)
            session.commit()
            texts.append({name: export(session, name) for name in FORMATS})
            texts[-1]["full"] = full_markdown(session)
        engine.dispose()
    assert texts[0] == texts[1]


# --- CommonMark structure -----------------------------------------------------------------


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").parse(text)


def heading_ids(tokens: list[Token]) -> list[tuple[int, str, str]]:
    """(level, id, text) of every heading, the id from its ``<a id="...">``."""
    found = []
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        children = inline.children or []
        anchor = next(
            (
                c.content.split('"')[1]
                for c in children
                if c.type == "html_inline" and "id=" in c.content
            ),
            "",
        )
        text = "".join(c.content for c in children if c.type in ("text", "code_inline"))
        found.append((int(token.tag[1]), anchor, text))
    return found


def internal_links(tokens: list[Token]) -> list[str]:
    links = []
    for token in tokens:
        for child in token.children or []:
            href = child.attrGet("href") if child.type == "link_open" else None
            if isinstance(href, str) and href.startswith("#"):
                links.append(href[1:])
    return links


def test_markdown_is_well_formed_commonmark(session: Session, library: dict[str, int]) -> None:
    tokens = parse(full_markdown(session))
    headings = heading_ids(tokens)
    assert headings[0] == (1, "", "Latent adversarial training: an annotated bibliography")
    areas = [(level, text) for level, anchor, text in headings if anchor.startswith("area-")]
    assert areas == [
        (2, "Adversarial training"),
        (3, "Latent adversarial training"),
        (3, "Evaluation"),
        (2, "Interpretability"),
        (3, "Probing"),
        (2, "Empty area"),
    ]
    anchors = [anchor for _, anchor, _ in headings if anchor]
    assert len(anchors) == len(set(anchors))
    papers = {anchor for _, anchor, _ in headings if anchor and not anchor.startswith("area-")}
    assert papers == {
        "madry2017towards",
        "casper2024defending",
        "muller2024critique",
        "vaswani2017attention",
        "carlini2019evaluating",
        "anon:notes-probing",
        "hostile2020page",
        "other",
    }
    # Every internal link lands on an anchor of the document.
    assert set(internal_links(tokens)) <= set(anchors)
    # Papers sit one level below their area; Other is a top-level section, last.
    levels = {anchor: level for level, anchor, _ in headings}
    assert levels["madry2017towards"] == 3
    assert levels["casper2024defending"] == 4
    assert levels["anon:notes-probing"] == 4
    assert headings[-2][1:] == ("other", "Other")
    assert headings[-1][1] == "vaswani2017attention"


def test_user_markdown_cannot_break_the_structure(
    session: Session, library: dict[str, int]
) -> None:
    text = full_markdown(session)
    tokens = parse(text)
    heading_texts = [t for _, _, t in heading_ids(tokens)]
    # Headings inside annotations and descriptions became bold paragraphs.
    for inner in ("My notes", "Setext heading too", "Why a heading here"):
        assert inner not in heading_texts
        assert f"**{inner}**" in text
    # The intro keeps its own heading (it is the user's document, not an entry).
    assert "How to read this" in heading_texts
    # The unclosed fence and comment were closed: what follows them is still Markdown.
    paragraphs = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "paragraph_open"]
    madry = "[Towards Deep Learning Models Resistant to Adversarial Attacks](#madry2017towards)"
    assert f"**Cites:** {madry}" in paragraphs
    assert any(p.startswith("**Related:** [Towards Deep Learning") for p in paragraphs)
    fences = [t for t in tokens if t.type == "fence"]
    assert [f.content for f in fences] == ["print('an unclosed fence')\n"]
    # No raw <script> survives; the javascript: URL is not a link.
    html = MarkdownIt("commonmark").render(text)
    assert "<script" not in html
    assert "javascript:" not in html


def test_titles_and_venues_are_escaped(session: Session, library: dict[str, int]) -> None:
    html = MarkdownIt("commonmark").render(full_markdown(session))
    assert (
        "A critique of *latent* adversarial training [with brackets] &amp; &lt;html&gt; #1" in html
    )
    assert "Proc. of the *Safety* Workshop_2024" in html
    assert "Jürgen Müller, Zoë Ångström, Anna van der Berg, The LAT Consortium (2024)." in html


def test_a_paper_in_two_areas_is_written_once(session: Session, library: dict[str, int]) -> None:
    text = full_markdown(session)
    assert text.count('<a id="casper2024defending"></a>') == 1
    probing = text.split('<a id="area-interpretability-probing"></a>')[1].split("\n## ")[0]
    assert (
        "[Defending Against Unforeseen Failure Modes with Latent Adversarial Training]" in probing
    )
    assert "(Casper et al., 2024)" in probing
    assert "Uses probes to pick layers." in probing
    assert "*Also in:* [Probing](#area-interpretability-probing)" in text


def test_relations_link_inside_the_export_and_name_papers_outside(
    session: Session, library: dict[str, int]
) -> None:
    text = export(session, "markdown", PaperFilter(area="Interpretability"))
    # casper is in the export (Probing); madry, whom it extends, is not: plain title.
    assert "**Extends:** *Towards Deep Learning Models Resistant to Adversarial Attacks*" in text
    assert "**Responded to by:** [Notes on probing](#anon:notes-probing)" in text
    assert '## <a id="other">' not in text


def test_authors_over_the_limit_end_with_et_al(session: Session, library: dict[str, int]) -> None:
    text = export(session, "markdown", PaperFilter(tag=["evaluation"]), author_limit=3)
    assert "Nicholas Carlini, Anish Athalye, Nicolas Papernot et al. (2019)." in text


# --- order and selection ------------------------------------------------------------------


def paper_order(text: str) -> list[str]:
    return [
        anchor
        for _, anchor, _ in heading_ids(parse(text))
        if anchor and not anchor.startswith(("area-", "other"))
    ]


def test_paper_orders(session: Session, library: dict[str, int]) -> None:
    selection = PaperFilter(area="Adversarial training/Latent adversarial training")
    by = {o: paper_order(export(session, "markdown", selection, order=o)) for o in PaperOrder}
    assert by[PaperOrder.by_year] == ["muller2024critique", "casper2024defending"]
    assert by[PaperOrder.by_title] == ["muller2024critique", "casper2024defending"]
    assert by[PaperOrder.by_author] == ["casper2024defending", "muller2024critique"]
    other = export(session, "markdown", PaperFilter(tag=["PGD"]), order=PaperOrder.by_year)
    assert paper_order(other) == ["madry2017towards"]


def test_filters_select_papers_and_prune_empty_areas(
    session: Session, library: dict[str, int]
) -> None:
    data = load_export(session, PaperFilter(tag=["LAT"], status="read"))
    assert [v.paper.key for v in data.papers] == ["casper2024defending"]
    assert [a.path for a in data.walk_areas()] == [
        "Adversarial training",
        "Adversarial training/Latent adversarial training",
        "Interpretability",
        "Interpretability/Probing",
    ]
    found = load_export(session, PaperFilter(q="checklist"))
    assert [v.paper.key for v in found.papers] == ["carlini2019evaluating"]
    whole = load_export(session, PaperFilter())
    assert "Empty area" in [a.path for a in whole.walk_areas()]
    sub = load_export(session, PaperFilter(area="Interpretability"))
    assert [a.path for a in sub.areas] == ["Interpretability"]
    assert {v.paper.key for v in sub.papers} == {
        "casper2024defending",
        "anon:notes/probing",
        "hostile2020page",
    }


def test_bad_selections_are_clear_errors(session: Session, library: dict[str, int]) -> None:
    with pytest.raises(
        InvalidInput, match=r"--status: unknown reading status 'done'.*known: unread"
    ):
        load_export(session, PaperFilter.parse(status="done"))
    with pytest.raises(NotFound, match="no area 'Nope'"):
        load_export(session, PaperFilter(area="Adversarial training/Nope"))
    with pytest.raises(
        InvalidInput, match=r"unknown export format 'docx' \(known: markdown, bibtex, csl-json, "
    ):
        get_format("docx")


def test_an_empty_export_is_still_a_document(session: Session) -> None:
    text = export(session, "markdown", title="Nothing yet")
    assert text == "# Nothing yet\n\nNo papers match this selection.\n"
    assert export(session, "csl-json") == "[]\n"


def test_papers_without_areas_are_under_papers_when_there_are_no_areas(session: Session) -> None:
    from litreview.library.papers import import_records

    import_records(session, records()[:2])
    text = export(session, "markdown")
    assert '## <a id="other"></a>Papers' in text
    assert "Contents" not in text


def test_export_data_is_all_exporters_need(session: Session, library: dict[str, int]) -> None:
    data = load_export(session, PaperFilter())
    assert isinstance(data, ExportData)
    # Whole papers come through the export's reader (here on a session of its own); a query
    # on the session the export was loaded with would mean an exporter reads the database.
    with Session(session.get_bind()) as own:
        data.reader = ExportReader(own, data.options)

        @event.listens_for(session, "do_orm_execute")
        def refuse(state: ORMExecuteState) -> None:
            raise AssertionError(f"an exporter queried the database: {state.statement}")

        for fmt in FORMATS.values():
            assert fmt.render(data)


class CountingReader(ExportReader):
    """The export's reader, recording the ids of every batch of whole papers it reads."""

    def __init__(self, session: Session, options: ExportOptions) -> None:
        super().__init__(session, options)
        self.batches: list[list[int]] = []

    def views(self, ids: Sequence[int]) -> list[PaperView]:
        self.batches.append(list(ids))
        return super().views(ids)


def test_markdown_is_written_as_it_is_made_a_batch_of_papers_at_a_time(
    session: Session, library: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen: dict[str, object] = {"with_status": True, "with_rating": True, "with_notes": True}
    whole = export(session, "markdown", **chosen)
    monkeypatch.setattr(document, "FILL_BATCH", 2)
    data = load_export(session, PaperFilter(), ExportOptions(**chosen))  # type: ignore[arg-type]
    data.reader = reader = CountingReader(session, data.options)
    pieces = list(get_format("markdown").chunks(data))
    assert "".join(pieces) == whole
    assert len(pieces) > len(data.outlines)
    # Every paper is read whole once, two at a time, never all at once.
    read = [paper_id for batch in reader.batches for paper_id in batch]
    assert sorted(read) == sorted(o.id for o in data.outlines)
    assert max(len(batch) for batch in reader.batches) == 2
    # A template sees the same entries filled at once: its builtin layout is the same text.
    template = TemplateSource("builtin.md", "{{ builtin() }}")
    templated = export(session, "markdown", template=template, **chosen)
    assert templated.rstrip("\n") == whole.rstrip("\n")
