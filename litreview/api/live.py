"""``GET /api/events``: server-sent events of library changes, for open pages to refresh.

An open stream sends ``library-changed`` whenever :func:`~litreview.library.changes.library_stamp`
(one cheap statement) moved, so a change made by another worker or process (the CLI) shows too.
When to look again:

- SQLite: every ``POLL_SECONDS``.
- PostgreSQL: when the database says so. Revision 0018 has every write of the tables the stamp
  reads NOTIFY ``litreview_changes``; while this worker has open streams it holds one connection
  that LISTENs (:class:`ChangeListener`) and wakes them all. Until that connection is up (or
  again after it dropped) the streams poll as on SQLite.

Left out of the OpenAPI document: it never ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from litreview.library.changes import library_stamp

POLL_SECONDS = 2.0
# While listening, a stream still looks at the stamp this often (a notification is never lost
# by PostgreSQL, but a connection can drop between two looks).
LISTENING_POLL_SECONDS = 30.0
RECONNECT_SECONDS = 5.0
CHANNEL = "litreview_changes"  # as revision 0018 notifies

logger = logging.getLogger(__name__)
router = APIRouter(tags=["live"])


class ChangeListener:
    """One LISTEN connection per worker, open while the worker has open streams."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.listening = False
        self._waiters: set[asyncio.Event] = set()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self) -> asyncio.Event:
        """An event set whenever the library may have changed (listening starts if needed)."""
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen())
        return waiter

    def unsubscribe(self, waiter: asyncio.Event) -> None:
        self._waiters.discard(waiter)
        if not self._waiters and self._task is not None:
            self._task.cancel()
            self._task = None
            self.listening = False

    def _wake(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    async def _listen(self) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    self._wake()  # whatever changed before the connection was up
                    async for _ in conn.notifies():
                        self._wake()
            except psycopg.Error as exc:
                logger.warning("live updates: listening for changes failed (%s); polling", exc)
            self.listening = False
            await asyncio.sleep(RECONNECT_SECONDS)


def change_listener(app: FastAPI) -> ChangeListener | None:
    """The app's listener on PostgreSQL (made on first use), None on SQLite."""
    engine: Engine = app.state.engine
    if engine.dialect.name != "postgresql":
        return None
    listener: ChangeListener | None = getattr(app.state, "change_listener", None)
    if listener is None:
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        listener = app.state.change_listener = ChangeListener(url)
    return listener


def _stamp(engine: Engine) -> str:
    with Session(engine) as session:
        return library_stamp(session)


async def change_events(
    engine: Engine, request: Request, listener: ChangeListener | None = None
) -> AsyncIterator[str]:
    """``library-changed`` events: the first at once, then one per change."""
    last: str | None = None
    waiter = listener.subscribe() if listener is not None else None
    try:
        while not await request.is_disconnected():
            stamp = await run_in_threadpool(_stamp, engine)
            if stamp != last:
                last = stamp
                yield f"event: library-changed\ndata: {json.dumps({'stamp': stamp})}\n\n"
            if listener is None or waiter is None or not listener.listening:
                await asyncio.sleep(POLL_SECONDS)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), LISTENING_POLL_SECONDS)
            waiter.clear()
    finally:
        if listener is not None and waiter is not None:
            listener.unsubscribe(waiter)


@router.get("/events", include_in_schema=False)
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: ``library-changed`` whenever the library changes."""
    return StreamingResponse(
        change_events(request.app.state.engine, request, change_listener(request.app)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
