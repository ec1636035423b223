"""A shared library in real browsers: sign-in, sign-out, a wrong password then the rate limit,
a viewer's read-only pages, API tokens created and revoked, and live updates between two
members. Browser fixtures are those of tests/test_web_ui.py; the server has three members."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import test_web_ui
from arxiv_server import FakeArxiv
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session
from test_web_ui import add_note, notes_card, open_paper
from web_support import HeldRequests, LiveServer, live_server

from litreview.db import make_engine
from litreview.library import members
from litreview.models import MemberRole

pytestmark = pytest.mark.browser
arxiv = test_web_ui.arxiv
browser = test_web_ui.browser
context = test_web_ui.context

PASSWORDS = {"olga": "owner pass 1", "ed": "editor pass 2", "vic": "viewer pass 3"}
ROLES = {"olga": MemberRole.owner, "ed": MemberRole.editor, "vic": MemberRole.viewer}


@pytest.fixture
def server(tmp_path: Path, arxiv: FakeArxiv, template_db: Path) -> Iterator[LiveServer]:
    """A live server whose library has an owner, an editor and a viewer; its client is the owner."""
    with live_server(tmp_path, arxiv, template=template_db) as running:
        engine = make_engine(f"sqlite:///{running.db_path}")
        with Session(engine) as session:
            for name, role in ROLES.items():
                members.add_member(session, name, role, PASSWORDS[name])
            session.commit()
        engine.dispose()
        running.send("POST", "/api/session", {"name": "olga", "password": PASSWORDS["olga"]})
        yield running


@pytest.fixture
def page_errors() -> Iterator[list[str]]:
    """Uncaught script errors of the pages a test opened: none, or the test fails."""
    errors: list[str] = []
    yield errors
    assert errors == []


def visit(context: BrowserContext, server: LiveServer, errors: list[str], path: str = "/") -> Page:
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + path)
    return page


def sign_in(page: Page, name: str, password: str | None = None) -> None:
    dialog = page.get_by_role("dialog", name="Sign in to this library")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Password").fill(password or PASSWORDS[name])
    dialog.get_by_role("button", name="Sign in").click()


def signed_in_page(
    context: BrowserContext, server: LiveServer, errors: list[str], name: str
) -> Page:
    page = visit(context, server, errors)
    sign_in(page, name)
    expect(page.locator("#member-name")).to_have_text(f"{name} ({ROLES[name].value})")
    return page


def open_as_editor(
    server: LiveServer, context: BrowserContext, errors: list[str], title: str
) -> tuple[dict[str, Any], Page]:
    """A new paper, open in a page of the editor (ed)."""
    paper = server.add_paper(title)
    page = signed_in_page(context, server, errors, "ed")
    open_paper(page, title)
    return paper, page


def test_sign_in_wrong_password_rate_limit_and_sign_out(
    server: LiveServer, context: BrowserContext, page_errors: list[str]
) -> None:
    server.add_paper("Shared paper")
    page = visit(context, server, page_errors)
    dialog = page.get_by_role("dialog", name="Sign in to this library")
    expect(dialog).to_be_visible()
    expect(page.locator("#results .paper-row")).to_have_count(0)  # nothing before sign-in
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()  # the library needs a sign-in
    for _ in range(members.MAX_FAILED_SIGN_INS):
        sign_in(page, "vic", "not it")
        expect(dialog.get_by_role("alert")).to_have_text("Wrong name or password.")
        page.evaluate("document.querySelector('#signin-error').textContent = ''")
    sign_in(page, "vic")  # the right password, but too late
    expect(dialog.get_by_role("alert")).to_have_text(
        # BLOCKED_FOR is a minute: the wait counts down from 60 s
        re.compile(r"Too many wrong passwords: try again in \d+ s\.")
    )
    sign_in(page, "ed")  # another member is not blocked
    expect(dialog).to_be_hidden()
    expect(page.locator("#member-name")).to_have_text("ed (editor)")
    expect(page.locator("#results .paper-row")).to_have_count(1)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("dialog", name="Sign in to this library")).to_be_visible()
    expect(page.locator("#member-name")).to_have_count(0)
    assert page.evaluate("fetch('/api/papers').then((r) => r.status)") == 401


def test_viewer_sees_no_edit_controls_and_the_api_refuses(
    server: LiveServer, context: BrowserContext, page_errors: list[str]
) -> None:
    paper = server.add_paper("Read-only paper")
    server.annotate(paper["id"], "The group's *annotation*.")
    page = signed_in_page(context, server, page_errors, "vic")
    expect(page.get_by_role("button", name="Add papers")).to_be_hidden()
    open_paper(page, "Read-only paper")
    editor = page.get_by_label("Annotation", exact=True)
    expect(editor).to_have_value("The group's *annotation*.")
    expect(editor).not_to_be_editable()
    expect(page.locator("#paper-status")).to_be_disabled()
    expect(page.get_by_role("button", name="Save")).to_be_hidden()
    expect(page.get_by_role("textbox", name="Add a tag")).to_be_hidden()
    expect(page.get_by_role("button", name="Delete", exact=False)).to_have_count(0)
    status = page.evaluate(
        """(id) => fetch(`/api/papers/${id}/annotation`, {method: 'PUT',
             headers: {'Content-Type': 'application/json'},
             body: JSON.stringify({markdown: 'vandal', version: 1})}).then((r) => r.status)""",
        paper["id"],
    )
    assert status == 403
    assert server.get(f"/api/papers/{paper['id']}/annotation")["markdown"] == (
        "The group's *annotation*."
    )


def test_a_call_sent_before_the_sign_in_and_refused_after_it_is_sent_again(
    server: LiveServer, context: BrowserContext, page_errors: list[str]
) -> None:
    """The header's counts are asked for a second after the page starts, sign-in or not. In CI
    one such call, refused (401) after the sign-in had succeeded, opened the dialog again over
    the signed-in page."""
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    held = HeldRequests(page, "**/api/duplicates", answer_now=True)
    page.goto(server.url + "/")
    expect(page.get_by_role("dialog", name="Sign in to this library")).to_be_visible()
    held.wait_for_one()  # sent a second after the start, while the dialog is open
    [answer] = held.answers
    assert answer.status == 401
    sign_in(page, "ed")
    expect(page.locator("#member-name")).to_have_text("ed (editor)")
    with page.expect_response(
        lambda response: "/api/duplicates" in response.url and response.status == 200
    ):
        held.release()  # the page hears the 401 now, after the sign-in
    expect(page.get_by_role("dialog", name="Sign in to this library")).to_have_count(0)
    page.get_by_role("button", name="Tokens").click()
    expect(page.get_by_role("dialog", name="API tokens")).to_be_visible()


def test_token_is_shown_once_and_refused_once_revoked(
    server: LiveServer, context: BrowserContext, page_errors: list[str]
) -> None:
    page = signed_in_page(context, server, page_errors, "ed")
    page.get_by_role("button", name="Tokens").click()
    dialog = page.get_by_role("dialog", name="API tokens")
    dialog.get_by_label("Token name").fill("nightly script")
    dialog.get_by_role("button", name="Create token").click()
    secret = dialog.get_by_label("New token").input_value()
    assert len(secret) >= 20
    expect(dialog.locator("#token-list")).to_contain_text("nightly script · read-only")
    with httpx.Client(base_url=server.url, timeout=30.0) as script:
        bearer = {"Authorization": f"Bearer {secret}"}
        assert script.get("/api/papers", headers=bearer).status_code == 200
        dialog.get_by_role("button", name="Revoke nightly script").click()
        expect(dialog.locator("#token-list")).to_contain_text("No tokens yet.")
        assert script.get("/api/papers", headers=bearer).status_code == 401
    dialog.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Tokens").click()
    expect(dialog.get_by_label("New token")).to_have_count(0)  # the secret was shown once


# How long a page may take to show a change made elsewhere: on SQLite the server looks at the
# library's stamp every 2 s (api/live.py), and expect's own 5 s (not the context's timeout) was
# once too short on two busy workers.
LIVE_WAIT = 10_000


def test_two_members_see_each_others_changes_live(
    server: LiveServer, browser: Browser, page_errors: list[str]
) -> None:
    paper = server.add_paper("Paper read by two")
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    try:
        for ctx in contexts:
            ctx.set_default_timeout(LIVE_WAIT)
        ana = signed_in_page(contexts[0], server, page_errors, "ed")
        bob = signed_in_page(contexts[1], server, page_errors, "olga")
        open_paper(ana, "Paper read by two")
        open_paper(bob, "Paper read by two")
        ana.get_by_label("Annotation", exact=True).fill("Ana's reading: **solid**.")
        ana.get_by_label("Annotation", exact=True).press("Control+s")
        expect(ana.locator(".save-state")).to_have_text("Saved")
        # Bob sees it without a reload, text and preview.
        expect(bob.get_by_label("Annotation", exact=True)).to_have_value(
            "Ana's reading: **solid**.", timeout=LIVE_WAIT
        )
        expect(bob.locator("#annotation-preview strong")).to_have_text("solid")
        expect(bob.locator("#annotation-edited")).to_have_text("edited by ed, just now")
        # A paper added elsewhere shows in Ana's list.
        ana.get_by_role("link", name="← Library").click()
        expect(ana.locator("#results .paper-row")).to_have_count(1)
        server.add_paper("Paper added by a script")
        expect(ana.locator("#results .paper-row")).to_have_count(2, timeout=LIVE_WAIT)
        # Bob's unsaved text is not replaced: saved against a stale version, it meets the dialog.
        bob_editor = bob.get_by_label("Annotation", exact=True)
        bob.evaluate("document.querySelector('#annotation-input').value += ' Bob adds.'")
        server.annotate(paper["id"], "Changed by a script meanwhile.")
        bob_editor.dispatch_event("blur")
        conflict = bob.get_by_role("dialog", name="This annotation was changed elsewhere")
        expect(conflict).to_be_visible()
        expect(conflict.locator("#conflict-theirs")).to_have_value("Changed by a script meanwhile.")
        expect(conflict.locator("#conflict-mine")).to_have_value(
            "Ana's reading: **solid**. Bob adds."
        )
        conflict.get_by_role("button", name=re.compile("theirs", re.I)).click()
        expect(bob_editor).to_have_value("Changed by a script meanwhile.")
        expect(bob.locator("#annotation-edited")).to_have_text("edited by olga, just now")
        bob.get_by_text("Revision history", exact=True).click()
        expect(bob.locator(".revisions")).to_contain_text("by ed")
    finally:
        for ctx in contexts:
            ctx.close()


def test_who_did_what_shows_on_notes_provenance_and_areas(
    server: LiveServer, context: BrowserContext, page_errors: list[str]
) -> None:
    server.import_bibtex("@article{lamb2020, title = {Imported by the owner}, year = 2020}")
    area = server.send("POST", "/api/areas", {"name": "Interpretability"})
    page = signed_in_page(context, server, page_errors, "ed")
    open_paper(page, "Imported by the owner")
    provenance = page.get_by_role("list", name="Where this paper came from")
    expect(provenance).to_contain_text("by olga, just now")
    notes = notes_card(page)
    add_note(notes, "Question", "Does it scale?")
    expect(notes.locator(".note-by")).to_have_text("added by ed, just now")
    page.goto(f"{server.url}/#/?area={area['id']}")
    expect(page.locator("#area-edited")).to_have_text("edited by olga, just now")


def test_a_members_reading_status_is_their_own(
    server: LiveServer, context: BrowserContext, page_errors: list[str]
) -> None:
    paper, page = open_as_editor(server, context, page_errors, "Read by the editor only")
    with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        page.locator("#paper-status").select_option("read")
    assert patched.value.ok
    page.reload()
    expect(page.locator("#paper-status")).to_have_value("read")
    assert server.get(f"/api/papers/{paper['id']}")["status"] == "unread"  # the owner's own


def test_a_private_note_is_shown_to_its_author_only_until_shared(
    server: LiveServer, context: BrowserContext, page_errors: list[str]
) -> None:
    paper, page = open_as_editor(server, context, page_errors, "Paper with a private note")
    notes = notes_card(page)
    notes.get_by_label("Private (only you see it)").check()
    add_note(notes, "Question", "Only mine for now")
    expect(notes.locator(".note-private")).to_have_text("Private")
    assert server.get(f"/api/papers/{paper['id']}/notes")["items"] == []  # olga sees none
    notes.get_by_role("button", name=re.compile("^Share ")).click()
    expect(notes.locator(".note-private")).to_have_count(0)
    expect(notes.get_by_role("button", name=re.compile("^Make private "))).to_be_visible()
    shared = server.get(f"/api/papers/{paper['id']}/notes")["items"]
    assert [n["markdown"] for n in shared] == ["Only mine for now"]


def test_the_table_page_asks_for_a_sign_in_too(
    server: LiveServer, context: BrowserContext, page_errors: list[str]
) -> None:
    server.add_paper("Listed in the table")
    page = visit(context, server, page_errors, "/static/table.html")
    expect(page.get_by_role("dialog", name="Sign in to this library")).to_be_visible()
    sign_in(page, "vic")
    expect(page.locator("#member-name")).to_have_text("vic (viewer)")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#grid")).to_contain_text("Listed in the table")
