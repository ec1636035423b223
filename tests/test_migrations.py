"""The schema belongs to Alembic: empty databases upgrade, models and migrations agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel

from litreview.config import sqlite_url
from litreview.db import alembic_config, current_revision, make_engine, upgrade
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.papers import import_records
from litreview.models import SourceKind


def _head() -> str:
    from alembic.script import ScriptDirectory

    engine = make_engine("sqlite://")
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def insert_old_paper(conn: sa.Connection) -> None:
    """Paper 1, 'Old paper', written as SQL: today's library code expects the newest tables."""
    conn.execute(
        sa.text(
            "INSERT INTO paper (key, entry_type, title, title_fp, author_names,"
            " arxiv_categories, status, extra, original, created_at, updated_at, version)"
            " VALUES ('old', 'article', 'Old paper', 'old paper', '', '[]', 'unread', '{}',"
            " '{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
        )
    )


def test_upgrade_creates_every_table_and_the_fts_index(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "new" / "lib.db"))
    upgrade(engine)
    names = set(sa.inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= names
    assert "paper_fts" in names
    assert current_revision(engine) == _head()


# SQLite's reflection cannot compare an index of expressions; PostgreSQL's compares it.
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index 'ix_paper_year_newest'"
)
@pytest.mark.both_dialects
def test_models_and_migrations_agree(engine: sa.Engine) -> None:
    def skip_fts(obj: object, name: str | None, type_: str, *_: object) -> bool:
        return not (type_ == "table" and name is not None and name.startswith("paper_fts"))

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": skip_fts}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


@pytest.mark.both_dialects
def test_partial_indexes_of_models_and_migrations_agree(engine: sa.Engine) -> None:
    # Alembic's comparison leaves out an index's condition; the models give PostgreSQL's only
    # once a PostgreSQL engine is made (models.add_postgresql_conditions): each must be there.
    dialect = engine.dialect.name
    ours = {
        index.name: str(condition)
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if (condition := index.dialect_options[dialect]["where"]) is not None
    }
    inspector = sa.inspect(engine)
    stored = {
        index["name"]: str(index["dialect_options"][f"{dialect}_where"])
        for table in SQLModel.metadata.tables
        for index in inspector.get_indexes(table)
        if f"{dialect}_where" in index.get("dialect_options", {})
    }
    partial = {"ix_paper_names_others", "ux_area_root_name", "ix_annotation_written"}
    assert set(ours) == set(stored) == partial
    if dialect == "sqlite":  # SQLite keeps the condition as written (PostgreSQL rewrites it)
        assert ours == stored


def test_upgrade_from_base_keeps_stored_data(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "lib.db"))
    upgrade(engine)
    with Session(engine) as session:
        record = PaperRecord(
            title="Kept across upgrades",
            source=SourceKind.manual,
            authors=[AuthorRecord("Ada Lovelace", "Lovelace", "Ada")],
            annotation="still here",
        )
        import_records(session, [record])
        session.commit()
    # Upgrading an up-to-date database again (as every start does) must be harmless.
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT title, author_names FROM paper")).all()
        hits = conn.execute(sa.text("SELECT rowid FROM paper_fts WHERE paper_fts MATCH 'still'"))
        assert rows == [("Kept across upgrades", "Ada Lovelace")]
        assert len(hits.all()) == 1


