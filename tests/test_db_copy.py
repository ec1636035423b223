"""``litreview db copy``: a whole library from SQLite to PostgreSQL and back, verified.

The library holds a bit of everything (areas whose parent was created after them, annotation
revisions, notes, links, columns and their values, provenance); the copy must hold the same rows,
the same export, and go on working (new ids after the copied ones, search over copied text).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from litreview.cli import app
from litreview.config import sqlite_url
from litreview.db import make_engine
from litreview.db_copy import copy_library, export_checksum, row_counts
from litreview.errors import Conflict
from litreview.importers.records import PaperRecord
from litreview.library.annotations import get_annotation, save_annotation
from litreview.library.areas import ensure_area_path, update_area
from litreview.library.column_edits import create_column
from litreview.library.notes import add_note
from litreview.library.papers import create_paper
from litreview.library.search import PaperQuery, search_paper_ids
from litreview.library.values import set_paper_fields
from litreview.models import ColumnType, NoteKind, SourceKind
from tests.export_library import build_library


def fill(engine: Engine) -> None:
    with Session(engine) as session:
        ids = build_library(session)
        first = next(iter(ids.values()))
        version = get_annotation(session, first).version
        save_annotation(session, first, "First *thoughts* on Übung", expected_version=version)
        save_annotation(session, first, "Second thoughts", expected_version=version + 1)
        add_note(session, first, NoteKind.quote, "a quoted zebra line about Übung", "p. 3")
        # A parent created after its child: the copy must not trip over the order of ids.
        child = ensure_area_path(session, "Late child")
        parent = ensure_area_path(session, "Late parent")
        assert child.id is not None and parent.id is not None
        update_area(session, child.id, parent_id=parent.id, move=True)
        create_column(session, name="Effect size", type=ColumnType.number)
        set_paper_fields(session, first, {"Effect size": 0.42})
        session.commit()


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return row_counts(conn)


def checksum(engine: Engine) -> str:
    with engine.connect() as conn:
        return export_checksum(conn)


@pytest.fixture
def target(pg_url: str) -> Engine:
    return make_engine(pg_url)


def test_a_library_goes_to_postgresql_and_back_unchanged(
    engine: Engine, target: Engine, tmp_path: Path
) -> None:
    fill(engine)
    report = copy_library(engine, target)
    held = counts(engine)
    assert report.rows == held and held["paper"] > 5 and held["annotation_revision"] >= 1
    assert held["paper_note"] == 1 and held["paper_value"] == 1 and held["provenance"] > 0
    assert counts(target) == held
    assert report.export_checksum == checksum(engine) == checksum(target)
    # The copy works as a library: search finds copied text (accent folded) and new rows get
    # ids after the copied ones.
    with Session(target) as session:
        ids, total = search_paper_ids(session, PaperQuery(q="zebra"))
        assert total == 1
        assert search_paper_ids(session, PaperQuery(q="ubung"))[1] == 1
        paper_id = create_paper(
            session, PaperRecord(title="Written on the server", source=SourceKind.manual)
        )
        assert paper_id > max(ids)
        session.rollback()
    back = make_engine(sqlite_url(tmp_path / "back.db"))
    copy_library(target, back)
    assert counts(back) == held and checksum(back) == report.export_checksum
    back.dispose()
    target.dispose()


def test_a_non_empty_target_is_refused_unless_replaced(engine: Engine, target: Engine) -> None:
    fill(engine)
    copy_library(engine, target)
    with Session(target) as session:
        create_paper(session, PaperRecord(title="Only on the server", source=SourceKind.manual))
        session.commit()
    before = counts(target)
    with pytest.raises(Conflict, match=r"not empty .*--replace"):
        copy_library(engine, target)
    assert counts(target) == before
    copy_library(engine, target, replace=True)
    assert counts(target) == counts(engine)
    target.dispose()


def test_the_command_copies_and_says_what_it_checked(
    db_url: str, pg_url: str, tmp_path: Path
) -> None:
    source = make_engine(db_url)
    fill(source)
    runner = CliRunner()
    result = runner.invoke(app, ["db", "copy", db_url, pg_url])
    assert result.exit_code == 0, result.output
    assert "papers" in result.output and "checked" in result.output
    again = runner.invoke(app, ["db", "copy", db_url, pg_url])
    assert again.exit_code != 0
    assert isinstance(again.exception, Conflict)
    target = make_engine(pg_url)
    with target.connect() as conn:
        papers = conn.execute(sa.text("SELECT count(*) FROM paper")).scalar_one()
    assert papers == counts(source)["paper"]
    target.dispose()
    source.dispose()


def test_the_full_text_table_is_left_packed(engine: Engine, target: Engine) -> None:
    """Every annotated paper's full-text row is written twice by the copy (its insert, then its
    annotation's trigger); the copy leaves the table as a VACUUM FULL would."""
    with Session(engine) as session:
        for n in range(300):
            paper = create_paper(
                session,
                PaperRecord(
                    title=f"Paper {n} on sparse autoencoders", year=2024, source=SourceKind.manual
                ),
            )
            text = f"Annotation {n}: " + "why it matters " * 20
            save_annotation(session, paper, text, expected_version=0)
        session.commit()
    copy_library(engine, target)
    size = "SELECT pg_relation_size('paper_fts')"
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        copied = conn.execute(sa.text(size)).scalar_one()
        conn.exec_driver_sql("VACUUM FULL paper_fts")
        assert conn.execute(sa.text(size)).scalar_one() == copied
    target.dispose()
