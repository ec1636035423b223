"""``litreview serve --workers 2`` on PostgreSQL, end to end: real uvicorn worker processes on
127.0.0.1 over a throwaway PostgreSQL database, two members signed in with their tokens, each
client's connection pinned to a known worker (found from the kernel's socket table).

- A change written through one worker reaches an event stream (``GET /api/events``) held open on
  the other: the worker's LISTEN connection hears the NOTIFY every write sends.
- Two versioned writers, one on each worker, lose no update: a stale version is a 409, re-read
  and saved on top, and every line either was told was saved is in the final text once.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from arxiv_server import FakeArxiv
from sqlmodel import Session
from test_serve_workers import worker_processes
from web_support import LiveServer, live_server

from litreview.db import make_engine
from litreview.library.members import add_member, create_token
from litreview.models import MemberRole
from tests.pg_server import PostgresLibraries

WRITES_EACH = 12
MAX_CONNECTIONS_TRIED = 64  # to reach the other worker (the kernel picks who accepts)


@pytest.fixture(scope="module")
def library(pg_libraries: PostgresLibraries) -> Iterator[str]:
    """One PostgreSQL library for the module's server (each test writes its own paper)."""
    name = pg_libraries.take()
    yield pg_libraries.server.database_url(name)
    pg_libraries.give_back(name)


@pytest.fixture(scope="module")
def tokens(library: str) -> dict[str, str]:
    """Two members of the library and a read-write token each."""
    engine = make_engine(library)
    try:
        with Session(engine) as session:
            made = {}
            for name, role in (("Ana", MemberRole.owner), ("Ben", MemberRole.editor)):
                member = add_member(session, name, role)
                made[name] = create_token(session, member, "two workers", can_write=True)
            session.commit()
    finally:
        engine.dispose()
    return made


@pytest.fixture(scope="module")
def server(
    library: str, tokens: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One two-worker server for the module's tests (a server is ~5 s of CPU to start)."""
    args = ["--workers", "2"]
    with (
        FakeArxiv.running() as arxiv,
        live_server(tmp_path_factory.mktemp("serve"), arxiv, args=args, database=library) as s,
    ):
        yield s


class Pinned:
    """One keep-alive HTTP connection as a member (their token), and the worker serving it."""

    def __init__(self, server: LiveServer, token: str) -> None:
        host, port = server.url.removeprefix("http://").split(":")
        self.port = int(port)
        self.connection = http.client.HTTPConnection(host, self.port, timeout=120)
        self.connection.connect()
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        # The kernel hands a connection to whichever worker accepts it first: it is known once
        # a request on it has been answered.
        assert self.call("GET", "/api/session")[0] == 200
        self.worker = serving_worker(server.pid, self.port, self.connection)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body)
        self.connection.request(method, path, body=data, headers=self.headers)
        response = self.connection.getresponse()
        content = response.read()
        return response.status, json.loads(content) if content else None

    def close(self) -> None:
        self.connection.close()


def serving_worker(server_pid: int, port: int, connection: http.client.HTTPConnection) -> int:
    """The worker process holding the server's end of ``connection``."""
    assert connection.sock is not None
    client_port = connection.sock.getsockname()[1]
    server_end = f"0100007F:{port:04X}", f"0100007F:{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (fields[1], fields[2]) == server_end and fields[9] != "0":
            inode = fields[9]
    assert inode is not None, f"no server socket for client port {client_port}"
    for pid in worker_processes(server_pid):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if fd.readlink().name == f"socket:[{inode}]":
                    return pid
            except FileNotFoundError:  # closed meanwhile
                continue
    raise AssertionError(f"no worker holds socket {inode}")


@contextmanager
def on_two_workers(server: LiveServer, tokens: dict[str, str]) -> Iterator[tuple[Pinned, Pinned]]:
    """Ana's connection and Ben's, served by different workers."""
    opened = [Pinned(server, tokens["Ana"])]
    try:
        while len(opened) <= MAX_CONNECTIONS_TRIED:
            ben = Pinned(server, tokens["Ben"])
            opened.append(ben)
            if ben.worker != opened[0].worker:
                yield opened[0], ben
                return
        raise AssertionError(f"{MAX_CONNECTIONS_TRIED} connections all went to one worker")
    finally:
        for connection in opened:
            connection.close()


def test_a_write_on_one_worker_reaches_a_stream_on_the_other(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    with on_two_workers(server, tokens) as (ana, ben):
        assert {ana.worker, ben.worker} == set(worker_processes(server.pid))
        assert_live_across(ana, ben)


def assert_live_across(ana: Pinned, ben: Pinned) -> None:
    ana.connection.request("GET", "/api/events", headers=ana.headers)
    stream = ana.connection.getresponse()
    assert stream.status == 200
    first = read_event(stream)
    status, paper = ben.call("POST", "/api/papers", {"title": "Written on the other worker"})
    assert status == 201, paper
    second = read_event(stream)
    assert first["stamp"] != second["stamp"]
    status, page = ben.call("GET", "/api/papers?q=other+worker")
    assert [p["title"] for p in page["items"]] == ["Written on the other worker"]


def read_event(stream: http.client.HTTPResponse) -> dict[str, Any]:
    """The next ``library-changed`` event's data."""
    lines: list[str] = []
    while True:
        line = stream.readline().decode()
        assert line, "the stream ended"
        if line.strip() == "" and lines:
            break
        if line.strip():
            lines.append(line.strip())
    assert lines[0] == "event: library-changed", lines
    data: dict[str, Any] = json.loads(lines[1].removeprefix("data: "))
    return data


def test_two_writers_on_two_workers_lose_no_update(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    with on_two_workers(server, tokens) as (ana, ben):
        assert_no_lost_update(ana, ben)


def assert_no_lost_update(ana: Pinned, ben: Pinned) -> None:
    status, paper = ana.call("POST", "/api/papers", {"title": "Edited on two workers"})
    assert status == 201
    path = f"/api/papers/{paper['id']}/annotation"
    saved: list[str] = []
    conflicts: list[str] = []

    def write_lines(writer: Pinned, name: str) -> None:
        for n in range(WRITES_EACH):
            while True:
                current = writer.call("GET", path)[1]
                text = f"{current['markdown']}\n{name}-{n}".strip()
                body = {"markdown": text, "version": current["version"]}
                status, answer = writer.call("PUT", path, body)
                if status == 409:
                    conflicts.append(name)
                    continue
                assert status == 200, answer
                saved.append(f"{name}-{n}")
                break

    threads = [threading.Thread(target=write_lines, args=pair) for pair in ((ana, "a"), (ben, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = ana.call("GET", path)[1]
    assert sorted(saved) == sorted(f"{w}-{n}" for w in "ab" for n in range(WRITES_EACH))
    assert sorted(final["markdown"].splitlines()) == sorted(saved)
    assert final["version"] == 2 * WRITES_EACH
    stale = ben.call("PUT", path, {"markdown": "stale", "version": final["version"] - 1})
    assert stale[0] == 409 and stale[1]["error"]["status"] == 409
    authors = {r["edited_by"] for r in ana.call("GET", f"{path}/revisions")[1]["items"]}
    assert authors == {"Ana", "Ben"}
