"""the full-text index covers the values of text columns; bulk writes pause the note triggers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:45:00.000000

A new version of the view ``paper_fts_text`` (revision 0013): a paper's ``annotation`` text is
its annotation, its notes, then its values in columns of one's own of type ``text``, a line
each, in column order. Triggers on ``paper_value`` refresh the paper on every value written or
removed (a column deleted removes its values; a column's type never changes).

SQLite: the note and value triggers wait while a bulk write holds a row in
``paper_fts_pause`` (as the paper insert trigger already does): a spreadsheet import writes
notes and values for thousands of papers and indexes each of them once, from the view, at the
end (``library.fts.paused_indexing``).
"""

import runpy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEW = {
    "sqlite": """
        CREATE VIEW paper_fts_text AS
        SELECT p.id AS id, p.title AS title, coalesce(p.abstract, '') AS abstract,
               p.author_names AS authors,
               coalesce((SELECT markdown FROM annotation WHERE paper_id = p.id), '')
               || coalesce(char(10) || (SELECT group_concat(markdown, char(10)) FROM
                    (SELECT markdown FROM paper_note WHERE paper_id = p.id ORDER BY position)), '')
               || coalesce(char(10) || (SELECT group_concat(text, char(10)) FROM
                    (SELECT v.text FROM paper_value AS v
                     JOIN custom_column AS c ON c.id = v.column_id
                     WHERE v.paper_id = p.id AND c.type = 'text'
                     ORDER BY c.position, c.id)), '')
               AS annotation
        FROM paper AS p""",
    "postgresql": r"""
        CREATE VIEW paper_fts_text AS
        SELECT p.id AS id, p.title AS title, coalesce(p.abstract, '') AS abstract,
               p.author_names AS authors,
               coalesce((SELECT markdown FROM annotation WHERE paper_id = p.id), '')
               || coalesce(E'\n' || (SELECT string_agg(markdown, E'\n' ORDER BY position)
                                     FROM paper_note WHERE paper_id = p.id), '')
               || coalesce(E'\n' || (SELECT string_agg(v.text, E'\n' ORDER BY c.position, c.id)
                                     FROM paper_value AS v
                                     JOIN custom_column AS c ON c.id = v.column_id
                                     WHERE v.paper_id = p.id AND c.type = 'text'), '')
               AS annotation
        FROM paper AS p""",
}
UNPAUSED = "NOT EXISTS (SELECT 1 FROM paper_fts_pause)"


def _is_text(column_id: str) -> str:
    # A value whose column is gone (deleted with it) had its text indexed if it was text.
    kind = f"(SELECT type FROM custom_column WHERE id = {column_id})"
    return f"coalesce({kind}, 'text') = 'text'"


def _refresh(name: str, event: str, table: str, paper_id: str, when: str) -> str:
    """As revision 0013 writes a paper's row from the view, on a condition."""
    return f"""
        CREATE TRIGGER {name} {event} ON {table} WHEN {when} BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = {paper_id})
            WHERE rowid = {paper_id};
        END"""


_WRITES = {
    "paper_note_fts_ai": ("AFTER INSERT", "paper_note", "new.paper_id", UNPAUSED),
    "paper_note_fts_au": (
        "AFTER UPDATE OF markdown, position",
        "paper_note",
        "new.paper_id",
        UNPAUSED,
    ),
    "paper_note_fts_ad": ("AFTER DELETE", "paper_note", "old.paper_id", UNPAUSED),
    "paper_value_fts_ai": (
        "AFTER INSERT",
        "paper_value",
        "new.paper_id",
        f"{UNPAUSED} AND {_is_text('new.column_id')}",
    ),
    "paper_value_fts_au": (
        "AFTER UPDATE OF text",
        "paper_value",
        "new.paper_id",
        f"{UNPAUSED} AND {_is_text('new.column_id')}",
    ),
    "paper_value_fts_ad": (
        "AFTER DELETE",
        "paper_value",
        "old.paper_id",
        f"{UNPAUSED} AND {_is_text('old.column_id')}",
    ),
}
SQLITE_TRIGGERS = {name: _refresh(name, *write) for name, write in _WRITES.items()}
# PostgreSQL: paper_fts_text_changed() (revision 0008) refreshes new.paper_id and old.paper_id.
PG_TRIGGER = """
    CREATE TRIGGER paper_value_fts AFTER INSERT OR DELETE OR UPDATE OF text, paper_id
    ON paper_value FOR EACH ROW EXECUTE FUNCTION paper_fts_text_changed()"""
WITH_TEXT = (
    "SELECT DISTINCT v.paper_id FROM paper_value AS v JOIN custom_column AS c"
    " ON c.id = v.column_id WHERE c.type = 'text'"
)
SQLITE_REFRESH = (
    "UPDATE paper_fts SET annotation = (SELECT annotation FROM paper_fts_text"
    f" WHERE id = paper_fts.rowid) WHERE rowid IN ({WITH_TEXT})"
)


def _revision(file_name: str) -> dict[str, Any]:
    """An earlier revision's module, for what a downgrade puts back as it was."""
    return runpy.run_path(str(Path(__file__).with_name(file_name)))


def _refresh_papers_with_text(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute(SQLITE_REFRESH)
    else:
        op.execute(f"SELECT paper_fts_refresh(ARRAY({WITH_TEXT}))")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP VIEW paper_fts_text")
        op.execute(VIEW[dialect])
        for name, sql in SQLITE_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(sql)
    else:
        op.execute(VIEW[dialect].replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
        op.execute(PG_TRIGGER)
    _refresh_papers_with_text(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    before = _revision("0013_fts_text_view.py")
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            if name in before["SQLITE_TRIGGERS"]:
                op.execute(before["SQLITE_TRIGGERS"][name])
        op.execute("DROP VIEW paper_fts_text")
        op.execute(before["VIEW"][dialect])
    else:
        op.execute("DROP TRIGGER IF EXISTS paper_value_fts ON paper_value")
        # The older view has the same columns: PostgreSQL replaces it in place.
        op.execute(before["VIEW"][dialect].replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
    _refresh_papers_with_text(dialect)
