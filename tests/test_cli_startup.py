"""The CLI starts light: importing it loads no web app, exporter, ORM or library module.

The time itself is measured by bench/cli_startup.py; this test keeps the design that makes it
fast (commands import what they use when they run), whatever the machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from litreview.db import head_revision, make_engine, stored_revision, upgrade

# Modules a command may load when it runs, but `import litreview.cli` (and `--help`) must not.
HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "httpx",
    "bibtexparser",
    "litreview.app",
    "litreview.api",
    "litreview.models",
    "litreview.db",
    "litreview.library",
    "litreview.importers",
    "litreview.exporters.",  # the format modules; the registry of names is light
    "rich",  # for the commands that draw a table, a tree or a progress bar (cli_output.py)
)


def loaded_after(code: str) -> list[str]:
    """The modules loaded in a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    modules: list[str] = json.loads(result.stdout.splitlines()[-1])
    return modules


def heavy_among(modules: list[str]) -> list[str]:
    def heavy(name: str) -> bool:
        return any(
            name.startswith(h) if h.endswith(".") else name == h or name.startswith(f"{h}.")
            for h in HEAVY
        )

    return [name for name in modules if heavy(name)]


def test_importing_the_cli_loads_no_heavy_module() -> None:
    modules = loaded_after("import litreview.cli")
    assert "litreview.cli" in modules
    assert heavy_among(modules) == []


def test_help_loads_no_heavy_module() -> None:
    code = (
        "import sys\nfrom litreview.cli import app\n"
        "try:\n    app(['export', '--help'])\nexcept SystemExit:\n    pass"
    )
    modules = loaded_after(code)
    assert heavy_among(modules) == []


def test_a_command_loads_what_it_uses(tmp_path: Path) -> None:
    bib = tmp_path / "one.bib"
    bib.write_text("@article{a, title={A}, year={2020}}\n", encoding="utf-8")
    code = (
        "from litreview.cli import app\n"
        f"try:\n    app(['--db', {str(tmp_path / 'l.db')!r}, 'import', {str(bib)!r}])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code"
    )
    modules = loaded_after(code)
    assert "litreview.library.bibtex" in modules
    assert "fastapi" not in modules
    assert not [m for m in modules if m.startswith("litreview.exporters.")]


def test_an_import_into_a_sqlite_library_loads_no_other_database_or_format(
    tmp_path: Path,
) -> None:
    library = tmp_path / "l.db"
    upgrade(make_engine(f"sqlite:///{library}"))
    bib = tmp_path / "one.bib"
    bib.write_text("@article{a, title={A}, year={2020}}\n", encoding="utf-8")
    code = (
        "from litreview.cli import app\n"
        f"try:\n    app(['--db', {str(library)!r}, 'import', {str(bib)!r}])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code"
    )
    modules = loaded_after(code)
    assert "litreview.library.bibtex" in modules
    unused = (
        "sqlalchemy.dialects.postgresql",  # the tables' PostgreSQL index conditions wait
        "alembic",  # the library is at head: one read of alembic_version says so
        "litreview.library.bbt_json",
        "litreview.library.table_import",
        "rich",  # its lines are plain text (no progress bar where stderr is no terminal)
    )
    assert [m for m in unused if m in modules] == []


def test_head_revision_read_from_the_files_is_alembics(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from litreview.db import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'l.db'}")
    assert head_revision() == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert stored_revision(engine) is None
    upgrade(engine)
    assert stored_revision(engine) == head_revision()


def test_an_older_database_is_still_upgraded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'l.db'}")
    upgrade(engine, "0003")
    assert stored_revision(engine) == "0003"
    upgrade(engine)
    assert stored_revision(engine) == head_revision()


@pytest.mark.parametrize("argv", [["--help"], ["search", "--help"], ["import", "--help"]])
def test_help_still_describes_the_commands(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "litreview.cli", *argv], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
