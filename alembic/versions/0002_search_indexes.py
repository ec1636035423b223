"""indexes for search: sort keys, status, tag and area members, written annotations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WRITTEN = sa.text("markdown <> ''")


def upgrade() -> None:
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_rating"), ["rating"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_status"), ["status"], unique=False)
    op.create_index("ix_paper_tag_tag_paper", "paper_tag", ["tag_id", "paper_id"], unique=False)
    op.create_index("ix_paper_area_area_paper", "paper_area", ["area_id", "paper_id"], unique=False)
    op.create_index(
        "ix_annotation_written",
        "annotation",
        ["paper_id"],
        unique=False,
        sqlite_where=WRITTEN,
        postgresql_where=WRITTEN,
    )


def downgrade() -> None:
    op.drop_index("ix_annotation_written", table_name="annotation")
    op.drop_index("ix_paper_area_area_paper", table_name="paper_area")
    op.drop_index("ix_paper_tag_tag_paper", table_name="paper_tag")
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_status"))
        batch_op.drop_index(batch_op.f("ix_paper_rating"))
        batch_op.drop_index(batch_op.f("ix_paper_created_at"))
