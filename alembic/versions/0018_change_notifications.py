"""PostgreSQL tells listeners that the library changed: NOTIFY litreview_changes after every
statement that writes a paper, an annotation, a note or an area

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 21:30:00.000000

Each worker of ``serve`` with open pages LISTENs (api/live.py) and wakes its event streams, so
a change made through another worker, or by the CLI, reaches every page at once. PostgreSQL
sends a notification when the transaction commits, once however many statements raised it.
The tables are those the library's change stamp reads (library/changes.py). SQLite has no
notifications: its streams keep polling the stamp.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "litreview_changes"
TABLES = ("paper", "annotation", "paper_note", "area")
FUNCTION = f"""
    CREATE OR REPLACE FUNCTION litreview_notify_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL}', '');
        RETURN NULL;
    END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify_change AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION litreview_notify_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_change ON {table}")
    op.execute("DROP FUNCTION IF EXISTS litreview_notify_change()")
