"""indexes the hot queries read: a paper's column values with their numbers, the papers
whose BibTeX fields may name another entry, and the full-text index's words with their paper
counts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 02:10:00.000000

- ``ix_paper_value_paper`` (paper_id, column_id, num) replaces ``ix_paper_value_paper_id``
  (paper_id): it still finds a paper's values, and a column filter's probe of one paper
  (a count of a choice set under a status, say) reads the number from the index, not the row.
- ``ix_paper_names_others``: the few papers with a crossref, related or cites field, which the
  suggestions after an import read (they may name the new papers by key) without reading
  every paper's fields.
- ``paper_fts_rows`` (SQLite: fts5vocab, one row per word with the number of papers holding
  it): search sums the papers of the words a prefix starts before running it, and answers
  "keep typing" at once when they are too many ("the" starts words in 250,000 places at
  100,000 papers).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("crossref", "related", "cites")
SQLITE_WHERE = " OR ".join(f"instr(extra, '\"{name}\"') > 0" for name in FIELDS)
POSTGRESQL_WHERE = " OR ".join(f"strpos(extra::text, '\"{name}\"') > 0" for name in FIELDS)


def upgrade() -> None:
    op.create_index(
        "ix_paper_value_paper", "paper_value", ["paper_id", "column_id", "num"], unique=False
    )
    op.drop_index("ix_paper_value_paper_id", table_name="paper_value")
    op.create_index(
        "ix_paper_names_others",
        "paper",
        ["id"],
        unique=False,
        sqlite_where=sa.text(SQLITE_WHERE),
        postgresql_where=sa.text(POSTGRESQL_WHERE),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE paper_fts_rows USING fts5vocab(paper_fts, row)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS paper_fts_rows")
    op.drop_index("ix_paper_names_others", table_name="paper")
    op.create_index("ix_paper_value_paper_id", "paper_value", ["paper_id"], unique=False)
    op.drop_index("ix_paper_value_paper", table_name="paper_value")
