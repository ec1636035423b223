"""each PostgreSQL full-text document's number of distinct words, stored beside it

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 13:00:00.000000

``ts_rank_cd`` reads a match's whole tsvector (~1.9 kB, a third of them stored out of line):
ranking every match of a common word at 100,000 papers read 16,688 of them for "reward" (90 ms
of the server's CPU) and 41,406 for "learning" (230 ms). Its normalisation divides by the
document's length, so the best matches are short documents; ``paper_fts.lexemes``
(``length(document)``, a generated column kept by PostgreSQL itself) lets a search rank only
the shortest matches (``library.fts.CANDIDATES``) and read no other tsvector. Nothing happens
on SQLite.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE paper_fts ADD COLUMN lexemes INTEGER"
            " GENERATED ALWAYS AS (length(document)) STORED NOT NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE paper_fts DROP COLUMN lexemes")
