"""``GET /api/events``: server-sent events of library changes, for open pages to refresh.

Every open stream polls :func:`~litreview.library.changes.library_stamp` (one cheap statement)
each ``POLL_SECONDS`` and sends ``library-changed`` when it moved, so a change made by another
worker or process (the CLI) shows too. Left out of the OpenAPI document: it never ends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from litreview.library.changes import library_stamp

POLL_SECONDS = 2.0

router = APIRouter(tags=["live"])


def _stamp(engine: Engine) -> str:
    with Session(engine) as session:
        return library_stamp(session)


async def change_events(engine: Engine, request: Request) -> AsyncIterator[str]:
    """``library-changed`` events: the first at once, then one per change."""
    last: str | None = None
    while not await request.is_disconnected():
        stamp = await run_in_threadpool(_stamp, engine)
        if stamp != last:
            last = stamp
            yield f"event: library-changed\ndata: {json.dumps({'stamp': stamp})}\n\n"
        await asyncio.sleep(POLL_SECONDS)


@router.get("/events", include_in_schema=False)
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: ``library-changed`` whenever the library changes."""
    return StreamingResponse(
        change_events(request.app.state.engine, request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
