"""who did what: the member who wrote and last changed a note, who imported or merged a paper
(provenance), who last changed an area and when

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 20:45:00.000000

Members are recorded by name, as ``annotation.edited_by`` (revision 0009) records them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ALTER TABLE ADD COLUMN (no batch copy: the full-text triggers on these tables stay).
COLUMNS = [
    ("paper_note", "created_by"),
    ("paper_note", "edited_by"),
    ("provenance", "created_by"),
    ("area", "edited_by"),
]


def upgrade() -> None:
    for table, name in COLUMNS:
        op.add_column(table, sa.Column(name, sa.String(length=100), nullable=True))
    op.add_column("area", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("area", "updated_at")
    for table, name in reversed(COLUMNS):
        op.drop_column(table, name)
