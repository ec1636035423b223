"""Small helpers shared by the API tests."""

from __future__ import annotations

from typing import Any

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
