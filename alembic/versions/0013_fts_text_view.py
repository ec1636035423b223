"""the text a paper gives the full-text index, declared once: the view ``paper_fts_text``

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:00:00.000000

Before this revision the text was written out four times: in SQLite's paper triggers (0001), in
its annotation and note triggers (0004), in PostgreSQL's ``paper_fts_refresh`` (0008) and in the
bulk indexing of an import (``litreview/library/fts.py``). Now one view per database says it,
``paper_fts_text(id, title, abstract, authors, annotation)`` (``annotation`` is the annotation
and then the paper's notes, one per line, in order), and every trigger, ``paper_fts_refresh``
and the bulk indexing read it. Changing what is indexed is one new version of this view.
"""

import runpy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
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
               AS annotation
        FROM paper AS p""",
    "postgresql": r"""
        CREATE VIEW paper_fts_text AS
        SELECT p.id AS id, p.title AS title, coalesce(p.abstract, '') AS abstract,
               p.author_names AS authors,
               coalesce((SELECT markdown FROM annotation WHERE paper_id = p.id), '')
               || coalesce(E'\n' || (SELECT string_agg(markdown, E'\n' ORDER BY position)
                                     FROM paper_note WHERE paper_id = p.id), '')
               AS annotation
        FROM paper AS p""",
}

# SQLite: every trigger writes a paper's row from the view. A refresh updates the row that is
# there (none while a bulk import has paused the insert trigger: it indexes its papers at the end).
_COLUMNS = "rowid, title, abstract, authors, annotation"
_FROM_VIEW = "SELECT id, title, abstract, authors, annotation FROM paper_fts_text"


def _refresh(name: str, event: str, table: str, paper_id: str) -> str:
    return f"""
        CREATE TRIGGER {name} {event} ON {table} BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = {paper_id})
            WHERE rowid = {paper_id};
        END"""


_WRITES = {
    "paper_fts_au": ("AFTER UPDATE OF title, abstract, author_names", "paper", "new.id"),
    "annotation_fts_ai": ("AFTER INSERT", "annotation", "new.paper_id"),
    "annotation_fts_au": ("AFTER UPDATE OF markdown", "annotation", "new.paper_id"),
    "annotation_fts_ad": ("AFTER DELETE", "annotation", "old.paper_id"),
    "paper_note_fts_ai": ("AFTER INSERT", "paper_note", "new.paper_id"),
    "paper_note_fts_au": ("AFTER UPDATE OF markdown, position", "paper_note", "new.paper_id"),
    "paper_note_fts_ad": ("AFTER DELETE", "paper_note", "old.paper_id"),
}
SQLITE_TRIGGERS = {
    "paper_fts_ai": f"""
        CREATE TRIGGER paper_fts_ai AFTER INSERT ON paper
        WHEN NOT EXISTS (SELECT 1 FROM paper_fts_pause) BEGIN
            INSERT INTO paper_fts ({_COLUMNS}) {_FROM_VIEW} WHERE id = new.id;
        END""",
    **{name: _refresh(name, *write) for name, write in _WRITES.items()},
}

# PostgreSQL: the weighted document of each paper, from the view (weights as in revision 0008).
PG_REFRESH = """
    CREATE OR REPLACE FUNCTION paper_fts_refresh(ids INTEGER[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO paper_fts (rowid, document)
        SELECT t.id,
               setweight(to_tsvector('litreview', t.title), 'A')
               || setweight(to_tsvector('litreview', t.authors), 'B')
               || setweight(to_tsvector('litreview', t.annotation), 'C')
               || setweight(to_tsvector('litreview', t.abstract), 'D')
        FROM paper_fts_text AS t
        WHERE t.id = ANY (ids)
        ON CONFLICT (rowid) DO UPDATE SET document = excluded.document
    $$"""


def _revision(file_name: str) -> dict[str, Any]:
    """An earlier revision's module, for the triggers a downgrade puts back as they were."""
    return runpy.run_path(str(Path(__file__).with_name(file_name)))


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(VIEW[dialect])
    if dialect == "sqlite":
        for name, sql in SQLITE_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(sql)
    else:
        op.execute(PG_REFRESH)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        before = {
            **_revision("0001_initial_schema.py")["FTS_TRIGGERS"],
            **_revision("0004_paper_notes.py")["TRIGGERS"],
        }
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(before[name])
    else:
        refresh = next(
            sql
            for sql in _revision("0008_postgresql_search.py")["UPGRADE"]
            if "FUNCTION paper_fts_refresh" in sql
        )
        op.execute(refresh.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute("DROP VIEW paper_fts_text")
