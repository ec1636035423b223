"""suggested relations between papers; relations corrects / published_as / supersedes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_RELATIONS = ("cites", "extends", "critiques", "replicates", "responds_to", "related")
RELATIONS = (*OLD_RELATIONS, "corrects", "published_as", "supersedes")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    # The relation's CHECK constraint lists its values: the table is rebuilt with the new list.
    with op.batch_alter_table("paper_link", schema=None) as batch_op:
        batch_op.alter_column(
            "relation",
            existing_type=_enum("relation", *OLD_RELATIONS),
            type_=_enum("relation", *RELATIONS),
            existing_nullable=False,
        )
    op.create_table(
        "paper_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("relation", _enum("relation", *RELATIONS), nullable=False),
        sa.Column("found_in", sa.String(length=40), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column(
            "state",
            _enum("suggestion_state", "pending", "accepted", "dismissed"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source_id <> target_id", name="ck_paper_suggestion_not_self"),
        sa.ForeignKeyConstraint(["source_id"], ["paper.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["target_id"], ["paper.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "target_id", "relation", name="uq_paper_suggestion"),
    )
    with op.batch_alter_table("paper_suggestion", schema=None) as batch_op:
        batch_op.create_index("ix_paper_suggestion_state", ["state", "source_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_paper_suggestion_target_id"), ["target_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("paper_suggestion")
    op.execute(
        "DELETE FROM paper_link WHERE relation IN ('corrects', 'published_as', 'supersedes')"
    )
    with op.batch_alter_table("paper_link", schema=None) as batch_op:
        batch_op.alter_column(
            "relation",
            existing_type=_enum("relation", *RELATIONS),
            type_=_enum("relation", *OLD_RELATIONS),
            existing_nullable=False,
        )
