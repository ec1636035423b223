"""Saved table views: a name, a target (papers or areas) and a spec (query, columns, sort)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from litreview.errors import Conflict, InvalidInput, NotFound
from litreview.models import ColumnTarget, SavedView

MAX_SPEC = 20_000


def list_views(session: Session) -> list[SavedView]:
    return list(session.exec(select(SavedView).order_by(col(SavedView.name))).all())


def save_view(
    session: Session,
    name: str,
    target: ColumnTarget,
    spec: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> SavedView:
    """Create the view or replace the one of that name (a stale version answers 409)."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("a view needs a name", field="name")
    if len(json.dumps(spec)) > MAX_SPEC:
        raise InvalidInput(f"a view's spec is limited to {MAX_SPEC} characters", field="spec")
    view = session.exec(select(SavedView).where(SavedView.name == name)).first()
    if view is None:
        view = SavedView(name=name, target=target, spec=spec)
    else:
        if expected_version is not None and expected_version != view.version:
            raise Conflict(
                f"view {name!r} changed since version {expected_version} (now {view.version})",
                current_version=view.version,
            )
        view.target, view.spec, view.version = target, spec, view.version + 1
    session.add(view)
    session.flush()
    return view


def delete_view(session: Session, view_id: int) -> None:
    view = session.get(SavedView, view_id)
    if view is None:
        raise NotFound(f"no view with id {view_id}", view_id=view_id)
    session.delete(view)
    session.flush()
