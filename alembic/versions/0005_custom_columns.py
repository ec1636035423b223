"""columns of one's own (for papers and areas), their values, saved table views; area versions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMN_TYPES = (
    "number",
    "integer",
    "rating",
    "choice",
    "multi_choice",
    "text",
    "yes_no",
    "date",
    "link",
)


def _target() -> sa.Enum:
    return sa.Enum(
        "paper", "area", name="column_target", native_enum=False, create_constraint=True, length=16
    )


def _values(table: str, owner: str) -> None:
    op.create_table(
        table,
        sa.Column("column_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(f"{owner}_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("num", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["column_id"], ["custom_column.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint([f"{owner}_id"], [f"{owner}.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("column_id", f"{owner}_id"),
    )
    op.create_index(f"ix_{table}_{owner}_id", table, [f"{owner}_id"], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "custom_column",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", _target(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                *COLUMN_TYPES,
                name="column_type",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=True),
        sa.Column("maximum", sa.Float(), nullable=True),
        sa.Column("formula", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("target", "name", name="uq_custom_column_name"),
    )
    _values("paper_value", "paper")
    op.create_index("ix_paper_value_num", "paper_value", ["column_id", "num", "paper_id"])
    op.create_index("ix_paper_value_text", "paper_value", ["column_id", "text", "paper_id"])
    _values("area_value", "area")
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("target", _target(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("saved_view")
    op.drop_table("area_value")
    op.drop_table("paper_value")
    op.drop_table("custom_column")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_column("version")
