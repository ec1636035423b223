"""Small helpers shared by the API tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient


def add_paper(client: TestClient, title: str = "A paper", **fields: Any) -> dict[str, Any]:
    """POST a paper and return its JSON (asserting it was created)."""
    response = client.post("/api/papers", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def add_area(client: TestClient, name: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/areas", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The error object of a response, after checking its status and shape."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["status"] == status and error["message"]
    return error


@contextmanager
def statements_run(client: TestClient) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block, in order."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def watch(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        statements.append(sql)

    sa.event.listen(engine, "before_cursor_execute", watch)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", watch)
