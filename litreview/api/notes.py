"""A paper's further notes (quotes, questions, critique): list, add, change or move, delete.

A change names the version it was made against; a stale one answers 409 with the note as it is
now (Markdown and sanitised HTML), so an editor can show what changed and let the user choose.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from litreview.api.deps import SessionDep
from litreview.api.papers import PaperId
from litreview.api.schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    MAX_VERSION,
    NoteIn,
    NoteList,
    NotePatch,
    NotePublic,
    links_to,
)
from litreview.errors import Conflict
from litreview.library.notes import add_note, delete_note, list_notes, update_note
from litreview.render import with_current_html

router = APIRouter(tags=["notes"], responses=ERROR_RESPONSES)

NoteId = Annotated[int, Path(ge=1, le=MAX_ID, description="The note's id")]


@router.get("/papers/{paper_id}/notes", response_model=NoteList)
def read_notes(paper_id: PaperId, session: SessionDep) -> NoteList:
    """The paper's notes, in order."""
    items = [NotePublic.from_row(note) for note in list_notes(session, paper_id)]
    return NoteList(items=items, total=len(items))


@router.post(
    "/papers/{paper_id}/notes",
    response_model=NotePublic,
    status_code=status.HTTP_201_CREATED,
    responses=links_to("note_id", "PATCH /api/notes/{note_id}", "DELETE /api/notes/{note_id}"),
)
def create_note(paper_id: PaperId, body: NoteIn, session: SessionDep) -> NotePublic:
    """Add a note after the paper's others (a blank text is 422)."""
    note = add_note(
        session, paper_id, body.kind, body.markdown, body.location, private=body.private
    )
    session.commit()
    return NotePublic.from_row(note)


@router.patch("/notes/{note_id}", response_model=NotePublic)
def change_note(note_id: NoteId, body: NotePatch, session: SessionDep) -> NotePublic:
    """Change the fields given, or move the note (``position``); 409 when ``version`` is stale."""
    try:
        note = update_note(
            session,
            note_id,
            expected_version=body.version,
            kind=body.kind,
            markdown=body.markdown,
            location=body.location,
            position=body.position,
            private=body.private,
        )
    except Conflict as conflict:
        raise with_current_html(conflict) from None
    session.commit()
    return NotePublic.from_row(note)


@router.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_note(
    note_id: NoteId,
    session: SessionDep,
    version: Annotated[
        int | None, Query(ge=0, le=MAX_VERSION, description="Refuse (409) if no longer current")
    ] = None,
) -> Response:
    """Delete a note; with ``version``, only if nobody changed it since."""
    delete_note(session, note_id, expected_version=version)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
