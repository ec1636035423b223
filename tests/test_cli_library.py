"""Which library the CLI opens (the user's data directory, ``--db`` on either side of the
command, ``LITREVIEW_DATABASE_URL``), ``litreview info`` and ``litreview remove``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from litreview.cli import app
from litreview.cli_library import hoist_db_option


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary home and data directory, and a working folder of its own."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    monkeypatch.delenv("LITREVIEW_DATABASE_URL", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield tmp_path


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def default_library(home: Path) -> Path:
    return home / "home" / "share" / "litreview" / "litreview.db"


def test_every_folder_opens_the_same_default_library(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("load-sample").exit_code == 0
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke("info")
    assert result.exit_code == 0, result.output
    assert f"library    {default_library(home)}" in result.output
    assert "chosen by  the default" in result.output
    assert "papers     13 (" in result.output
    assert default_library(home).is_file()
    assert not (elsewhere / "data").exists()


def test_db_option_before_or_after_the_command(home: Path) -> None:
    assert invoke("--db", "before.db", "load-sample").exit_code == 0
    after = invoke("load-sample", "--db", "after.db")
    assert after.exit_code == 0, after.output
    assert "13 papers added" in after.output
    info = invoke("info", "--db=after.db")
    assert "papers     13 (" in info.output
    assert f"library    {home / 'work' / 'after.db'}" in info.output
    assert "chosen by  --db" in info.output
    searched = invoke("search", "logit pairing", "--db", "before.db")
    assert "2 papers" in searched.output
    assert not default_library(home).exists()


def test_environment_names_the_library_and_db_wins(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITREVIEW_DATABASE_URL", str(home / "env.db"))
    result = invoke("info")
    assert f"library    {home / 'env.db'}" in result.output
    assert "chosen by  LITREVIEW_DATABASE_URL" in result.output
    assert "papers     0 (0 annotated)" in result.output
    overridden = invoke("info", "--db", "mine.db")
    assert "chosen by  --db" in overridden.output
    assert (home / "work" / "mine.db").is_file()


def test_info_points_at_a_library_an_older_version_made_here(home: Path) -> None:
    (home / "work" / "data").mkdir()
    (home / "work" / "data" / "litreview.db").write_bytes(b"")
    assert "open it with --db data/litreview.db" in invoke("info").output
    assert "older litreview" not in invoke("--db", "x.db", "info").output


def test_hoisting_stops_at_a_double_dash_and_keeps_a_trailing_db() -> None:
    assert hoist_db_option(["import", "--db", "x.db", "a.bib"]) == [
        "--db",
        "x.db",
        "import",
        "a.bib",
    ]
    assert hoist_db_option(["search", "--", "--db", "x"]) == ["search", "--", "--db", "x"]
    assert hoist_db_option(["info", "--db"]) == ["info", "--db"]


def test_remove_by_tag_takes_the_sample_out_again(home: Path) -> None:
    invoke("load-sample")
    imported = home / "mine.bib"
    imported.write_text("@article{mine, title={My own paper}, author={Doe, Jane}, year=2024}\n")
    assert invoke("import", str(imported)).exit_code == 0
    refused = invoke("remove", "--tag", "sample", stdin="n\n")
    assert refused.exit_code == 1
    assert "Remove these 13 papers" in refused.output
    assert "papers     14 (" in invoke("info").output
    removed = invoke("remove", "--tag", "sample", stdin="y\n")
    assert removed.exit_code == 0, removed.output
    assert "13 papers removed" in removed.output
    after = invoke("info").output
    assert "papers     1 (0 annotated)" in after
    assert "tags       0" in after
    assert "1 papers" in invoke("search", "own paper").output


def test_remove_by_query_with_yes_and_what_it_refuses(home: Path) -> None:
    invoke("load-sample")
    nothing = invoke("remove", "--yes")
    assert nothing.exit_code == 1
    assert "say which papers to remove" in str(nothing.exception)
    no_match = invoke("remove", "--tag", "no such tag", "--yes")
    assert no_match.exit_code == 0
    assert "nothing removed" in no_match.output
    removed = invoke("remove", "logit pairing", "--yes")
    assert "2 papers removed" in removed.output
    assert "papers     11 (" in invoke("info").output
