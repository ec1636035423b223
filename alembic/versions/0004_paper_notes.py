"""further notes on a paper (quotes, questions, critique), searched with its annotation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 09:15:00.000000

The full-text index's ``annotation`` column now holds the annotation and then the paper's notes,
one per line, in order; the annotation triggers write both, and new triggers on ``paper_note``
keep it in step with every note written, moved or deleted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def annotation_text(paper_id: str) -> str:
    """SQL: what the full-text index holds as the annotation of paper ``paper_id``."""
    return (
        f"coalesce((SELECT markdown FROM annotation WHERE paper_id = {paper_id}), '')"
        " || coalesce(char(10) || (SELECT group_concat(markdown, char(10)) FROM"
        f" (SELECT markdown FROM paper_note WHERE paper_id = {paper_id} ORDER BY position)), '')"
    )


def _refresh(name: str, event: str, paper_id: str) -> str:
    table = "annotation" if name.startswith("annotation") else "paper_note"
    return f"""
        CREATE TRIGGER {name} {event} ON {table} BEGIN
            UPDATE paper_fts SET annotation = {annotation_text(paper_id)}
            WHERE rowid = {paper_id};
        END"""


TRIGGERS = {
    "annotation_fts_ai": _refresh("annotation_fts_ai", "AFTER INSERT", "new.paper_id"),
    "annotation_fts_au": _refresh("annotation_fts_au", "AFTER UPDATE OF markdown", "new.paper_id"),
    "annotation_fts_ad": _refresh("annotation_fts_ad", "AFTER DELETE", "old.paper_id"),
    "paper_note_fts_ai": _refresh("paper_note_fts_ai", "AFTER INSERT", "new.paper_id"),
    "paper_note_fts_au": _refresh(
        "paper_note_fts_au", "AFTER UPDATE OF markdown, position", "new.paper_id"
    ),
    "paper_note_fts_ad": _refresh("paper_note_fts_ad", "AFTER DELETE", "old.paper_id"),
}

# As revision 0001 made them: the annotation alone.
OLD_TRIGGERS = {
    "annotation_fts_ai": """
        CREATE TRIGGER annotation_fts_ai AFTER INSERT ON annotation BEGIN
            UPDATE paper_fts SET annotation = new.markdown WHERE rowid = new.paper_id;
        END""",
    "annotation_fts_au": """
        CREATE TRIGGER annotation_fts_au AFTER UPDATE OF markdown ON annotation BEGIN
            UPDATE paper_fts SET annotation = new.markdown WHERE rowid = new.paper_id;
        END""",
    "annotation_fts_ad": """
        CREATE TRIGGER annotation_fts_ad AFTER DELETE ON annotation BEGIN
            UPDATE paper_fts SET annotation = '' WHERE rowid = old.paper_id;
        END""",
}


def upgrade() -> None:
    op.create_table(
        "paper_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "quote",
                "question",
                "critique",
                "note",
                name="note_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("paper_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_note_paper_id"), ["paper_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for name, sql in TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for sql in OLD_TRIGGERS.values():
            op.execute(sql)
        # The index held notes too: back to the annotation alone.
        op.execute(
            "UPDATE paper_fts SET annotation = coalesce("
            "(SELECT markdown FROM annotation WHERE paper_id = paper_fts.rowid), '')"
        )
    with op.batch_alter_table("paper_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_note_paper_id"))
    op.drop_table("paper_note")
