"""PostgreSQL's year index carries the paper id

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 13:10:00.000000

A search's year filter (``paper.id IN (SELECT id FROM paper WHERE year BETWEEN ...)``) read the
papers of those years from the table: "reward" in 2015-2020 at 100,000 papers read 11,574 pages
for 19,873 papers. With the id in the index (``INCLUDE``) the filter is an index-only scan.
SQLite's index holds the rowid, which is the id, already: nothing happens there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_paper_year")
        op.execute("CREATE INDEX ix_paper_year ON paper (year) INCLUDE (id)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_paper_year")
        op.execute("CREATE INDEX ix_paper_year ON paper (year)")
