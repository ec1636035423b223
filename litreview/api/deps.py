"""Dependencies every route shares: the session (one per request) and the settings.

Routes commit once, at the end, after the library call succeeded; an error rolls back. A
write request's session takes the write lock when it begins, so its checks and inserts are
one step (see :func:`litreview.db.lock_for_writes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from litreview.api.guard import SAFE_METHODS
from litreview.config import Settings
from litreview.db import lock_for_writes


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        if request.method not in SAFE_METHODS:
            lock_for_writes(session)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
