"""Live updates: the library's stamp moves with every kind of change, and the event stream
sends it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.api import live
from litreview.api.live import change_events
from litreview.app import create_app
from litreview.config import Settings
from litreview.library.changes import library_stamp
from tests.api_helpers import add_area, add_paper

pytestmark = pytest.mark.both_dialects


def stamp(engine: Engine) -> str:
    with Session(engine) as session:
        return library_stamp(session)


def test_the_stamp_moves_with_every_change(client: TestClient, engine: Engine) -> None:
    seen = {stamp(engine)}
    paper = add_paper(client, "Live")
    seen.add(stamp(engine))
    client.put(f"/api/papers/{paper['id']}/annotation", json={"markdown": "x", "version": 0})
    seen.add(stamp(engine))
    client.post(f"/api/papers/{paper['id']}/notes", json={"kind": "note", "markdown": "n"})
    seen.add(stamp(engine))
    add_area(client, "Area")
    seen.add(stamp(engine))
    assert client.delete(f"/api/papers/{paper['id']}").status_code == 204
    seen.add(stamp(engine))
    assert len(seen) == 6
    assert stamp(engine) == stamp(engine)


class _Open:
    """A request that stays connected for ``polls`` checks."""

    def __init__(self, polls: int) -> None:
        self.polls = polls

    async def is_disconnected(self) -> bool:
        self.polls -= 1
        return self.polls < 0


def test_the_stream_sends_the_stamp(engine: Engine, monkeypatch: Any) -> None:
    monkeypatch.setattr("litreview.api.live.POLL_SECONDS", 0)

    async def collect() -> list[str]:
        return [e async for e in change_events(engine, _Open(3))]  # type: ignore[arg-type]

    sent = asyncio.run(collect())
    assert len(sent) == 1 and sent[0].startswith("event: library-changed\ndata: ")
    assert stamp(engine) in sent[0]


def test_on_postgresql_a_write_through_one_app_wakes_the_streams_of_another(
    pg_url: str, monkeypatch: Any
) -> None:
    """Two app instances on one database, as two workers of ``serve --workers 2``: the reader's
    stream never polls here, so only PostgreSQL's notification can bring it the change."""
    monkeypatch.setattr(live, "POLL_SECONDS", 3600)
    monkeypatch.setattr(live, "LISTENING_POLL_SECONDS", 3600)
    settings = Settings(database_url=pg_url, arxiv_delay=0, search_time_limit_ms=0)
    writer, reader = create_app(settings), create_app(settings)
    listener = live.change_listener(reader)
    assert listener is not None

    def write() -> None:
        with TestClient(writer, base_url="http://127.0.0.1") as client:
            add_paper(client, "Written through the other worker")

    async def scenario() -> tuple[str, str]:
        stream = live.change_events(reader.state.engine, _Open(10), listener)  # type: ignore[arg-type]
        first = await anext(stream)
        for _ in range(600):  # until its connection LISTENs (a few ms; fails after a minute)
            if listener.listening:
                break
            await asyncio.sleep(0.1)
        assert listener.listening
        following = asyncio.create_task(anext(stream))
        await asyncio.to_thread(write)
        second = await asyncio.wait_for(following, 60)
        await stream.aclose()
        return first, second

    try:
        first, second = asyncio.run(scenario())
        assert first != second and stamp(reader.state.engine) in second
    finally:
        writer.state.engine.dispose()
        reader.state.engine.dispose()
    assert not listener.listening  # the last stream closed: the connection is given back


def test_only_postgresql_has_a_listener(client: TestClient, dialect: str) -> None:
    found = live.change_listener(client.app)  # type: ignore[arg-type]
    assert (found is None) == (dialect == "sqlite")  # SQLite polls
