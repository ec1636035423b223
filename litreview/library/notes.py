"""Further notes on a paper, besides its annotation: quotes, questions, critique, plain notes.

A paper's notes are kept in order (``position`` 0, 1, ...): a new note goes last, a note can be
moved, and a deletion closes the gap. Every change of a note checks the version it was made
against, like the annotation, so two tabs never silently overwrite each other. Every write takes
the paper row's write lock first, so concurrent writes to one paper's notes are serialised.

A note is shared (the group's) or private to its author (``created_by``: the member the session
works for, see :mod:`litreview.library.attribution`): to anyone else a private note does not
exist (listed, exported, changed: :func:`visible_notes` is the one test); the full-text index
leaves private notes out (revision 0017). Only its author turns a note private or shared.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.errors import Conflict, Forbidden, InvalidInput, NotFound
from litreview.library.attribution import acting_name
from litreview.library.bulk import chunks
from litreview.library.papers_base import claim_row_version, get_paper
from litreview.models import NoteKind, Paper, PaperNote, utcnow

MAX_LOCATION = 200


def visible_notes(session: Session) -> sa.ColumnElement[bool]:
    """The notes the session may see: the shared ones and its member's own private ones."""
    author = acting_name(session)
    created_by = col(PaperNote.created_by)
    mine = created_by.is_(None) if author is None else created_by == author
    return sa.or_(col(PaperNote.private).is_(False), mine)


def _is_visible(session: Session, note: PaperNote) -> bool:
    return not note.private or note.created_by == acting_name(session)


def list_notes(session: Session, paper_id: int) -> list[PaperNote]:
    """The paper's notes the session may see, in order."""
    get_paper(session, paper_id)
    return [note for note in _notes(session, paper_id) if _is_visible(session, note)]


def notes_by_paper(session: Session, paper_ids: list[int]) -> dict[int, list[PaperNote]]:
    """The notes the session may see of several papers, in order (papers without are left out)."""
    found: dict[int, list[PaperNote]] = {}
    for chunk in chunks(paper_ids):
        stmt = (
            select(PaperNote)
            .where(col(PaperNote.paper_id).in_(chunk), visible_notes(session))
            .order_by(col(PaperNote.paper_id), col(PaperNote.position), col(PaperNote.id))
        )
        for note in session.exec(stmt):
            found.setdefault(note.paper_id, []).append(note)
    return found


def add_note(
    session: Session,
    paper_id: int,
    kind: NoteKind,
    markdown: str,
    location: str = "",
    *,
    private: bool = False,
) -> PaperNote:
    """A new note, after the paper's others (``private``: seen by its author only)."""
    get_paper(session, paper_id)
    _check_text(markdown, location)
    claim_row_version(session, Paper, paper_id, None)
    last = session.execute(
        sa.select(sa.func.max(col(PaperNote.position))).where(col(PaperNote.paper_id) == paper_id)
    ).scalar_one()
    note = PaperNote(
        paper_id=paper_id,
        kind=kind,
        markdown=markdown,
        location=location.strip(),
        position=0 if last is None else last + 1,
        created_by=acting_name(session),
        edited_by=acting_name(session),
        private=private,
    )
    session.add(note)
    session.flush()
    return note


def update_note(
    session: Session,
    note_id: int,
    *,
    expected_version: int,
    kind: NoteKind | None = None,
    markdown: str | None = None,
    location: str | None = None,
    position: int | None = None,
    private: bool | None = None,
) -> PaperNote:
    """Change what is given (None: keep it) if ``expected_version`` is the note's version.

    A stale version raises :class:`Conflict` carrying the note as it is now, and changes
    nothing. ``position`` moves the note to that place in its paper's list (clamped to it).
    """
    note = _locked_note(session, note_id)
    if note.version != expected_version:
        raise Conflict(
            f"note {note_id} was changed elsewhere (you edited version {expected_version}, "
            f"it is now version {note.version})",
            note_id=note_id,
            expected_version=expected_version,
            current_version=note.version,
            current_kind=note.kind.value,
            current_markdown=note.markdown,
            current_location=note.location,
        )
    _check_text(note.markdown if markdown is None else markdown, location or "")
    changes: dict[str, Any] = {}
    if kind is not None and kind != note.kind:
        changes["kind"] = kind
    if markdown is not None and markdown != note.markdown:
        changes["markdown"] = markdown
    if location is not None and location.strip() != note.location:
        changes["location"] = location.strip()
    if private is not None and private != note.private:
        if note.created_by != acting_name(session):
            raise Forbidden(
                f"only its author ({note.created_by or 'nobody signed in'}) makes a note "
                "private or shared",
                field="private",
            )
        changes["private"] = private
    moved = position is not None and _move(session, note, position)
    if not changes and not moved:
        return note
    for name, value in changes.items():
        setattr(note, name, value)
    note.version += 1
    note.updated_at = utcnow()
    note.edited_by = acting_name(session)
    session.add(note)
    session.flush()
    return note


def delete_note(session: Session, note_id: int, *, expected_version: int | None = None) -> None:
    """Remove the note (refused with :class:`Conflict` when ``expected_version`` is stale)."""
    note = _locked_note(session, note_id)
    if expected_version is not None and note.version != expected_version:
        raise Conflict(
            f"note {note_id} was changed elsewhere (you saw version {expected_version}, "
            f"it is now version {note.version})",
            note_id=note_id,
            expected_version=expected_version,
            current_version=note.version,
        )
    paper_id = note.paper_id
    session.delete(note)
    session.flush()
    _renumber(session, _notes(session, paper_id))


def _notes(session: Session, paper_id: int) -> list[PaperNote]:
    stmt = (
        select(PaperNote)
        .where(PaperNote.paper_id == paper_id)
        .order_by(col(PaperNote.position), col(PaperNote.id))
    )
    return list(session.exec(stmt).all())


def _locked_note(session: Session, note_id: int) -> PaperNote:
    """The note, read after taking its paper's write lock (see the module's docstring)."""
    note = session.get(PaperNote, note_id)
    if note is None or not _is_visible(session, note):  # another's private note: none
        raise NotFound(f"no note with id {note_id}", note_id=note_id)
    claim_row_version(session, Paper, note.paper_id, None)
    session.refresh(note)
    return note


def _move(session: Session, note: PaperNote, position: int) -> bool:
    """Put the note at ``position`` in its paper's list; True when it moved."""
    current = _notes(session, note.paper_id)
    notes = [n for n in current if n.id != note.id]
    notes.insert(max(0, min(position, len(notes))), note)
    if [n.id for n in notes] == [n.id for n in current]:
        return False
    _renumber(session, notes)
    return True


def _renumber(session: Session, notes: list[PaperNote]) -> None:
    for position, note in enumerate(notes):
        if note.position != position:
            note.position = position
            session.add(note)
    session.flush()


def _check_text(markdown: str, location: str) -> None:
    if not markdown.strip():
        raise InvalidInput("a note needs some text", field="markdown")
    if len(location.strip()) > MAX_LOCATION:
        raise InvalidInput(
            f"a note's location is at most {MAX_LOCATION} characters", field="location"
        )
