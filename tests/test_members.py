"""Members of a shared library: accounts off by default, sign-in with a cookie, roles, API
tokens, wrong passwords blocked, who wrote each annotation text; ``litreview users``.

Runs on SQLite and PostgreSQL. Passwords are hashed and checked by the library's own Argon2
hasher at its real cost (~0.2 s of CPU a hash or a check): the tests about sign-in use them;
the others act as a member through an API token (``as_member``), which identifies the member
the same way for every route.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner, Result

from litreview.cli import app as cli_app
from litreview.library.members import (
    MAX_FAILED_SIGN_INS,
    add_member,
    create_token,
    find_member,
    hash_password,
)
from litreview.models import MemberRole, Paper
from tests.api_helpers import add_paper, error_of

pytestmark = pytest.mark.both_dialects

LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def ana_password_hash() -> str:
    """Ana's password hashed once for the module, by the hasher add_member uses."""
    return hash_password("ana-secret-1")


@pytest.fixture
def group(engine: Engine, ana_password_hash: str) -> Engine:
    """A library with an owner (password set), an editor and a viewer (none yet)."""
    with Session(engine) as session:
        ana = add_member(session, "Ana", MemberRole.owner)
        ana.password_hash = ana_password_hash
        add_member(session, "Ben", MemberRole.editor)
        add_member(session, "Cleo", MemberRole.viewer)
        session.commit()
    return engine


def sign_in(client: TestClient, name: str, password: str) -> TestClient:
    response = client.post("/api/session", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    return client


def as_member(client: TestClient, engine: Engine, name: str) -> TestClient:
    """``client`` acting as the member ``name`` through a new API token of theirs."""
    with Session(engine) as session:
        token = create_token(session, find_member(session, name), "tests", can_write=True)
        session.commit()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_without_members_nobody_signs_in(client: TestClient) -> None:
    assert client.get("/api/session").json() == {"accounts": False, "member": None}
    add_paper(client, "Open library")


def test_members_sign_in_and_roles_decide_writes(group: Engine, client: TestClient) -> None:
    error = error_of(client.get("/api/papers"), 401)
    assert "sign in" in error["message"]
    assert client.get("/api/health").status_code == 200
    response = client.post("/api/session", json={"name": "Ana", "password": "ana-secret-1"})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    paper = add_paper(client, "Written by Ana")
    put = client.put(
        f"/api/papers/{paper['id']}/annotation", json={"markdown": "Ana's view", "version": 0}
    )
    assert put.json()["edited_by"] == "Ana"
    # Ben sets his password on first sign-in; then a wrong one is refused.
    with TestClient(client.app, base_url=LOCAL) as ben:
        sign_in(ben, "Ben", "ben-chose-this")
        put = ben.put(
            f"/api/papers/{paper['id']}/annotation", json={"markdown": "Ben's view", "version": 1}
        )
        assert put.json()["edited_by"] == "Ben"
        revisions = ben.get(f"/api/papers/{paper['id']}/annotation/revisions").json()
        assert [r["edited_by"] for r in revisions["items"]] == ["Ana"]
        error_of(ben.post("/api/members", json={"name": "Dan", "role": "editor"}), 403)
        assert ben.delete("/api/session").status_code == 204
        error_of(ben.get("/api/papers"), 401)
    with TestClient(client.app, base_url=LOCAL) as wrong:
        error_of(wrong.post("/api/session", json={"name": "Ben", "password": "nope-nope"}), 401)
    with TestClient(client.app, base_url=LOCAL) as cleo:
        as_member(cleo, group, "Cleo")
        assert cleo.get("/api/papers").json()["total"] == 1
        error = error_of(cleo.post("/api/papers", json={"title": "Nope"}), 403)
        assert "viewer" in error["message"]
    # Owners manage members.
    created = client.post("/api/members", json={"name": "Dan", "role": "viewer"})
    assert created.status_code == 201
    names = [m["name"] for m in client.get("/api/members").json()["items"]]
    assert names == ["Ana", "Ben", "Cleo", "Dan"]


def test_wrong_passwords_block_sign_in_for_a_while(group: Engine, client: TestClient) -> None:
    for _ in range(MAX_FAILED_SIGN_INS):
        error_of(client.post("/api/session", json={"name": "Ana", "password": "guess-1234"}), 401)
    error = error_of(
        client.post("/api/session", json={"name": "Ana", "password": "ana-secret-1"}), 429
    )
    assert "too many wrong passwords" in error["message"] and error["retry_after"] > 0


def test_tokens_are_created_listed_read_only_and_revoked(group: Engine, client: TestClient) -> None:
    as_member(client, group, "Ana")  # her token "tests"
    made = client.post("/api/tokens", json={"name": "script", "write": False}).json()
    writer = client.post("/api/tokens", json={"name": "importer", "write": True}).json()
    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed["items"]] == ["tests", "script", "importer"]
    assert all(t["token"] is None for t in listed["items"])
    with TestClient(client.app, base_url=LOCAL) as script:
        reader = {"Authorization": f"Bearer {made['token']}"}
        assert script.get("/api/papers", headers=reader).status_code == 200
        error = error_of(script.post("/api/papers", json={"title": "x"}, headers=reader), 403)
        assert "read-only" in error["message"]
        writes = {"Authorization": f"Bearer {writer['token']}"}
        assert script.post("/api/papers", json={"title": "y"}, headers=writes).status_code == 201
        assert client.delete(f"/api/tokens/{writer['id']}").status_code == 204
        error_of(script.get("/api/papers", headers=writes), 401)


