"""Faults: a damaged, foreign or unreachable library is one line in the CLI and the JSON error
shape from the server; hostile keys and odd values never reach the BibTeX export as syntax."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from test_cli import run

from litreview.api import papers as papers_routes
from litreview.db import database_fault

CLI = [sys.executable, "-m", "litreview.cli"]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LITREVIEW_")}
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _damaged_files(tmp_path: Path, template_db: Path) -> dict[str, Path]:
    text = tmp_path / "notes.txt"
    text.write_text("these are my notes, not a database\n" * 50)
    good = tmp_path / "good.db"
    shutil.copyfile(template_db, good)
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[:1500])
    corrupt = tmp_path / "corrupt.db"
    data = bytearray(good.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    corrupt.write_bytes(bytes(data))
    return {"text": text, "truncated": truncated, "corrupt": corrupt}


def test_the_cli_reports_a_damaged_library_in_one_line(tmp_path: Path, template_db: Path) -> None:
    for name, path in _damaged_files(tmp_path, template_db).items():
        # One end to end, in a process of its own; the others in this process, as it runs.
        ran = _cli if name == "text" else run
        result = ran("--db", str(path), "search", "x", cwd=tmp_path)
        assert result.returncode == 1, name
        assert "Traceback" not in result.stderr, (name, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (name, result.stderr)
        assert result.stderr.startswith("error:"), name


@pytest.mark.parametrize("url", ["bogus://x", "postgresql+nodriver://u@h/db"])
def test_the_cli_reports_an_unusable_database_url_in_one_line(tmp_path: Path, url: str) -> None:
    result = run("--db", url, "search", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "database URL" in lines[0], result.stderr


@pytest.mark.parametrize(
    ("message", "status", "says"),
    [
        ("attempt to write a readonly database", 503, "read-only"),
        ("database or disk is full", 503, "full"),
        ("database is locked", 503, "busy"),
        ("file is not a database", 500, "damaged"),
        ("database disk image is malformed", 500, "damaged"),
    ],
)
def test_database_faults_answer_the_error_shape(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, message: str, status: int, says: str
) -> None:
    def failing(*_args: object, **_kwargs: object) -> None:
        cause = sqlite3.OperationalError(message)
        raise sa.exc.OperationalError("SELECT ...", {}, cause)

    monkeypatch.setattr(papers_routes, "search_paper_ids", failing)
    response = client.get("/api/papers")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and says in error["message"]
    assert (
        database_fault(sa.exc.OperationalError("x", {}, sqlite3.OperationalError(message))).status
        == status
    )


def test_a_key_with_a_newline_and_braces_never_injects_entries(
    client: TestClient, engine: sa.Engine
) -> None:
    key = "a}\n@misc{injected, title={Planted}}\n@article{b,"
    refused = client.post("/api/papers", json={"title": "Real", "key": key})
    assert refused.status_code == 422  # the API refuses such a key ...
    made = client.post("/api/papers", json={"title": "Real", "key": "real"}).json()
    with engine.begin() as conn:  # ... and one stored by other means is written safely
        conn.execute(
            sa.text("UPDATE paper SET key = :key WHERE id = :id"), {"key": key, "id": made["id"]}
        )
    text = client.get("/api/export", params={"format": "bibtex"}).text
    library = bibtexparser.parse_string(text)
    assert [entry["title"] for entry in library.entries] == ["Real"]
    assert "@misc{injected" not in text


@pytest.mark.parametrize("rating", [False, True, "3", 2.5])
def test_a_rating_must_be_a_number_of_stars(client: TestClient, rating: object) -> None:
    response = client.post("/api/papers", json={"title": "Rated", "rating": rating})
    assert response.status_code == 422, response.text
    assert client.get("/api/papers").json()["total"] == 0
