"""The ``litreview`` command: help everywhere, one clear line per failure, the sample library."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import typer.main
from typer.testing import CliRunner

from litreview.cli import app, main
from litreview.config import Settings


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def _env(cwd: Path, env: dict[str, str] | None) -> dict[str, str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LITREVIEW_")}
    # The default library lives in the user's data directory: never the real user's here.
    full_env.update(HOME=str(cwd / "home"), XDG_DATA_HOME=str(cwd / "home" / "data"))
    full_env.update(env or {})
    return full_env


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Ran:
    """``litreview ARGS`` in this process, as the entry point runs it, in ``cwd`` with only
    ``env`` of the LITREVIEW_ variables."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with (
        mock.patch.dict(os.environ, _env(cwd, env), clear=True),
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
    return Ran(code if isinstance(code, int) else 1, out.getvalue(), err.getvalue())


def run_process(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``litreview ARGS`` end to end, in a process of its own."""
    full_env = _env(cwd, env)
    return subprocess.run(
        [sys.executable, "-m", "litreview.cli", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def all_commands() -> list[tuple[str, Any]]:
    """Every command and sub-command (typer may vendor its own click, so no isinstance)."""
    root = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, group: Any) -> None:
        for name, command in group.commands.items():
            found.append((f"{prefix}{name}", command))
            if hasattr(command, "commands"):
                walk(f"{prefix}{name} ", command)

    walk("", root)
    return found


def test_every_command_has_help() -> None:
    runner = CliRunner()
    names = [name for name, _ in all_commands()]
    for required in ("serve", "search", "db", "db upgrade", "load-sample"):
        assert required in names
    for name, command in all_commands():
        assert command.help, f"{name} has no help text"
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output


def test_default_database_is_created_in_the_data_directory(tmp_path: Path) -> None:
    result = run("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "home" / "data" / "litreview" / "litreview.db").is_file()
    assert not (tmp_path / "data").exists()


def test_database_from_option_and_environment(tmp_path: Path) -> None:
    assert run("--db", "a.db", "db", "upgrade", cwd=tmp_path).returncode == 0
    env = {"LITREVIEW_DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"}
    assert run("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    assert (tmp_path / "a.db").is_file() and (tmp_path / "b.db").is_file()


def test_sample_library_loads_once_and_is_searchable(tmp_path: Path) -> None:
    first = run("--db", "s.db", "load-sample", cwd=tmp_path)
    second = run("--db", "s.db", "load-sample", cwd=tmp_path)
    assert "13 papers added" in first.stdout, first.stderr
    assert "0 papers added" in second.stdout
    found = run("--db", "s.db", "search", "logit pairing", cwd=tmp_path)
    assert found.returncode == 0
    assert "2 papers" in found.stdout


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    result = run_process("--db", "s.db", "search", "--area", "No/Such area", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["error: no area 'No' in path 'No/Such area'"]
    bad_env = run("db", "upgrade", cwd=tmp_path, env={"LITREVIEW_ARXIV_DELAY": "soon"})
    assert bad_env.returncode == 1
    assert "LITREVIEW_ARXIV_DELAY" in bad_env.stderr and "Traceback" not in bad_env.stderr
    bad_wait = run("db", "upgrade", cwd=tmp_path, env={"LITREVIEW_BUSY_TIMEOUT": "-1"})
    assert bad_wait.returncode == 1
    assert bad_wait.stderr.strip().splitlines() == [
        "error: LITREVIEW_BUSY_TIMEOUT must not be negative, got '-1'"
    ]


def test_search_refuses_an_unknown_status_and_a_negative_limit(tmp_path: Path) -> None:
    # Issue 20: `search --status foo` exited 0 and `--limit -1` was taken.
    status = run("--db", "s.db", "search", "--status", "foo", "x", cwd=tmp_path)
    assert status.returncode == 1
    assert status.stderr.strip().splitlines() == [
        "error: --status: unknown reading status 'foo' (known: unread, to_read, skimmed, read)"
    ]
    limit = run("--db", "s.db", "search", "--limit", "-1", "x", cwd=tmp_path)
    assert limit.returncode == 1
    assert limit.stderr.strip().splitlines() == [
        "error: --limit: Input should be greater than or equal to 0, got '-1'"
    ]


def test_serve_refuses_a_short_token_on_a_public_address(tmp_path: Path) -> None:
    result = run(
        "--db", "s.db", "serve", "--host", "0.0.0.0", cwd=tmp_path, env={"LITREVIEW_TOKEN": "short"}
    )
    assert result.returncode == 1
    assert "LITREVIEW_TOKEN must have at least 16 characters" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_public_address_without_a_token_gets_a_generated_one() -> None:
    from litreview.cli import network_settings

    loopback = network_settings(Settings(), "127.0.0.1")
    assert loopback.token is None and loopback.bind_host == "127.0.0.1"
    public = network_settings(Settings(), "0.0.0.0")
    assert public.token is not None and len(public.token) >= 16
    assert public.bind_host == "0.0.0.0"
    assert network_settings(Settings(), "0.0.0.0").token != public.token
    kept = network_settings(Settings(token="a" * 16), "::")
    assert kept.token == "a" * 16