def test_connections_enforce_foreign_keys_and_wal(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000
    quick = make_engine(engine.url.render_as_string(hide_password=False), busy_timeout=0.25)
    with quick.connect() as conn:
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 250
    quick.dispose()


def test_notes_migration_up_and_down_keeps_the_index_right(tmp_path: Path) -> None:
    from alembic import command

    from litreview.library.notes import add_note
    from litreview.models import NoteKind

    engine = make_engine(sqlite_url(tmp_path / "lib.db"))
    upgrade(engine, "0003")
    # Written as SQL: today's library code expects the tables of the newest revision.
    with engine.begin() as conn:
        insert_old_paper(conn)
        conn.execute(
            sa.text(
                "INSERT INTO annotation (paper_id, markdown, version, updated_at)"
                " VALUES (1, 'annotated', 1, '2026-01-01 00:00:00')"
            )
        )
    upgrade(engine)

    def hits(word: str) -> int:
        with engine.connect() as conn:
            sql = sa.text("SELECT count(*) FROM paper_fts WHERE paper_fts MATCH :w")
            return int(conn.execute(sql, {"w": word}).scalar_one())

    with Session(engine) as session:
        add_note(session, 1, NoteKind.quote, "quoted words")
        session.commit()
    assert hits("quoted") == 1 and hits("annotated") == 1
    command.downgrade(alembic_config(engine), "0003")
    assert "paper_note" not in sa.inspect(engine).get_table_names()
    assert hits("quoted") == 0 and hits("annotated") == 1
    # The annotation triggers are those of before again: a save still reaches the index.
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE annotation SET markdown = 'rewritten' WHERE paper_id = 1"))
    assert hits("rewritten") == 1 and hits("annotated") == 0
    upgrade(engine)
    assert current_revision(engine) == _head()
    with Session(engine) as session:
        add_note(session, 1, NoteKind.question, "asked again")
        session.commit()
    assert hits("asked") == 1 and hits("rewritten") == 1


def test_the_index_holds_what_the_view_paper_fts_text_says(tmp_path: Path) -> None:
    from litreview.library.notes import add_note
    from litreview.models import NoteKind

    engine = make_engine(sqlite_url(tmp_path / "lib.db"))
    upgrade(engine)
    records = [
        PaperRecord(title=f"Paper {i}", source=SourceKind.manual, abstract="an abstract")
        for i in range(3)
    ]
    records[1].annotation = "first thoughts"
    with Session(engine) as session:
        import_records(session, records)  # bulk: the insert trigger paused, indexed at the end
        add_note(session, 2, NoteKind.quote, "a quote")
        add_note(session, 2, NoteKind.question, "a question")
        session.commit()
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE paper SET title = 'Renamed', abstract = NULL WHERE id = 3"))
        conn.execute(sa.text("DELETE FROM paper_note WHERE markdown = 'a quote'"))
    columns = "title, abstract, authors, annotation"
    with engine.connect() as conn:
        index = conn.execute(sa.text(f"SELECT rowid, {columns} FROM paper_fts ORDER BY rowid"))
        view = conn.execute(sa.text(f"SELECT id, {columns} FROM paper_fts_text ORDER BY id"))
        indexed, declared = index.all(), view.all()
    assert indexed == declared
    assert declared[1][4] == "first thoughts\na question"
    assert declared[2][1:3] == ("Renamed", "")


def test_upgrade_of_a_library_with_papers_in_areas_keeps_them(tmp_path: Path) -> None:
    # A migration that rebuilds a table others point at (SQLite's batch mode: copy, drop,
    # rename) must not trip over those references, nor lose them.
    engine = make_engine(sqlite_url(tmp_path / "lib.db"))
    upgrade(engine, "0010")
    with engine.begin() as conn:
        insert_old_paper(conn)
        conn.execute(
            sa.text(
                "INSERT INTO area (name, description, position, version)"
                " VALUES ('Interpretability', '', 0, 1)"
            )
        )
        conn.execute(sa.text("INSERT INTO paper_area (paper_id, area_id, note) VALUES (1, 1, '')"))
    upgrade(engine)
    assert current_revision(engine) == _head()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT paper_id, area_id FROM paper_area")).all() == [(1, 1)]
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []


def test_text_columns_migration_indexes_stored_values_and_goes_back(tmp_path: Path) -> None:
    from alembic import command

    engine = make_engine(sqlite_url(tmp_path / "lib.db"))
    upgrade(engine, "0013")
    with engine.begin() as conn:
        insert_old_paper(conn)
        conn.execute(
            sa.text(
                "INSERT INTO custom_column (target, name, description, type, options, unit,"
                " position) VALUES ('paper', 'Training', '', 'text', '[]', '', 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO paper_value (column_id, paper_id, text) VALUES (1, 1, 'distilled')"
            )
        )

    def hits(word: str) -> int:
        with engine.connect() as conn:
            sql = sa.text("SELECT count(*) FROM paper_fts WHERE paper_fts MATCH :w")
            return int(conn.execute(sql, {"w": word}).scalar_one())

    assert hits("distilled") == 0
    upgrade(engine)
    assert hits("distilled") == 1
    command.downgrade(alembic_config(engine), "0013")
    assert hits("distilled") == 0
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE paper_value SET text = 'pruned'"))
    assert hits("pruned") == 0
