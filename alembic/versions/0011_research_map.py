"""the research map: area status, links between areas, a paper's stance in an area

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                _enum(
                    "area_status", "open", "active", "promising", "stalled", "solved", "abandoned"
                ),
                nullable=False,
                server_default="open",
            )
        )
    with op.batch_alter_table("paper_area", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stance", _enum("stance", "supports", "undercuts", "background"), nullable=True
            )
        )
    op.create_table(
        "area_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column(
            "relation",
            _enum("area_relation", "enables", "applies_to", "alternative_to", "related"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source_id <> target_id", name="ck_area_link_not_self"),
        sa.ForeignKeyConstraint(["source_id"], ["area.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["target_id"], ["area.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "target_id", "relation", name="uq_area_link"),
    )
    with op.batch_alter_table("area_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_link_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_area_link_target_id"), ["target_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("area_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_link_target_id"))
        batch_op.drop_index(batch_op.f("ix_area_link_source_id"))
    op.drop_table("area_link")
    with op.batch_alter_table("paper_area", schema=None) as batch_op:
        batch_op.drop_constraint("stance", type_="check")
        batch_op.drop_column("stance")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_constraint("area_status", type_="check")
        batch_op.drop_column("status")
