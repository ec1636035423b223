"""An abandoned search stops: a client that disconnects stops its statement on the server.

The browser aborts a search the user typed past, which closes its connection; the server's
SQLite progress handler then interrupts the statement instead of letting it run to the end.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from web_support import free_port

import litreview.library.search as search_module
from litreview.app import create_app
from litreview.config import Settings

# Counts to a number SQLite takes minutes to reach: only an interruption ends it soon.
ENDLESS = (
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5000000000)"
    " SELECT count(*) FROM c"
)


@pytest.fixture
def server(settings: Settings) -> Iterator[int]:
    """The app under uvicorn on 127.0.0.1 in this process (so a test can slow its search)."""
    app = create_app(dataclasses.replace(settings, search_time_limit_ms=0))  # no time limit
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    yield port
    running.should_exit = True
    thread.join(timeout=60)


def test_a_search_stops_when_its_client_disconnects(
    server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = threading.Event()
    ended: list[BaseException] = []
    finished = threading.Event()

    def slow_search(session: Any, query: Any, match: Any) -> tuple[list[int], int]:
        started.set()
        try:
            session.execute(sa.text(ENDLESS)).scalar()
        except BaseException as exc:
            ended.append(exc)
            raise
        finally:
            finished.set()
        return [], 0

    monkeypatch.setattr(search_module, "_search_ids", slow_search)
    client = socket.create_connection(("127.0.0.1", server))
    client.sendall(f"GET /api/papers HTTP/1.1\r\nHost: 127.0.0.1:{server}\r\n\r\n".encode())
    assert started.wait(60), "the search did not start"
    assert not finished.is_set()  # it runs as long as the client waits
    client.close()  # the user typed on: the browser aborted the request
    assert finished.wait(60), "the statement went on after its client left"
    assert len(ended) == 1 and "interrupted" in str(ended[0])


def test_a_search_whose_client_waits_is_not_cancelled(server: int) -> None:
    import httpx

    answer = httpx.get(f"http://127.0.0.1:{server}/api/papers", params={"q": "anything"})
    assert answer.status_code == 200
    assert answer.json() == {"items": [], "total": 0}
