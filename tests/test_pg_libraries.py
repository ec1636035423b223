"""The tests' PostgreSQL libraries (tests/pg_server.py): one a test used is, for the next test,
as empty as the template (no rows, sequences from 1) or, if its schema changed, a new copy."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from litreview.db import make_engine
from litreview.importers.records import PaperRecord
from litreview.library.annotations import save_annotation
from litreview.library.importing import import_records
from litreview.library.notes import add_note
from litreview.models import NoteKind, SourceKind
from tests.pg_server import PostgresLibraries

ROWS = (
    "SELECT sum(n) FROM (SELECT (xpath('/row/n/text()', query_to_xml("
    "format('SELECT count(*) AS n FROM %%I', tablename), false, true, '')))[1]::text::int AS n"
    " FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version') AS counts"
)


def _fill(url: str) -> int:
    """Rows in several tables (a paper, its author, tag, annotation, note); the paper's id."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            record = PaperRecord(
                title="Kept for one test only", source=SourceKind.manual, tags=("one",)
            )
            report = import_records(session, [record], area_path="An area")
            paper_id = report.outcomes[0].paper_id or 0
            save_annotation(session, paper_id, "A line", expected_version=0)
            add_note(session, paper_id, NoteKind.critique, "Too short")
            session.commit()
        return paper_id
    finally:
        engine.dispose()


def _rows_and_next_id(url: str) -> tuple[int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = int(conn.exec_driver_sql(ROWS).scalar_one())
        return rows, _fill(url)
    finally:
        engine.dispose()


def test_a_library_given_back_is_emptied_for_the_next_test(
    pg_libraries: PostgresLibraries,
) -> None:
    name = pg_libraries.take()
    url = pg_libraries.server.database_url(name)
    first_id = _fill(url)
    holder = sa.create_engine(url)
    left_open = holder.connect()  # a connection the test left open, inside a transaction
    left_open.exec_driver_sql("SELECT count(*) FROM paper")
    pg_libraries.give_back(name)  # ends it
    left_open.invalidate()
    holder.dispose()
    again = pg_libraries.take()
    assert again == name  # the same library, emptied
    assert _rows_and_next_id(url) == (0, first_id)
    pg_libraries.give_back(again)


def test_a_library_whose_schema_a_test_changed_is_not_used_again(
    pg_libraries: PostgresLibraries,
) -> None:
    name = pg_libraries.take()
    engine = sa.create_engine(pg_libraries.server.database_url(name))
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE paper ADD COLUMN scratch integer")
    engine.dispose()
    pg_libraries.give_back(name)
    fresh = pg_libraries.take()
    assert fresh != name
    url = pg_libraries.server.database_url(fresh)
    assert _rows_and_next_id(url)[0] == 0
    pg_libraries.give_back(fresh)
    admin = sa.create_engine(pg_libraries.server.url)
    with admin.connect() as conn:
        names = conn.exec_driver_sql("SELECT datname FROM pg_database").scalars().all()
    admin.dispose()
    assert name not in names  # dropped
