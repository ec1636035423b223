"""Columns of one's own: definitions, typed values, versions, formulas, API and CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_helpers import add_area, add_paper, error_of
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from litreview.cli import app as cli_app
from litreview.errors import Conflict, InvalidInput
from litreview.library.column_edits import create_column, delete_column, update_column
from litreview.library.values import field_values, set_paper_fields
from litreview.models import ColumnTarget, ColumnType

pytestmark = pytest.mark.both_dialects


def column(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/columns", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def patch(client: TestClient, paper: dict[str, Any], fields: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/papers/{paper['id']}", json={"fields": fields, "version": paper["version"]}
    )


def test_typed_values_round_trip_through_the_api(client: TestClient) -> None:
    column(client, name="Params", type="number", unit="B", minimum=0)
    column(client, name="Layers", type="integer")
    column(client, name="Score", type="rating")
    column(client, name="Method", type="choice", options=["RLHF", "SFT", "DPO"])
    column(client, name="Data", type="multi_choice", options=["web", "code", "books"])
    column(client, name="Open", type="yes_no")
    column(client, name="Released", type="date")
    column(client, name="Card", type="link")
    column(client, name="Training", type="text")
    paper = add_paper(client, "A model")
    values = {
        "Params": "10 to 70",
        "Layers": "32",
        "Score": 4,
        "Method": "sft",
        "Data": "code; web",
        "Open": "yes",
        "Released": "2024-03",
        "Card": "https://example.org/card",
        "Training": "two stages",
    }
    response = patch(client, paper, values)
    assert response.status_code == 200, response.text
    fields = response.json()["fields"]
    assert fields["Params"]["low"] == 10 and fields["Params"]["high"] == 70
    assert fields["Layers"] == 32 and fields["Score"] == 4 and fields["Method"] == "SFT"
    assert fields["Data"] == ["web", "code"] and fields["Open"] is True
    assert fields["Released"] == "2024-03" and fields["Training"] == "two stages"
    assert client.get(f"/api/papers/{paper['id']}").json()["fields"] == fields
    listed = client.get("/api/papers").json()["items"][0]
    assert listed["fields"] == fields


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("Params", -1, "below the minimum"),
        ("Params", "many", "expected a number"),
        ("Layers", "3.5", "whole number"),
        ("Score", 9, "rating from 0 to 5"),
        ("Method", "PPO", "not one of its options"),
        ("Open", "perhaps", "yes or no"),
        ("Released", "2024-13-01", "expected a date"),
        ("Card", "javascript:alert(1)", "http"),
        ("Nope", 1, "no paper column 'Nope'"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    client: TestClient, name: str, value: Any, message: str
) -> None:
    column(client, name="Params", type="number", minimum=0)
    column(client, name="Layers", type="integer")
    column(client, name="Score", type="rating")
    column(client, name="Method", type="choice", options=["RLHF", "SFT"])
    column(client, name="Open", type="yes_no")
    column(client, name="Released", type="date")
    column(client, name="Card", type="link")
    paper = add_paper(client, "A model")
    unknown = name == "Nope"  # a column that is not there: 404, as for any missing thing
    error = error_of(patch(client, paper, {"Layers": 3, name: value}), 404 if unknown else 422)
    assert message in error["message"]
    after = client.get(f"/api/papers/{paper['id']}").json()
    assert after["fields"] == {} and after["version"] == paper["version"]


def test_a_stale_version_is_refused(client: TestClient) -> None:
    column(client, name="Note", type="text")
    paper = add_paper(client, "A paper")
    assert patch(client, paper, {"Note": "first"}).status_code == 200
    error_of(patch(client, paper, {"Note": "second"}), 409)
    assert client.get(f"/api/papers/{paper['id']}").json()["fields"] == {"Note": "first"}


def test_area_columns_and_a_botec_formula(client: TestClient) -> None:
    for name in ("P success", "P relevant", "Impact"):
        column(client, name=name, type="number", target="area")
    botec = column(
        client, name="BOTEC", type="number", target="area", formula="p_success*p_relevant*impact"
    )
    assert botec["key"] == "botec"
    area = add_area(client, "Interpretability")
    body = {"fields": {"P success": "0.1 to 0.3", "P relevant": 0.5, "Impact": 100}, "version": 1}
    response = client.patch(f"/api/areas/{area['id']}", json=body)
    assert response.status_code == 200, response.text
    fields = response.json()["fields"]
    assert response.json()["version"] == 2
    # A lognormal range times points: the median is sqrt(0.1 * 0.3) * 50, the interval 5..15.
    assert fields["BOTEC"]["median"] == pytest.approx(0.1732 * 50, rel=0.05)
    assert fields["BOTEC"]["low"] == pytest.approx(5, rel=0.08)
    assert fields["BOTEC"]["high"] == pytest.approx(15, rel=0.08)
    error_of(client.patch(f"/api/areas/{area['id']}", json=body), 409)
    again = {"fields": {"P success": 0.2}, "version": 2}
    exact = client.patch(f"/api/areas/{area['id']}", json=again).json()["fields"]
    assert exact["BOTEC"] == pytest.approx(10)
    tree = client.get("/api/areas").json()["items"][0]
    assert tree["fields"]["BOTEC"] == pytest.approx(10)
    error_of(client.patch(f"/api/areas/{area['id']}", json={"fields": {"BOTEC": 3}}), 422)


def test_formula_cycles_and_unknown_names_are_refused(session: Session) -> None:
    # What a formula names depends on the library's columns: a conflict with them (409).
    a = create_column(session, name="a", type=ColumnType.number)
    b = create_column(session, name="b", type=ColumnType.number, formula="a * 2")
    create_column(session, name="label", type=ColumnType.text)
    with pytest.raises(Conflict, match="unknown name 'zz'"):
        create_column(session, name="c", type=ColumnType.number, formula="b + zz")
    with pytest.raises(Conflict, match="unknown name 'label'"):
        create_column(session, name="c", type=ColumnType.number, formula="label + 1")
    with pytest.raises(InvalidInput, match="not a formula"):
        create_column(session, name="c", type=ColumnType.number, formula="b +")
    create_column(session, name="c", type=ColumnType.number, formula="b + 1")
    assert a.id is not None and b.id is not None
    with pytest.raises(Conflict, match=r"cycle \(b -> c -> b\)"):
        update_column(session, b.id, {"formula": "c * 2"})
    with pytest.raises(Conflict, match="read by the formula of 'b'"):
        delete_column(session, a.id)


def test_rename_options_and_delete(session: Session, client: TestClient) -> None:
    method = column(client, name="Method", type="choice", options=["RLHF", "SFT"])
    column(client, name="Size", type="number")
    column(client, name="Double", type="number", formula="size * 2")
    paper = add_paper(client, "A paper")
    assert patch(client, paper, {"Method": "SFT", "Size": 3}).status_code == 200
    renamed = client.patch(f"/api/columns/{method['id']}", json={"name": "Approach"}).json()
    assert renamed["name"] == "Approach"
    size = client.get("/api/columns").json()["items"][1]
    client.patch(f"/api/columns/{size['id']}", json={"name": "Params"})
    double = client.get("/api/columns").json()["items"][2]
    assert double["formula"] == "params * 2"
    error = error_of(
        client.patch(f"/api/columns/{method['id']}", json={"options": ["RLHF", "DPO"]}), 409
    )
    assert "SFT" in error["message"]
    reordered = {"options": ["DPO", "SFT", "RLHF"]}
    assert client.patch(f"/api/columns/{method['id']}", json=reordered).status_code == 200
    fields = client.get(f"/api/papers/{paper['id']}").json()["fields"]
    assert fields == {"Approach": "SFT", "Params": 3, "Double": 6}
    error_of(client.delete(f"/api/columns/{method['id']}"), 409)
    gone = client.delete(f"/api/columns/{method['id']}", params={"confirm": "true"})
    assert gone.json() == {"deleted_values": 1}
    assert "Approach" not in client.get(f"/api/papers/{paper['id']}").json()["fields"]


def test_values_go_with_their_paper(session: Session) -> None:
    from litreview.importers.records import PaperRecord
    from litreview.library.papers import delete_paper, import_records
    from litreview.models import SourceKind

    create_column(session, name="Note", type=ColumnType.text)
    report = import_records(session, [PaperRecord(title="T", source=SourceKind.manual)])
    paper_id = report.outcomes[0].paper_id
    assert paper_id is not None
    set_paper_fields(session, paper_id, {"Note": "x"})
    assert field_values(session, ColumnTarget.paper, [paper_id]) == {paper_id: {"Note": "x"}}
    delete_paper(session, paper_id)
    assert field_values(session, ColumnTarget.paper, [paper_id]) == {}


def test_cli_columns_add_list_set_remove(tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(tmp_path / "lib.db")]
    added = runner.invoke(
        cli_app, [*db, "columns", "add", "Stage", "--type", "choice", "-o", "idea", "-o", "done"]
    )
    assert added.exit_code == 0, added.output
    assert runner.invoke(cli_app, [*db, "columns", "add", "Stage", "--type", "text"]).exit_code
    listed = runner.invoke(cli_app, [*db, "columns", "list"])
    assert "Stage" in listed.output and "idea, done" in listed.output
    removed = runner.invoke(cli_app, [*db, "columns", "remove", "Stage"], input="y\n")
    assert removed.exit_code == 0 and "removed column 'Stage'" in removed.output
    assert "Stage" not in runner.invoke(cli_app, [*db, "columns", "list"]).output


def test_search_finds_text_column_values(client: TestClient) -> None:
    how = column(client, name="Training", type="text")
    column(client, name="Method", type="choice", options=["Distillation", "SFT"])
    paper = add_paper(client, "A model card")
    add_paper(client, "Another paper")

    def found(word: str) -> list[str]:
        items = client.get("/api/papers", params={"q": word}).json()["items"]
        return [p["title"] for p in items]

    assert (
        patch(client, paper, {"Training": "pretrained on gravitational lenses"}).status_code == 200
    )
    assert found("gravitational") == ["A model card"]
    paper = client.get(f"/api/papers/{paper['id']}").json()
    assert (
        patch(client, paper, {"Training": "curriculum", "Method": "Distillation"}).status_code
        == 200
    )
    assert found("gravitational") == [] and found("curriculum") == ["A model card"]
    assert found("distillation") == []  # a choice is filtered by, not searched
    gone = client.delete(f"/api/columns/{how['id']}", params={"confirm": "true"})
    assert gone.status_code == 200
    assert found("curriculum") == []


def test_settings_a_type_does_not_take_are_refused_by_the_schema_or_conflict(
    client: TestClient,
) -> None:
    # A new column: the schema states which settings each type takes (422 outside it).
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ColumnIn"]
    assert len(schema["anyOf"]) == 4
    error_of(client.post("/api/columns", json={"name": "T", "options": ["a"]}), 422)
    error_of(client.post("/api/columns", json={"name": "T", "minimum": 1}), 422)
    error_of(client.post("/api/columns", json={"name": "C", "type": "choice"}), 422)
    # Bounds given together are the range between them, in either order.
    ranged = column(client, name="R", type="number", minimum=10, maximum=1)
    assert (ranged["minimum"], ranged["maximum"]) == (1, 10)
    # An edit: what the stored column's type (or its other bound) does not take is a 409.
    text = column(client, name="T", type="text")
    assert "field" in error_of(client.patch(f"/api/columns/{text['id']}", json={"maximum": 3}), 409)
    error_of(client.patch(f"/api/columns/{text['id']}", json={"options": ["a"]}), 409)
    error_of(client.patch(f"/api/columns/{ranged['id']}", json={"minimum": 11}), 409)
    both = client.patch(f"/api/columns/{ranged['id']}", json={"minimum": 20, "maximum": 11})
    assert (both.json()["minimum"], both.json()["maximum"]) == (11, 20)
    formula = column(client, name="F", formula="r * 2")
    error_of(client.patch(f"/api/columns/{formula['id']}", json={"formula": ""}), 409)
    error_of(client.patch(f"/api/columns/{formula['id']}", json={"formula": "nope + 1"}), 409)
    error_of(client.patch(f"/api/columns/{formula['id']}", json={"formula": "r +"}), 422)
