"""Work that stops when its client goes away: an abandoned search does not keep running.

Search-as-you-type sends "t", "th", "the"...; the browser aborts each request it no longer needs
(``AbortController``), which closes the connection. :func:`run_while_connected` runs a route's
work in a worker thread while it listens for the client's ``http.disconnect``; the work passes
the flag's ``is_set`` to :func:`litreview.db.time_limit`, whose SQLite progress handler then
interrupts the running statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

T = TypeVar("T")


async def run_while_connected(request: Request, work: Callable[[threading.Event], T]) -> T:
    """``work(gone)`` in a worker thread; ``gone`` is set once the client disconnects."""
    gone = threading.Event()

    async def watch() -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                gone.set()
                return

    watcher = asyncio.create_task(watch())
    try:
        return await run_in_threadpool(work, gone)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
