"""each member's own reading status and rating of a paper (member_paper)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 21:00:00.000000

The paper's own status and rating stay: they are the member-less values (the single-user
default). A library that already has members hands them to its first owner, who was the one
person reading it before accounts were turned on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_paper",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "unread",
                "to_read",
                "skimmed",
                "read",
                name="reading_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            server_default="unread",
            nullable=False,
        ),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id", "paper_id"),
    )
    op.create_index("ix_member_paper_status", "member_paper", ["member_id", "status", "paper_id"])
    op.create_index("ix_member_paper_rating", "member_paper", ["member_id", "rating", "paper_id"])
    op.create_index("ix_member_paper_paper", "member_paper", ["paper_id"])
    op.execute(
        "INSERT INTO member_paper (member_id, paper_id, status, rating)"
        " SELECT m.id, p.id, p.status, p.rating FROM paper AS p,"
        " (SELECT min(id) AS id FROM member WHERE role = 'owner') AS m"
        " WHERE m.id IS NOT NULL AND (p.status <> 'unread' OR p.rating IS NOT NULL)"
    )


def downgrade() -> None:
    op.drop_index("ix_member_paper_paper", table_name="member_paper")
    op.drop_index("ix_member_paper_rating", table_name="member_paper")
    op.drop_index("ix_member_paper_status", table_name="member_paper")
    op.drop_table("member_paper")
