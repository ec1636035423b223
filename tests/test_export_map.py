"""The map exported alone (Mermaid, DOT) and at the head of the Markdown bibliography, with
papers grouped by stance: golden files, hostile names quoted, deterministic output."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from litreview.exporters import get_format
from litreview.exporters.dot import quote as dot_quote
from litreview.exporters.mermaid import quote as mermaid_quote
from litreview.importers.records import PaperRecord
from litreview.library.area_links import link_areas
from litreview.library.areas import ensure_area_path, set_paper_area, update_area
from litreview.library.export import ExportOptions, load_export
from litreview.library.papers import import_records
from litreview.models import AreaRelation, AreaStatus, SourceKind
from litreview.query import PaperFilter
from tests.test_export import assert_golden

HOSTILE = 'Evil "quote" [bracket] --> x <b onclick=alert(1)>&amp; `tick` #35; \\n end'


def build_map(session: Session) -> dict[str, int]:
    """Kwa's circuit-discovery tech tree, plus an area with every hostile character."""
    paths = {
        "disc": "Circuit discovery/Gradient-based monosemantic circuit discovery",
        "removal": "Capability removal",
        "scoping": "Scoping models down",
        "sae": "Circuit discovery/Sparse autoencoders",
        "hostile": f"Odd names/{HOSTILE}\nsecond line",
    }
    ids: dict[str, int] = {}
    for name, path in paths.items():
        area = ensure_area_path(session, path.replace("\n", " "))
        assert area.id is not None
        ids[name] = area.id
    update_area(session, ids["disc"], status=AreaStatus.promising)
    update_area(session, ids["removal"], status=AreaStatus.open)
    update_area(session, ids["sae"], status=AreaStatus.active)
    update_area(session, ids["scoping"], status=AreaStatus.stalled)
    link_areas(session, ids["disc"], ids["removal"], AreaRelation.enables, note="if it scales")
    link_areas(session, ids["removal"], ids["scoping"], AreaRelation.enables)
    link_areas(session, ids["sae"], ids["disc"], AreaRelation.alternative_to)
    link_areas(session, ids["hostile"], ids["sae"], AreaRelation.related, note=HOSTILE)
    papers = [
        ("Attribution patching finds circuits", "supports", "Works at scale."),
        ("Circuits are not monosemantic", "undercuts", "Polysemantic heads."),
        ("A survey of interpretability", "background", ""),
        ("Unplaced stance", None, ""),
    ]
    for number, (title, stance, note) in enumerate(papers):
        record = PaperRecord(title=title, source=SourceKind.manual, year=2020 + number)
        pid = import_records(session, [record]).outcomes[0].paper_id
        assert pid is not None
        set_paper_area(
            session, pid, ids["disc"], note=note, stance=stance, set_stance=stance is not None
        )
    session.commit()
    return ids


def render(session: Session, fmt: str, **options: object) -> str:
    data = load_export(session, PaperFilter(), ExportOptions(**options))  # type: ignore[arg-type]
    return get_format(fmt).render(data)


def test_mermaid_and_dot_goldens(session: Session) -> None:
    build_map(session)
    mermaid = render(session, "mermaid")
    dot = render(session, "dot")
    assert_golden("map.mmd", mermaid)
    assert_golden("map.dot", dot)
    assert render(session, "mermaid") == mermaid and render(session, "dot") == dot


def test_markdown_begins_with_the_map_and_groups_papers_by_stance(session: Session) -> None:
    build_map(session)
    text = render(session, "markdown", title="Circuit discovery tech tree", with_map=True)
    assert_golden("map_bibliography.md.golden", text)
    assert text.index("```mermaid\nflowchart TB") < text.index("## Contents")
    order = [text.index(w) for w in ("**Supporting**", "**Undercutting**", "**Background**")]
    assert order == sorted(order) and "**Other papers**" in text
    assert "```mermaid" not in render(session, "markdown")


@pytest.mark.parametrize("quote", [mermaid_quote, dot_quote])
def test_hostile_names_stay_inside_one_string(quote: object) -> None:
    assert callable(quote)
    quoted = quote(HOSTILE + "\n" + HOSTILE)
    assert quoted.startswith('"') and quoted.endswith('"') and "\n" not in quoted
    inner = quoted[1:-1]
    # No unescaped quote can end the string early.
    assert not re.search(r'(?<!\\)"', inner)


def test_mermaid_labels_carry_no_markup(session: Session) -> None:
    build_map(session)
    mermaid = render(session, "mermaid")
    for bad in ("<b", "`", '\\"', "&amp;"):
        assert bad not in mermaid
    # Every line is a statement of its own: node, edge, classDef or class.
    statement = re.compile(
        r"^(flowchart TB"
        r'|    n\d+\["[^"\n]*"\]'
        r'|    n\d+ (---|==>|-\.->)(\|"[^"]*"\|)? n\d+'
        r"|    classDef \w+ [^\n]+"
        r"|    class [n\d,]+ \w+)$"
    )
    for line in mermaid.splitlines():
        assert statement.match(line), line


def test_map_export_through_api_and_cli_names(session: Session, client: TestClient) -> None:
    response = client.get("/api/export?format=mermaid")
    assert response.status_code == 200 and response.text == "flowchart TB\n"
    dot = client.get("/api/export?format=dot")
    assert dot.headers["content-type"].startswith("text/vnd.graphviz")
    assert dot.text.startswith("digraph research_map {")
    with_map = client.get("/api/export?format=markdown&with_map=true")
    assert with_map.status_code == 200
