"""the full-text index's words, one row per occurrence (fts5vocab), for search to look up

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 08:50:00.000000

Search asks it whether any indexed word is longer than the last word typed and starts with it;
when none is, that word is searched for exactly instead of as a prefix (library.search).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE paper_fts_terms USING fts5vocab(paper_fts, instance)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS paper_fts_terms")
