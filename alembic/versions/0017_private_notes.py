"""a note can be private to its author: paper_note.private, and the full-text index leaves
private notes out (a new version of the view paper_fts_text)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 21:20:00.000000

The index is shared by every member, so a private note must not make its paper found by
another member's search: the view of revision 0014 with ``AND NOT private`` on the notes, and
the note triggers (SQLite's ``paper_note_fts_au``, PostgreSQL's ``paper_note_fts``) fire when a
note turns private or shared.
"""

import runpy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARED_NOTES = "FROM paper_note WHERE paper_id = p.id"


def _revision(file_name: str) -> dict[str, Any]:
    """An earlier revision's module (its view and triggers, changed here or put back)."""
    return runpy.run_path(str(Path(__file__).with_name(file_name)))


def _view(dialect: str, before: dict[str, Any]) -> str:
    view: str = before["VIEW"][dialect]
    assert view.count(SHARED_NOTES) == 1
    return view.replace(SHARED_NOTES, f"{SHARED_NOTES} AND NOT private")


PG_NOTE_TRIGGER = """
    CREATE TRIGGER paper_note_fts AFTER INSERT OR DELETE OR UPDATE OF {columns}
    ON paper_note FOR EACH ROW EXECUTE FUNCTION paper_fts_text_changed()"""


def upgrade() -> None:
    op.add_column(
        "paper_note",
        sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    before = _revision("0014_text_columns_searched.py")
    if dialect == "sqlite":
        op.execute("DROP VIEW paper_fts_text")
        op.execute(_view(dialect, before))
        op.execute("DROP TRIGGER IF EXISTS paper_note_fts_au")
        op.execute(
            before["_refresh"](
                "paper_note_fts_au",
                "AFTER UPDATE OF markdown, position, private",
                "paper_note",
                "new.paper_id",
                before["UNPAUSED"],
            )
        )
    else:
        op.execute(_view(dialect, before).replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
        op.execute("DROP TRIGGER IF EXISTS paper_note_fts ON paper_note")
        op.execute(PG_NOTE_TRIGGER.format(columns="markdown, position, paper_id, private"))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    before = _revision("0014_text_columns_searched.py")
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS paper_note_fts_au")
        op.execute(before["SQLITE_TRIGGERS"]["paper_note_fts_au"])
        op.execute("DROP VIEW paper_fts_text")
        op.execute(before["VIEW"][dialect])
    else:
        op.execute("DROP TRIGGER IF EXISTS paper_note_fts ON paper_note")
        op.execute(PG_NOTE_TRIGGER.format(columns="markdown, position, paper_id"))
        op.execute(before["VIEW"][dialect].replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
    op.drop_column("paper_note", "private")
