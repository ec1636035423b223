"""Dependencies every route shares: the session (one per request) and the settings; and
:func:`json_response`, how a route sends a shape it built.

Routes commit once, at the end, after the library call succeeded; an error rolls back. A
write request's session takes the write lock when it begins, so its checks and inserts are
one step (see :func:`litreview.db.lock_for_writes`).

Both are ``async``: making a session and reading the settings do no I/O (the session connects
at its first statement, in the route's thread), and FastAPI runs a plain ``def`` dependency in
the thread pool, a round trip between threads per dependency and per request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from litreview.api.guard import SAFE_METHODS
from litreview.config import Settings
from litreview.db import lock_for_writes

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_READS_ONLY: set[Callable[..., Any]] = set()


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Mark a route that changes nothing though its method is not a safe one (a preview):
    its session reads without the write lock, so it answers while an import writes."""
    _READS_ONLY.add(endpoint)
    return endpoint


async def get_session(request: Request) -> AsyncIterator[Session]:
    with Session(request.app.state.engine) as session:
        writes = request.scope.get("endpoint") not in _READS_ONLY
        if request.method not in SAFE_METHODS and writes:
            lock_for_writes(session)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def json_response(
    model: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A shape the route built (and so validated) sent as it is: a returned model FastAPI
    validates again and encodes twice (to Python, then JSON), for a plain ``def`` route in a
    thread of its pool (one more round trip between threads a request). The route's
    ``response_model`` still documents it."""
    return Response(model.model_dump_json(), status_code, headers, media_type="application/json")