def test_the_users_command_manages_members(db_url: str) -> None:
    runner = CliRunner()
    added = runner.invoke(cli_app, ["--db", db_url, "users", "add", "Ana", "--role", "owner"])
    assert added.exit_code == 0, added.output
    runner.invoke(cli_app, ["--db", db_url, "users", "add", "Ben", "--role", "viewer"])
    passwd = runner.invoke(
        cli_app, ["--db", db_url, "users", "passwd", "Ben", "--password", "long-enough"]
    )
    assert passwd.exit_code == 0, passwd.output
    listed = runner.invoke(cli_app, ["--db", db_url, "users", "list"])
    assert "Ana" in listed.output and "viewer" in listed.output and "set" in listed.output
    last = runner.invoke(cli_app, ["--db", db_url, "users", "remove", "Ana"])
    assert last.exit_code != 0 and "last owner" in str(last.exception)
    gone = runner.invoke(cli_app, ["--db", db_url, "users", "remove", "Ben"])
    assert gone.exit_code == 0
    listed = runner.invoke(cli_app, ["--db", db_url, "users", "list"])
    assert "Ben" not in listed.output


LOOK_ALIKES = """
@article{smith2001intro, title = {Editor's introduction}, author = {Smith, Ann}, year = 2001}
@article{smith2002intro, title = {Editor's introduction}, author = {Smith, Ann}, year = 2002,
  doi = {10.1000/stuff.1}}
"""


def test_notes_imports_merges_and_areas_record_their_member(
    group: Engine, client: TestClient
) -> None:
    as_member(client, group, "Ana")
    upload = client.post("/api/import/bibtex", files={"file": ("t.bib", LOOK_ALIKES.encode())})
    assert upload.status_code == 200, upload.text
    pair = client.get("/api/duplicates").json()["items"][0]
    keep = pair["a"]["id"]
    note = client.post(f"/api/papers/{keep}/notes", json={"kind": "note", "markdown": "Ana's"})
    assert (note.json()["created_by"], note.json()["edited_by"]) == ("Ana", "Ana")
    area = client.post("/api/areas", json={"name": "Agents"}).json()
    assert area["edited_by"] == "Ana" and area["updated_at"] is not None
    with TestClient(client.app, base_url=LOCAL) as ben:
        as_member(ben, group, "Ben")
        merged = ben.post(f"/api/duplicates/{pair['id']}/merge", json={"keep": keep})
        assert merged.status_code == 200, merged.text
        changed = ben.patch(
            f"/api/notes/{note.json()['id']}", json={"markdown": "Ben's", "version": 1}
        ).json()
        assert (changed["created_by"], changed["edited_by"]) == ("Ana", "Ben")
        renamed = ben.patch(f"/api/areas/{area['id']}", json={"name": "AI agents"}).json()
        assert renamed["edited_by"] == "Ben"
    detail = client.get(f"/api/papers/{keep}").json()
    provenance = [(p["source"], p["detail"], p["by"]) for p in detail["provenance"]]
    assert provenance == [
        ("bibtex", "t.bib", "Ana"),
        ("bibtex", "t.bib", "Ana"),  # the merged paper's import came along
        ("manual", f"merged paper 'smith2002intro' (id {pair['b']['id']})", "Ben"),
    ]
    assert [n["edited_by"] for n in detail["notes"]] == ["Ben"]


