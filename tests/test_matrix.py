"""The matrix counted by the server (library.matrix, GET /api/matrix): every kind of dimension,
the selection's filters, a cell's papers through the paper query, the Markdown table."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import add_area, add_paper, error_of
from fastapi.testclient import TestClient
from sqlmodel import Session

from litreview.errors import InvalidInput, NotFound
from litreview.importers.records import PaperRecord
from litreview.library.areas import create_area, set_paper_area
from litreview.library.column_edits import create_column
from litreview.library.matrix import count_matrix, dimension_choices, paper_matrix
from litreview.library.papers import import_records
from litreview.library.search import search_paper_ids
from litreview.library.tags import add_tags
from litreview.library.values import set_paper_fields
from litreview.models import ColumnType, SourceKind
from litreview.query import PaperFilter, PaperQuery

pytestmark = pytest.mark.both_dialects


@pytest.fixture
def library(session: Session) -> dict[str, int]:
    """Five papers: Level x When choices, areas under Safety, level: tags, years."""
    create_column(session, name="Level", type=ColumnType.choice, options=["Model", "Agent"])
    create_column(session, name="When", type=ColumnType.choice, options=["Training", "Use"])
    safety = create_area(session, "Safety")
    assert safety.id is not None
    evals = create_area(session, "Evals", parent_id=safety.id)
    interp = create_area(session, "Interp", parent_id=safety.id)
    probes = create_area(session, "Probes", parent_id=interp.id)
    titles = ["Probing", "Red teams", "Agents misbehave", "Circuits", "Loose"]
    years = [2021, 2022, 2022, 2023, None]
    records = [
        PaperRecord(title=t, year=y, source=SourceKind.manual)
        for t, y in zip(titles, years, strict=True)
    ]
    ids = [o.paper_id for o in import_records(session, records).outcomes]
    assert all(ids)
    p = dict(zip(titles, (int(i) for i in ids if i), strict=True))
    set_paper_fields(session, p["Probing"], {"Level": "Model", "When": "Training"})
    set_paper_fields(session, p["Red teams"], {"Level": "Agent", "When": "Use"})
    set_paper_fields(session, p["Agents misbehave"], {"Level": "Agent", "When": "Use"})
    set_paper_fields(session, p["Circuits"], {"Level": "Model"})
    assert probes.id and evals.id
    set_paper_area(session, p["Probing"], probes.id)  # under Interp
    set_paper_area(session, p["Circuits"], interp.id or 0)
    set_paper_area(session, p["Circuits"], probes.id)  # counted once under Interp
    set_paper_area(session, p["Red teams"], evals.id)
    add_tags(session, p["Probing"], ["level:low", "safety"])
    add_tags(session, p["Red teams"], ["level/high"])
    session.commit()
    return {**p, "safety": safety.id, "evals": evals.id, "interp": interp.id or 0}


def test_two_choice_columns_counted_with_the_unfiled(
    session: Session, library: dict[str, int]
) -> None:
    found = count_matrix(session, "Level", "column:When", PaperFilter())
    assert [c.label for c in found.rows.categories] == ["Model", "Agent"]
    assert found.counts == [[1, 0], [0, 2]]
    assert (found.total, found.placed) == (5, 3)
    assert found.unfiled == [library["Circuits"], library["Loose"]]


def test_areas_tags_and_years(session: Session, library: dict[str, int]) -> None:
    found = count_matrix(session, "area:Safety", "year", PaperFilter())
    assert [c.label for c in found.rows.categories] == ["Evals", "Interp"]
    assert [c.label for c in found.cols.categories] == ["2021", "2022", "2023"]
    assert found.counts == [[0, 1, 0], [1, 0, 1]]
    by_tag = count_matrix(session, "tag:level", f"area:{library['safety']}", PaperFilter())
    assert [c.label for c in by_tag.rows.categories] == ["high", "low"]
    assert by_tag.counts == [[1, 0], [0, 1]]


def test_the_selection_filters_the_counts(session: Session, library: dict[str, int]) -> None:
    found = count_matrix(session, "Level", "When", PaperFilter(year_min=2022, q="agents"))
    assert found.counts == [[0, 0], [0, 1]]
    assert found.total == 1 and found.unfiled == []


def test_a_cell_is_the_paper_query_with_its_filters(
    session: Session, library: dict[str, int]
) -> None:
    """Every cell's count is what the one paper query finds with the row's and the column's
    filters added to the selection."""
    selection = PaperFilter(year_min=2021)
    for rows, cols in [("Level", "When"), ("area:Safety", "year"), ("tag:level", "Level")]:
        found = count_matrix(session, rows, cols, selection)
        for i, r in enumerate(found.rows.categories):
            for j, c in enumerate(found.cols.categories):
                query = _merged(selection.model_dump(), r.filter, c.filter)
                _, total = search_paper_ids(session, PaperQuery.model_validate(query))
                assert total == found.counts[i][j], (rows, cols, r.label, c.label)


def _merged(*filters: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for one in filters:
        for name, value in one.items():
            if isinstance(value, list):
                merged[name] = [*merged.get(name, []), *value]
            elif value is not None:
                merged[name] = value
    return merged


def test_cells_papers_and_refusals(session: Session, library: dict[str, int]) -> None:
    matrix = paper_matrix(session, "Level", "When", PaperFilter())
    assert matrix.cells == {
        (0, 0): [library["Probing"]],
        (1, 1): sorted([library["Red teams"], library["Agents misbehave"]]),
    }
    with pytest.raises(NotFound, match=r"no choice column 'Nope' \(choice columns: Level, When\)"):
        count_matrix(session, "Nope", "year", PaperFilter())
    with pytest.raises(InvalidInput, match="'Safety/Evals' has no sub-areas"):
        count_matrix(session, "area:Safety/Evals", "year", PaperFilter())
    with pytest.raises(NotFound, match="no area 'Nope'"):
        count_matrix(session, "area:Nope", "year", PaperFilter())
    choices = dimension_choices(session)
    assert [c[0] for c in choices] == [
        "column:Level",
        "column:When",
        f"area:{library['interp']}",
        f"area:{library['safety']}",
        "tag:level",
        "year",
    ]


def test_the_api_counts_lists_a_cell_and_writes_markdown(client: TestClient) -> None:
    for name, options in (("Level", ["Model", "Agent"]), ("When", ["Training", "Use"])):
        response = client.post(
            "/api/columns", json={"name": name, "type": "choice", "options": options}
        )
        assert response.status_code == 201, response.text
    add_area(client, "Safety")
    filed = add_paper(client, "Circuit breakers", arxiv_id="2406.04313")
    add_paper(client, "Red | teaming")
    other = add_paper(client, "Probes (linear)", tags=["safety"])
    for paper in (filed, other):
        response = client.patch(
            f"/api/papers/{paper['id']}",
            json={"version": paper["version"], "fields": {"Level": "Model", "When": "Training"}},
        )
        assert response.status_code == 200, response.text
    dims = client.get("/api/matrix/dimensions").json()
    assert [d["id"] for d in dims["items"]] == ["column:Level", "column:When", "year"]
    body = client.get("/api/matrix", params={"rows": "column:Level", "cols": "When"}).json()
    assert body["counts"] == [[2, 0], [0, 0]]
    assert body["total"] == 3 and body["placed"] == 2
    assert [p["title"] for p in body["unfiled"]] == ["Red | teaming"]
    cell = body["rows"]["categories"][0]["filter"]
    assert cell == {"field": ["Level:eq:Model"]}
    listed = client.get("/api/papers", params={**cell, "tag": "safety"}).json()
    assert [p["title"] for p in listed["items"]] == ["Probes (linear)"]
    tagged = client.get(
        "/api/matrix", params={"rows": "Level", "cols": "When", "tag": "safety"}
    ).json()
    assert tagged["counts"] == [[1, 0], [0, 0]] and tagged["total"] == 1
    text = client.get("/api/matrix/markdown", params={"rows": "Level", "cols": "When"})
    assert text.headers["content-type"].startswith("text/markdown")
    lines = text.text.splitlines()
    assert lines[0] == "| Level | Training | Use |"
    assert lines[2] == (
        "| Model | [Circuit breakers](https://arxiv.org/abs/2406.04313)<br>"
        f"[Probes (linear)]({client.base_url}/#/paper/{other['id']}) |  |"
    )
    error_of(client.get("/api/matrix", params={"rows": "Nope", "cols": "year"}), 404)
    error_of(client.get("/api/matrix", params={"rows": "Level"}), 422)
