"""Who is writing: the member a session's changes are attributed to.

Set once where a session starts working for someone: the API's member check, which every library
route runs first (:func:`litreview.api.members.member_access`), and the CLI's ``--member NAME``
(``$LITREVIEW_MEMBER``), whose engine starts each of its sessions acting for that member
(:func:`engine_acting_as`).
Read by the library wherever it writes a row that records its author (annotations, notes, the
provenance of imports and merges, areas) and wherever a member's own values are read or written
(reading status and rating). Nobody (None) is the single-user default and the CLI without
``--member``.

Rows record the member's *name*, as ``annotation.edited_by`` always has: a member cannot be
renamed, and the record outlives a member who is removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.db import SESSION_INFO_OPTION
from litreview.models import Member

_KEY = "litreview.member"


@dataclass(frozen=True)
class Acting:
    id: int
    name: str


def act_as(session: Session, member: Member | None) -> None:
    """Attribute this session's changes to ``member`` (None: nobody, the single-user default)."""
    if member is None or member.id is None:
        session.info.pop(_KEY, None)
    else:
        session.info[_KEY] = Acting(member.id, member.name)


def acting_member(session: Session) -> Acting | None:
    """The member this session works for, or None."""
    found = session.info.get(_KEY)
    return found if isinstance(found, Acting) else None


def acting_name(session: Session) -> str | None:
    """The name to record as a row's author (None: nobody)."""
    found = acting_member(session)
    return found.name if found else None


def engine_acting_as(engine: Engine, member: Member) -> Engine:
    """``engine`` whose sessions (:func:`litreview.db.session_scope`) work for ``member``: the
    CLI's ``--member``. It shares the engine's connections."""
    assert member.id is not None
    info = {_KEY: Acting(member.id, member.name)}
    return engine.execution_options(**{SESSION_INFO_OPTION: info})