REVIEW_TABLE = "Title,Status\nRead by Ben at the terminal,read\n"


def test_the_cli_records_the_member_it_is_told(
    group: Engine, client: TestClient, db_url: str, tmp_path: Path
) -> None:
    bib, table = tmp_path / "t.bib", tmp_path / "review.csv"
    bib.write_text(LOOK_ALIKES)
    table.write_text(REVIEW_TABLE)
    runner = CliRunner()

    def run(*args: str, member: str | None = None) -> Result:
        env = {"LITREVIEW_MEMBER": member} if member else {}
        return runner.invoke(cli_app, ["--db", db_url, *args], env=env)

    assert run("import", str(bib), "--member", "Ana").exit_code == 0  # after the command too
    assert run("import", str(table), member="Ben").exit_code == 0  # $LITREVIEW_MEMBER
    assert run("--member", "Ben", "areas", "add", "Agents").exit_code == 0
    unknown = run("--member", "Nobody", "areas", "add", "Robots")
    assert unknown.exit_code == 1 and "no member named 'Nobody'" in str(unknown.exception)
    as_member(client, group, "Ana")
    papers = client.get("/api/papers", params={"sort": "title"}).json()["items"]
    provenance = [client.get(f"/api/papers/{p['id']}").json()["provenance"] for p in papers]
    assert sorted((p["detail"], p["by"]) for rows in provenance for p in rows) == [
        ("review.csv row 2", "Ben"),
        ("t.bib", "Ana"),
        ("t.bib", "Ana"),
    ]
    assert [a["edited_by"] for a in client.get("/api/areas").json()["items"]] == ["Ben"]
    assert [a["name"] for a in client.get("/api/areas").json()["items"]] == ["Agents"]
    # The table's reading status is Ben's own: his search finds it, Ana's does not.
    assert "Read by Ben" in run("--member", "Ben", "search", "--status", "read").output
    assert "Read by Ben" not in run("--member", "Ana", "search", "--status", "read").output


def test_without_members_nothing_is_attributed(client: TestClient) -> None:
    paper = add_paper(client, "Alone")
    note = client.post(f"/api/papers/{paper['id']}/notes", json={"kind": "note", "markdown": "x"})
    assert (note.json()["created_by"], note.json()["edited_by"]) == (None, None)
    assert client.post("/api/areas", json={"name": "Mine"}).json()["edited_by"] is None
    assert [p["by"] for p in client.get(f"/api/papers/{paper['id']}").json()["provenance"]] == [
        None
    ]


