"""Live updates: the library's stamp moves with every kind of change, and the event stream
sends it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.api.live import change_events
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
