"""``litreview export`` and ``GET /api/export`` over the export test library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from export_library import build_library
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from test_cli import run
from typer.testing import CliRunner

from litreview.cli import app
from litreview.errors import InvalidInput
from litreview.exporters import format_names

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def filled(engine: Engine, db_url: str) -> str:
    with Session(engine) as session:
        build_library(session)
        session.commit()
    return db_url


def cli(db_url: str, *args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, ["--db", db_url, "export", *args])
    return result.exit_code, result.stdout, result.exception


def test_export_prints_to_stdout(filled: str) -> None:
    code, out, _ = cli(filled, "--format", "csl-json")
    assert code == 0
    assert out == (GOLDEN / "library.csl.json").read_text(encoding="utf-8")


def test_export_writes_a_file_atomically(filled: str, tmp_path: Path) -> None:
    target = tmp_path / "out" / "bib.md"
    target.parent.mkdir()
    target.write_text("old text")
    intro = tmp_path / "intro.md"
    intro.write_text(
        "Papers on *latent* adversarial training, with notes.\n\n## How to read this\n\nBy area.",
        encoding="utf-8",
    )
    code, out, _ = cli(
        filled,
        "--title",
        "Latent adversarial training: an annotated bibliography",
        "--intro",
        str(intro),
        "--with-status",
        "--with-rating",
        "-o",
        str(target),
    )
    assert code == 0 and out == ""
    assert target.read_bytes() == (GOLDEN / "library.md.golden").read_bytes()
    assert sorted(p.name for p in target.parent.iterdir()) == ["bib.md"]


def test_export_filters_and_order(filled: str) -> None:
    code, out, _ = cli(
        filled, "--area", "Adversarial training", "--order", "title", "-f", "markdown"
    )
    assert code == 0
    assert out == (GOLDEN / "area.md.golden").read_text(encoding="utf-8")
    code, out, _ = cli(filled, "-f", "bibtex", "--tag", "LAT", "--tag", "critique")
    assert code == 0
    assert out.startswith("@inproceedings{müller2024critique,") and out.count("@") == 1
    code, out, _ = cli(filled, "-f", "csl-json", "--status", "read", "--query", "latent")
    assert [item["id"] for item in json.loads(out)] == ["casper2024defending"]


def test_export_year_author_and_annotation_filters(filled: str) -> None:
    def ids(*args: str) -> set[str]:
        code, out, error = cli(filled, "-f", "csl-json", *args)
        assert code == 0, error
        return {item["id"] for item in json.loads(out)}

    everything = ids()
    recent = ids("--year-min", "2024")
    assert recent and recent < everything
    assert ids("--year-max", "2023").isdisjoint(recent)
    annotated, bare = ids("--annotated"), ids("--not-annotated")
    assert annotated and annotated.isdisjoint(bare)
    assert ids("--author", "Madry") == {"madry2017towards", "carlini2019evaluating"}
    assert ids("--author", "vaswani") == {"vaswani2017attention"}


def test_export_with_a_template(filled: str, tmp_path: Path) -> None:
    template = tmp_path / "list.j2"
    template.write_text("{% for e in entries %}{{ e.key }}\n{% endfor %}", encoding="utf-8")
    code, out, _ = cli(filled, "--template", str(template), "--tag", "LAT")
    assert code == 0
    assert out == "casper2024defending\nmüller2024critique\n"
    template.write_text("{% if %}", encoding="utf-8")
    code, _, error = cli(filled, "--template", str(template))
    assert code != 0 and isinstance(error, InvalidInput)
    assert f"{template}:1" in error.message


def test_export_errors(filled: str, tmp_path: Path) -> None:
    code, _, error = cli(filled, "--format", "docx")
    assert isinstance(error, InvalidInput)
    assert "known: markdown, bibtex, csl-json" in error.message
    code, _, error = cli(filled, "--intro", str(tmp_path / "missing.md"))
    assert isinstance(error, InvalidInput) and "cannot read" in error.message
    code, _, error = cli(filled, "-f", "bibtex", "--template", str(tmp_path / "t.j2"))
    assert code != 0
    assert isinstance(error, InvalidInput) and "--format markdown" in error.message


def test_a_failed_export_is_one_line_on_stderr(filled: str, tmp_path: Path) -> None:
    # In this process, as the entry point runs it (test_cli.py runs a failing command in a
    # process of its own).
    result = run("--db", filled, "export", "--status", "done", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: --status: unknown reading status 'done' (known: unread, to_read, skimmed, read)"
    ]


# --- API ----------------------------------------------------------------------------------


@pytest.fixture
def api(client: TestClient) -> TestClient:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        build_library(session)
        session.commit()
    return client


def test_api_export_markdown(api: TestClient) -> None:
    response = api.get(
        "/api/export",
        params={"format": "markdown", "area": "Adversarial training", "order": "title"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="litreview-adversarial-training.md"'
    )
    assert response.content == (GOLDEN / "area.md.golden").read_bytes()


def test_api_export_formats_and_filters(api: TestClient) -> None:
    response = api.get("/api/export", params={"format": "csl-json"})
    assert response.headers["content-type"] == "application/vnd.citationstyles.csl+json"
    assert (
        response.headers["content-disposition"] == 'attachment; filename="litreview-library.json"'
    )
    assert response.content == (GOLDEN / "library.csl.json").read_bytes()
    response = api.get(
        "/api/export", params=[("format", "bibtex"), ("tag", "LAT"), ("tag", "critique")]
    )
    assert response.headers["content-type"] == "application/x-bibtex; charset=utf-8"
    assert response.headers["content-disposition"].endswith('filename="litreview-library.bib"')
    assert response.text.count("@") == 1
    response = api.get(
        "/api/export", params={"format": "csl-json", "q": "checklist", "status": "to_read"}
    )
    assert [item["id"] for item in response.json()] == ["carlini2019evaluating"]


def test_api_export_filename_of_a_unicode_area(api: TestClient) -> None:
    with Session(api.app.state.engine) as session:  # type: ignore[attr-defined]
        from litreview.library.areas import ensure_area_path

        ensure_area_path(session, "Interpretability/Sondes linéaires")
        session.commit()
    response = api.get("/api/export", params={"area": "Interpretability/Sondes linéaires"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="litreview-sondes-lineaires.md"; '
        "filename*=UTF-8''litreview-sondes-lin%C3%A9aires.md"
    )


def test_api_export_errors(api: TestClient) -> None:
    response = api.get("/api/export", params={"format": "docx"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["known"] == format_names()
    assert "unknown export format 'docx'" in error["message"]
    response = api.get("/api/export", params={"area": "Nowhere"})
    assert response.status_code == 404
    response = api.get("/api/export", params={"status": "done"})
    assert response.status_code == 422


def test_api_export_year_annotation_and_area_id_filters(api: TestClient) -> None:
    def ids(**params: object) -> list[str]:
        response = api.get("/api/export", params={"format": "csl-json", **params})
        assert response.status_code == 200, response.text
        return sorted(item["id"] for item in response.json())

    everything = ids()
    recent = ids(year_min=2024)
    assert recent and set(recent) < set(everything)
    in_2017 = set(ids(year_min=2017, year_max=2017))
    assert in_2017 and in_2017 <= set(ids(year_max=2017))
    assert in_2017.isdisjoint(ids(year_min=2018))
    assert ids(has_annotation="true") and set(ids(has_annotation="false")).isdisjoint(
        ids(has_annotation="true")
    )
    areas = api.get("/api/areas").json()["items"]
    by_id = ids(area_id=areas[0]["id"])
    assert by_id == ids(area=areas[0]["path"])
    assert api.get("/api/export", params={"area_id": 99999}).status_code == 404


def _add_notes(engine: Engine) -> None:
    from litreview.library.notes import add_note
    from litreview.library.papers_base import get_paper_by_key
    from litreview.models import NoteKind

    with Session(engine) as session:
        paper = get_paper_by_key(session, "casper2024defending")
        assert paper.id is not None
        add_note(
            session,
            paper.id,
            NoteKind.quote,
            "Attacks on *hidden* states.\n\nSecond paragraph.",
            "p. 4",
        )
        add_note(session, paper.id, NoteKind.question, "# Does it scale?\n\nTo 70B?")
        session.commit()


def test_export_with_notes(filled: str, engine: Engine, tmp_path: Path) -> None:
    _add_notes(engine)
    code, plain, _ = cli(filled, "--tag", "LAT")
    assert code == 0 and "hidden* states" not in plain
    code, out, _ = cli(filled, "--tag", "LAT", "--with-notes")
    assert code == 0
    quote = (
        "> Attacks on *hidden* states.\n>\n> Second paragraph.\n>\n> — p. 4\n\n**Question:**\n\n"
    )
    assert quote in out
    # The note's heading cannot become one of the document's.
    assert "\n# Does it scale?" not in out and "Does it scale?" in out
    # Everything else is as without notes.
    assert all(line in out for line in plain.splitlines())
    template = tmp_path / "notes.j2"
    template.write_text(
        "{% for e in entries %}{% for n in e.notes %}{{ e.key }} {{ n.label }} "
        "{{ n.location }}\n{% endfor %}{% endfor %}{{ with_notes }}",
        encoding="utf-8",
    )
    code, out, _ = cli(filled, "--template", str(template), "--with-notes")
    assert code == 0
    assert out == "casper2024defending Quote p. 4\ncasper2024defending Question \nTrue"


def test_api_export_with_notes(api: TestClient) -> None:
    _add_notes(api.app.state.engine)  # type: ignore[attr-defined]
    params = {"format": "markdown", "tag": "LAT"}
    without = api.get("/api/export", params=params).text
    with_notes = api.get("/api/export", params={**params, "with_notes": "true"}).text
    assert "> — p. 4" in with_notes and "> — p. 4" not in without
    assert "**Question:**" in with_notes
