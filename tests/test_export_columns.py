"""The annotated bibliography with columns of one's own: values under papers and at area
headings, a table of areas with estimates sorted by a column, a matrix section, templates."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from litreview.errors import InvalidInput, NotFound
from litreview.exporters import export_text, get_format
from litreview.importers.records import PaperRecord
from litreview.library.areas import create_area, set_paper_area
from litreview.library.column_edits import create_column
from litreview.library.export import ExportOptions, TemplateSource
from litreview.library.papers import import_records
from litreview.library.values import set_area_fields, set_paper_fields
from litreview.models import ColumnTarget, ColumnType, SourceKind
from litreview.query import PaperFilter


@pytest.fixture
def botec(session: Session) -> Session:
    for name in ("P success", "Impact"):
        create_column(session, name=name, type=ColumnType.number, target=ColumnTarget.area)
    create_column(
        session,
        name="BOTEC",
        type=ColumnType.number,
        target=ColumnTarget.area,
        formula="p_success * impact",
    )
    create_column(session, name="Level", type=ColumnType.choice, options=["Model", "Agent"])
    create_column(session, name="When", type=ColumnType.choice, options=["Training", "Use"])
    create_column(session, name="Params", type=ColumnType.number, unit="B")
    interp = create_area(session, "Interpretability")
    evals = create_area(session, "Evals")
    assert interp.id is not None and evals.id is not None
    set_area_fields(session, interp.id, {"P success": "0.1 to 0.3", "Impact": 100})
    set_area_fields(session, evals.id, {"P success": 0.5, "Impact": 100})
    records = [
        PaperRecord(title=t, year=y, source=SourceKind.manual)
        for t, y in (("Probes", 2023), ("Red teams", 2024))
    ]
    report = import_records(session, records)
    probes, red = (o.paper_id for o in report.outcomes)
    assert probes is not None and red is not None
    set_paper_area(session, probes, interp.id)
    set_paper_area(session, red, evals.id)
    set_paper_fields(session, probes, {"Level": "Model", "When": "Training", "Params": 7})
    set_paper_fields(session, red, {"Level": "Agent", "When": "Use"})
    session.commit()
    return session


def markdown(session: Session, **options: object) -> str:
    text = export_text(session, get_format("markdown"), PaperFilter(), ExportOptions(**options))  # type: ignore[arg-type]
    assert isinstance(text, str)
    return text


def test_columns_under_papers_and_at_area_headings(botec: Session) -> None:
    text = markdown(botec, columns=["Params", "Level"])
    assert "*Params:* 7 · *Level:* Model" in text
    assert "*Level:* Agent" in text and "*Params:* \n" not in text
    assert "*P success:* 0.5 · *Impact:* 100 · *BOTEC:* 50" in text
    assert "*P success:* 0.1732 (0.1 to 0.3)" in text


def test_areas_table_sorted_by_an_estimate_and_a_matrix(botec: Session) -> None:
    text = markdown(botec, areas_table="botec", matrix="Level,When")
    table = text.split("## Areas by BOTEC\n\n")[1].split("\n\n")[0].splitlines()
    assert table[0] == "| Area | P success | Impact | BOTEC |"
    assert table[2].startswith("| [Evals](#area-evals) | 0.5 | 100 | 50 |")
    assert table[3].startswith("| [Interpretability](#area-interpretability) | 0.1732 (0.1 to 0.3)")
    matrix = text.split("## Level × When\n\n")[1].split("\n\n")[0].splitlines()
    assert matrix[0] == "| Level | Training | Use |"
    assert matrix[2].startswith("| Model | [Probes](#") and matrix[2].endswith("|  |")
    with pytest.raises(InvalidInput, match="choice columns: Level, When"):
        markdown(botec, matrix="Level")
    by_area = markdown(botec, matrix="When,year").split("## When × Year\n\n")[1]
    assert by_area.splitlines()[:4] == [
        "| When | 2023 | 2024 |",
        "| --- | --- | --- |",
        "| Training | [Probes](#anon2023probes) |  |",
        "| Use |  | [Red teams](#anon2024red) |",
    ]
    with pytest.raises(NotFound, match="no area column 'nope'"):
        markdown(botec, areas_table="nope")


def test_templates_see_columns(botec: Session) -> None:
    template = (
        "{% for s in sections %}{{ s.name }}={{ s.fields.BOTEC }};{% endfor %}"
        "{% for r in areas_table.rows %}{{ r.path }} {% endfor %}"
    )
    text = markdown(botec, template=TemplateSource("t.md.j2", template), areas_table="BOTEC")
    assert "Evals=50;" in text and "Evals Interpretability" in text