def test_reading_status_and_rating_are_each_members_own(group: Engine, client: TestClient) -> None:
    as_member(client, group, "Ana")
    first = add_paper(client, "Read by Ana")
    second = add_paper(client, "Rated by Ben")
    marked = client.patch(
        f"/api/papers/{first['id']}", json={"status": "read", "rating": 4, "version": 1}
    ).json()
    assert (marked["status"], marked["rating"], marked["version"]) == ("read", 4, 1)
    with TestClient(client.app, base_url=LOCAL) as ben:
        as_member(ben, group, "Ben")
        seen = ben.get(f"/api/papers/{first['id']}").json()
        assert (seen["status"], seen["rating"]) == ("unread", None)
        ben.patch(f"/api/papers/{second['id']}", json={"rating": 5, "status": "skimmed"})
        assert ben.get("/api/papers", params={"status": "read"}).json()["total"] == 0
        unread = ben.get("/api/papers", params={"status": "unread"}).json()
        assert [p["title"] for p in unread["items"]] == ["Read by Ana"]
        by_rating = ben.get("/api/papers", params={"sort": "rating"}).json()["items"]
        assert [(p["title"], p["rating"]) for p in by_rating] == [
            ("Rated by Ben", 5),
            ("Read by Ana", None),
        ]
        # Ben's statuses: skimmed, and unread for the paper he never marked (Ana's "read").
        by_status = ben.get("/api/papers", params={"sort": "status"}).json()["items"]
        assert [p["status"] for p in by_status] == ["skimmed", "unread"]
    mine = client.get("/api/papers", params={"status": "read"}).json()["items"]
    assert [(p["title"], p["rating"]) for p in mine] == [("Read by Ana", 4)]
    by_rating = client.get("/api/papers", params={"sort": "rating"}).json()["items"]
    assert [p["title"] for p in by_rating] == ["Read by Ana", "Rated by Ben"]
    by_status = client.get("/api/papers", params={"sort": "status", "order": "desc"}).json()
    assert [p["title"] for p in by_status["items"]] == ["Rated by Ben", "Read by Ana"]
    # The paper's own columns (the member-less values) are untouched.
    with Session(group) as session:
        stored = session.get(Paper, first["id"])
        assert stored is not None and (stored.status, stored.rating) == ("unread", None)


def test_the_first_owner_takes_the_single_users_marks(engine: Engine, client: TestClient) -> None:
    paper = add_paper(client, "Marked alone")
    client.patch(f"/api/papers/{paper['id']}", json={"status": "read", "rating": 3})
    with Session(engine) as session:
        add_member(session, "Ana", MemberRole.owner)
        add_member(session, "Ben", MemberRole.editor)
        session.commit()
    as_member(client, engine, "Ana")
    seen = client.get(f"/api/papers/{paper['id']}").json()
    assert (seen["status"], seen["rating"]) == ("read", 3)
    with TestClient(client.app, base_url=LOCAL) as ben:
        as_member(ben, engine, "Ben")
        seen = ben.get(f"/api/papers/{paper['id']}").json()
        assert (seen["status"], seen["rating"]) == ("unread", None)


def test_a_private_note_is_its_authors_alone(group: Engine, client: TestClient) -> None:
    as_member(client, group, "Ana")
    paper = add_paper(client, "Noted privately")
    url = f"/api/papers/{paper['id']}/notes"
    private = client.post(url, json={"markdown": "zebrafish hunch", "private": True}).json()
    shared = client.post(url, json={"markdown": "For the group"}).json()
    assert (private["private"], shared["private"]) == (True, False)
    assert len(client.get(url).json()["items"]) == 2
    with TestClient(client.app, base_url=LOCAL) as ben:
        as_member(ben, group, "Ben")
        assert [n["markdown"] for n in ben.get(url).json()["items"]] == ["For the group"]
        detail = ben.get(f"/api/papers/{paper['id']}").json()
        assert [n["markdown"] for n in detail["notes"]] == ["For the group"]
        assert ben.get("/api/papers", params={"q": "zebrafish"}).json()["total"] == 0
        note_url = f"/api/notes/{private['id']}"
        error_of(ben.patch(note_url, json={"markdown": "seen", "version": 1}), 404)
        error_of(ben.delete(note_url), 404)
        refused = ben.patch(f"/api/notes/{shared['id']}", json={"private": True, "version": 1})
        assert "only its author" in error_of(refused, 403)["message"]
        # Shared by its author: everyone sees it, and search finds it.
        made = client.patch(note_url, json={"private": False, "version": 1})
        assert made.status_code == 200, made.text
        assert len(ben.get(url).json()["items"]) == 2
        assert ben.get("/api/papers", params={"q": "zebrafish"}).json()["total"] == 1
