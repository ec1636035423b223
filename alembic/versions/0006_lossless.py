"""aliases of citation keys, possible duplicates, BibTeX preambles

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 13:40:00.000000

Identity no longer merges on a title: look-alike papers are recorded in ``possible_duplicate``
for the user to decide; keys of merged entries stay findable in ``paper_alias``; ``@preamble``
blocks are kept in ``preamble``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paper_alias",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("paper_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_alias_paper_id"), ["paper_id"], unique=False)
    op.create_table(
        "possible_duplicate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_a_id", sa.Integer(), nullable=False),
        sa.Column("paper_b_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "dismissed",
                name="duplicate_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("paper_a_id < paper_b_id", name="ck_possible_duplicate_order"),
        sa.ForeignKeyConstraint(["paper_a_id"], ["paper.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["paper_b_id"], ["paper.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("paper_a_id", "paper_b_id", name="uq_possible_duplicate"),
    )
    with op.batch_alter_table("possible_duplicate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_possible_duplicate_paper_b_id"), ["paper_b_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_possible_duplicate_status"), ["status"], unique=False)
    op.create_table(
        "preamble",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("text"),
    )


def downgrade() -> None:
    op.drop_table("preamble")
    with op.batch_alter_table("possible_duplicate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_possible_duplicate_status"))
        batch_op.drop_index(batch_op.f("ix_possible_duplicate_paper_b_id"))
    op.drop_table("possible_duplicate")
    with op.batch_alter_table("paper_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_alias_paper_id"))
    op.drop_table("paper_alias")
