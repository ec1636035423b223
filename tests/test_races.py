"""Creates that race: eight clients creating the same area, tag or paper at the same instant get
one row, and every loser an answer (the row that won, or 409), never a 5xx."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from litreview.config import sqlite_url
from litreview.db import make_engine, upgrade

pytestmark = pytest.mark.both_dialects

CLIENTS = 8


def _together(call: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """``call(i)`` for each of CLIENTS threads, released at the same instant."""
    barrier = threading.Barrier(CLIENTS)

    def run(i: int) -> httpx.Response:
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(run, range(CLIENTS)))


def _statuses(responses: list[httpx.Response]) -> list[int]:
    for response in responses:
        assert response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/json")
    return sorted(r.status_code for r in responses)


def test_eight_creates_of_one_top_level_area_make_one(client: TestClient) -> None:
    responses = _together(lambda _: client.post("/api/areas", json={"name": "X"}))
    assert _statuses(responses) == [201] + [409] * (CLIENTS - 1)
    assert [a["name"] for a in client.get("/api/areas").json()["items"]] == ["X"]


def test_eight_creates_of_one_sub_area_make_one(client: TestClient) -> None:
    parent = client.post("/api/areas", json={"name": "P"}).json()["id"]
    body = {"name": "Child", "parent_id": parent}
    responses = _together(lambda _: client.post("/api/areas", json=body))
    assert _statuses(responses) == [201] + [409] * (CLIENTS - 1)
    assert len(client.get("/api/areas").json()["items"][0]["children"]) == 1


def test_eight_clients_adding_one_new_tag_make_one(client: TestClient) -> None:
    ids = [client.post("/api/papers", json={"title": f"P{i}"}).json()["id"] for i in range(CLIENTS)]
    responses = _together(lambda i: client.put(f"/api/papers/{ids[i]}/tags/fresh"))
    assert _statuses(responses) == [200] * CLIENTS
    tags = client.get("/api/tags").json()["items"]
    assert [(t["name"], t["count"]) for t in tags] == [("fresh", CLIENTS)]


def test_eight_creates_of_one_paper_make_one(client: TestClient) -> None:
    body = {"title": "Same paper", "doi": "10.1234/same"}
    responses = _together(lambda _: client.post("/api/papers", json=body))
    assert _statuses(responses) == [201] + [409] * (CLIENTS - 1)
    won = next(r.json()["id"] for r in responses if r.status_code == 201)
    for lost in (r for r in responses if r.status_code == 409):
        assert lost.json()["error"]["paper_id"] == won  # the answer names the row that won
    assert client.get("/api/papers").json()["total"] == 1


def test_eight_imports_of_one_new_entry_make_one(client: TestClient) -> None:
    entry = b"@article{same2020, title={Same entry}, doi={10.1234/entry}, year={2020}}"
    headers = {"Content-Type": "application/x-bibtex"}
    responses = _together(
        lambda _: client.post("/api/import/bibtex", content=entry, headers=headers)
    )
    assert _statuses(responses) == [200] * CLIENTS
    assert client.get("/api/papers").json()["total"] == 1


def test_the_migration_renames_top_level_areas_that_share_a_name(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "old.db"))
    upgrade(engine, "0009")
    insert = sa.text("INSERT INTO area (name, description, position) VALUES (:name, '', 0)")
    with engine.begin() as conn:
        for name in ("X", "X", "X", "X (2)"):
            conn.execute(insert, {"name": name})
    upgrade(engine)
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT name FROM area ORDER BY id")).scalars().all()
        assert names == ["X", "X (3)", "X (4)", "X (2)"]
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(insert, {"name": "X"})
    engine.dispose()
