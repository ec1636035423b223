"""A library this process may not change (its file and folder not writable: a shared drive, a
colleague's copy) still reads, in the CLI and the server; a change is refused with one line
(CLI) or a JSON 503 (server) naming the cause, and the file is left as it was.

Root ignores file permissions, so as root the CLI and the server run under ``setpriv`` without
the permission override (``CAP_DAC_OVERRIDE``): the mode bits then hold for them as for anyone.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from arxiv_server import FakeArxiv
from web_support import live_server, server_env

READ_ONLY_CAUSE = "the library is read-only here"


def _honouring_permissions() -> list[str]:
    """A command prefix under which chmod a-w holds for this user."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which ignores permissions, and no setpriv to drop that")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.fixture(scope="module")
def arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv.running() as fake:
        yield fake


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, arxiv: FakeArxiv) -> Iterator[Path]:
    """``library.db`` with a paper in an area, then made read-only (file and folder); the tests
    only read it (each checks that it is unchanged), so they share it."""
    tmp_path = tmp_path_factory.mktemp("read-only")
    db = tmp_path / "library.db"
    bib = tmp_path / "kept.bib"
    bib.write_text("@article{kept2020, title = {Readable forever}, year = {2020}}\n")
    made = _cli(db, arxiv, "import", str(bib), "--area", "Robustness", as_owner=True)
    assert made.returncode == 0, made.stderr
    assert not db.with_name("library.db-shm").exists()  # closed cleanly: nothing beside it
    for path in (db, tmp_path):
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield db
    finally:
        tmp_path.chmod(0o755)
        db.chmod(0o644)


def _cli(
    db: Path, arxiv: FakeArxiv, *args: str, as_owner: bool = False
) -> subprocess.CompletedProcess[str]:
    prefix = [] if as_owner else _honouring_permissions()
    command = [*prefix, sys.executable, "-m", "litreview.cli", "--db", str(db)]
    return subprocess.run(
        [*command, *args],
        env=server_env(arxiv.url),
        cwd=db.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_reads_a_read_only_library_and_refuses_changes_in_one_line(
    library: Path, arxiv: FakeArxiv
) -> None:
    before = library.read_bytes()
    found = _cli(library, arxiv, "search", "Readable")
    assert found.returncode == 0, found.stderr
    assert "Readable forever" in found.stdout
    exported = _cli(library, arxiv, "export", "--format", "bibtex")
    assert exported.returncode == 0, exported.stderr
    assert "title = {Readable forever}" in exported.stdout
    change = _cli(library, arxiv, "areas", "add", "Interpretability")
    assert change.returncode == 1
    assert READ_ONLY_CAUSE in change.stderr
    assert len(change.stderr.strip().splitlines()) == 1, change.stderr
    assert library.read_bytes() == before


def test_the_server_reads_a_read_only_library_and_answers_changes_with_503(
    library: Path, arxiv: FakeArxiv
) -> None:
    before = library.read_bytes()
    prefix = _honouring_permissions()
    with live_server(library.parent, arxiv, command_prefix=prefix) as server:
        papers = server.client.get("/api/papers")
        assert papers.status_code == 200
        assert [p["title"] for p in papers.json()["items"]] == ["Readable forever"]
        paper_id = papers.json()["items"][0]["id"]
        for path in ("/api/areas", "/api/tags", f"/api/papers/{paper_id}", "/"):
            assert server.client.get(path).status_code == 200, path
        exported = server.client.get("/api/export", params={"format": "bibtex"})
        assert "Readable forever" in exported.text
        changes = [
            server.client.post("/api/areas", json={"name": "Interpretability"}),
            server.client.put(f"/api/papers/{paper_id}/tags/new"),
            server.client.post("/api/papers", json={"title": "Not stored"}),
        ]
        for answer in changes:
            assert answer.status_code == 503, answer.text
            assert READ_ONLY_CAUSE in answer.json()["error"]["message"]
        assert server.client.get("/api/papers").json()["total"] == 1
    assert library.read_bytes() == before
