"""A paper's further notes through the API: add, list in order, change, move, delete; stale
writes refused; bad input named; notes found by full-text search with the annotation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import add_paper, error_of

pytestmark = pytest.mark.both_dialects


def _add(client: TestClient, pid: int, markdown: str, **fields: Any) -> dict[str, Any]:
    response = client.post(f"/api/papers/{pid}/notes", json={"markdown": markdown, **fields})
    assert response.status_code == 201, response.text
    note: dict[str, Any] = response.json()
    return note


def _notes(client: TestClient, pid: int) -> list[dict[str, Any]]:
    body = client.get(f"/api/papers/{pid}/notes").json()
    assert body["total"] == len(body["items"])
    items: list[dict[str, Any]] = body["items"]
    assert [n["position"] for n in items] == list(range(len(items)))
    return items


def _texts(client: TestClient, pid: int) -> list[str]:
    return [n["markdown"] for n in _notes(client, pid)]


@pytest.fixture
def pid(client: TestClient) -> int:
    paper_id: int = add_paper(client, "Latent adversarial training")["id"]
    return paper_id


def test_notes_are_added_in_order_and_shown_with_the_paper(client: TestClient, pid: int) -> None:
    quote = _add(client, pid, "Attacks in the *latent* space.", kind="quote", location="  p. 4 ")
    assert quote["kind"] == "quote" and quote["location"] == "p. 4"
    assert quote["version"] == 1 and quote["position"] == 0 and quote["paper_id"] == pid
    assert "<em>latent</em>" in quote["html"]
    question = _add(client, pid, "Does it transfer to larger models?", kind="question")
    plain = _add(client, pid, "Compare with the 2024 follow-up.")
    assert plain["kind"] == "note" and plain["location"] == ""
    assert [n["id"] for n in _notes(client, pid)] == [quote["id"], question["id"], plain["id"]]
    detail = client.get(f"/api/papers/{pid}").json()
    assert [n["id"] for n in detail["notes"]] == [quote["id"], question["id"], plain["id"]]
    # Another paper's notes are its own.
    other = add_paper(client, "Another paper")["id"]
    assert _notes(client, other) == []
    assert client.get(f"/api/papers/{other}").json()["notes"] == []


def test_a_change_needs_the_current_version(client: TestClient, pid: int) -> None:
    note = _add(client, pid, "First thought.")
    url = f"/api/notes/{note['id']}"
    changed = client.patch(
        url, json={"version": 1, "markdown": "Second thought.", "kind": "critique"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["kind"] == "critique"
    # The other tab still has version 1: refused, with the current text to merge with.
    stale = client.patch(url, json={"version": 1, "markdown": "Overwrite!"})
    error = error_of(stale, 409)
    assert error["current_version"] == 2
    assert error["current_markdown"] == "Second thought."
    assert "<p>Second thought.</p>" in error["current_html"]
    assert _texts(client, pid) == ["Second thought."]
    # The same content again changes nothing, not even the version.
    same = client.patch(url, json={"version": 2, "markdown": "Second thought."})
    assert same.json()["version"] == 2
    located = client.patch(url, json={"version": 2, "location": "§3.2"})
    assert located.json()["location"] == "§3.2" and located.json()["version"] == 3
    # A deletion with a stale version is refused too; with the current one it goes.
    error_of(client.delete(url, params={"version": 2}), 409)
    assert client.delete(url, params={"version": 3}).status_code == 204
    assert _notes(client, pid) == []
    error_of(client.delete(url), 404)


def test_notes_move_and_deletions_close_the_gap(client: TestClient, pid: int) -> None:
    for text in ("a", "b", "c", "d"):
        _add(client, pid, text)
    ids = {n["markdown"]: n for n in _notes(client, pid)}

    def move(text: str, position: int) -> None:
        note = next(n for n in _notes(client, pid) if n["markdown"] == text)
        response = client.patch(
            f"/api/notes/{note['id']}", json={"version": note["version"], "position": position}
        )
        assert response.status_code == 200, response.text

    move("d", 0)
    assert _texts(client, pid) == ["d", "a", "b", "c"]
    move("d", 99)  # past the end: last
    assert _texts(client, pid) == ["a", "b", "c", "d"]
    move("a", 2)
    assert _texts(client, pid) == ["b", "c", "a", "d"]
    # Moved once (others only shift around it, keeping their versions); moved to where it is
    # already: no change, no new version.
    move("a", 2)
    assert next(n for n in _notes(client, pid) if n["markdown"] == "a")["version"] == 2
    assert next(n for n in _notes(client, pid) if n["markdown"] == "b")["version"] == 1
    assert client.delete(f"/api/notes/{ids['c']['id']}").status_code == 204
    assert _texts(client, pid) == ["b", "a", "d"]
    assert _add(client, pid, "e")["position"] == 3


@pytest.mark.parametrize(
    ("body", "status", "where"),
    [
        ({"markdown": "   "}, 422, "markdown"),
        ({"markdown": ""}, 422, "markdown"),
        ({"markdown": "x", "kind": "rant"}, 422, "body.kind"),
        ({"markdown": "x", "location": "p" * 201}, 422, "body.location"),
        ({"markdown": "x", "colour": "red"}, 422, "body.colour"),
        ({"markdown": "x" * 1_000_001}, 422, "body.markdown"),
        ({}, 422, "body.markdown"),
    ],
)
def test_bad_notes_are_refused_and_nothing_is_stored(
    client: TestClient, pid: int, body: dict[str, Any], status: int, where: str | None
) -> None:
    error = error_of(client.post(f"/api/papers/{pid}/notes", json=body), status)
    if where == "markdown":
        assert error["field"] == "markdown"
    elif where is not None:
        assert where in [problem["where"] for problem in error["problems"]]
    assert _notes(client, pid) == []


def test_unknown_papers_and_notes_are_404(client: TestClient, pid: int) -> None:
    error_of(client.get("/api/papers/999/notes"), 404)
    error_of(client.post("/api/papers/999/notes", json={"markdown": "x"}), 404)
    error_of(client.patch("/api/notes/999", json={"version": 1, "markdown": "x"}), 404)
    error_of(client.delete("/api/notes/999"), 404)
    note = _add(client, pid, "kept")
    error_of(client.patch(f"/api/notes/{note['id']}", json={"version": 1, "markdown": " "}), 422)
    assert _texts(client, pid) == ["kept"]


def test_notes_go_with_their_paper(client: TestClient, pid: int) -> None:
    note = _add(client, pid, "Gone with the paper.")
    assert client.delete(f"/api/papers/{pid}").status_code == 204
    error_of(client.patch(f"/api/notes/{note['id']}", json={"version": 1, "markdown": "x"}), 404)


def _found(client: TestClient, text: str) -> list[int]:
    body = client.get("/api/papers", params={"q": text}).json()
    return [item["id"] for item in body["items"]]


def test_search_finds_papers_by_their_notes(client: TestClient, pid: int) -> None:
    other = add_paper(client, "Unrelated work")["id"]
    saved = client.put(
        f"/api/papers/{pid}/annotation", json={"markdown": "Robust refusal.", "version": 0}
    )
    assert saved.status_code == 200
    quote = _add(client, pid, "Gradient hacking is speculative.", kind="quote")
    _add(client, other, "Nothing about that.")
    assert _found(client, "gradient hacking") == [pid]
    assert _found(client, "refusal") == [pid]  # the annotation is still searched
    changed = client.patch(
        f"/api/notes/{quote['id']}", json={"version": 1, "markdown": "Mesa-optimisers, maybe."}
    )
    assert changed.status_code == 200
    assert _found(client, "gradient hacking") == []
    assert _found(client, "mesa optimisers") == [pid]
    # Saving the annotation keeps the notes in the index, and the other way round.
    resaved = client.put(
        f"/api/papers/{pid}/annotation", json={"markdown": "Robust refusal, revised.", "version": 1}
    )
    assert resaved.status_code == 200
    assert _found(client, "mesa optimisers") == [pid]
    assert _found(client, "revised") == [pid]
    assert client.delete(f"/api/notes/{quote['id']}").status_code == 204
    assert _found(client, "mesa optimisers") == []
    assert _found(client, "revised") == [pid]
    assert (
        client.get("/api/papers", params={"q": "nothing", "has_annotation": False}).json()["items"][
            0
        ]["id"]
        == other
    )
