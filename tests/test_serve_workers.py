"""``litreview serve --workers 2``: two processes over one SQLite file keep versioned writes safe.

Two writers edit one annotation at the same time, each reading the current version and saving
its own line on top, again on a 409, as the web UI's user would. Every line any writer was told
was saved is in the final text: no update is lost, whichever worker served which request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from arxiv_server import FakeArxiv
from web_support import LiveServer, live_server

from litreview.config import Settings, settings_from_json, settings_to_json

WRITES_EACH = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Iterator[LiveServer]:
    """One server for the module's tests (each adds its own paper, if any)."""
    folder = tmp_path_factory.mktemp("serve")
    with (
        FakeArxiv.running() as arxiv,
        live_server(folder, arxiv, args=["--workers", "2"], template=template_db) as s,
    ):
        yield s


def worker_processes(server_pid: int) -> list[int]:
    """uvicorn's worker processes under the server (multiprocessing's spawned children)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def write_lines(url: str, path: str, writer: str, saved: list[str], conflicts: list[int]) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        for n in range(WRITES_EACH):
            line = f"{writer}-{n}"
            while True:
                current = client.get(path).json()
                text = f"{current['markdown']}\n{line}".strip()
                answer = client.put(path, json={"markdown": text, "version": current["version"]})
                if answer.status_code == 409:
                    conflicts.append(1)
                    continue
                answer.raise_for_status()
                saved.append(line)
                break


def test_two_workers_two_writers_no_lost_update(server: LiveServer) -> None:
    assert server.get("/api/health")
    paper = server.add_paper("Edited from two tabs on two workers")
    path = f"/api/papers/{paper['id']}/annotation"
    saved: list[str] = []
    conflicts: list[int] = []
    threads = [
        threading.Thread(target=write_lines, args=(server.url, path, name, saved, conflicts))
        for name in ("a", "b")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = server.get(path)
    lines = final["markdown"].splitlines()
    assert sorted(saved) == sorted(f"{w}-{n}" for w in "ab" for n in range(WRITES_EACH))
    assert sorted(lines) == sorted(saved)  # every saved line is there, once
    assert final["version"] == 2 * WRITES_EACH  # one version per save, none overwritten


def test_serve_starts_the_workers_asked_for(server: LiveServer) -> None:
    assert len(worker_processes(server.pid)) == 2
    assert server.client.get("/api/health").status_code == 200


def test_the_workers_get_the_settings_serve_was_given() -> None:
    settings = Settings(
        database_url="sqlite:////tmp/elsewhere.db",
        token="a-generated-token-of-some-length",
        allowed_hosts=frozenset({"b.example", "a.example"}),
        bind_host="0.0.0.0",
        busy_timeout=1.5,
    )
    assert settings_from_json(settings_to_json(settings)) == settings
