"""top-level area names are unique too (UNIQUE(parent_id, name) does not hold for NULL parents)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:10:00.000000

A partial unique index (SQLite and PostgreSQL both have them) on the names of areas without a
parent. Top-level areas that already share a name (made by racing creates) keep their papers
and children; the later ones are renamed "NAME (2)", "NAME (3)", ... so the index can hold.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROOT_ONLY = sa.text("parent_id IS NULL")


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, name FROM area WHERE parent_id IS NULL ORDER BY id")
    ).all()
    taken = {name for _, name in rows}
    seen: set[str] = set()
    for area_id, name in rows:
        if name not in seen:
            seen.add(name)
            continue
        number = 2
        while f"{name} ({number})" in taken:
            number += 1
        renamed = f"{name} ({number})"
        taken.add(renamed)
        conn.execute(
            sa.text("UPDATE area SET name = :name WHERE id = :id"), {"name": renamed, "id": area_id}
        )
    op.create_index(
        "ux_area_root_name",
        "area",
        ["name"],
        unique=True,
        sqlite_where=ROOT_ONLY,
        postgresql_where=ROOT_ONLY,
    )


def downgrade() -> None:
    op.drop_index("ux_area_root_name", table_name="area")
