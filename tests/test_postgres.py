"""What is PostgreSQL's own: its full-text index (revision 0006), ranking close to SQLite's bm25,
the migrations down and up again, and a slow search stopped by statement_timeout.

The rest of the library and API suites run on PostgreSQL through the ``both_dialects`` marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.app import create_app
from litreview.config import Settings, sqlite_url
from litreview.db import WRITE_LOCK_KEY, make_engine, time_limit, upgrade
from litreview.errors import SearchTooBroad
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library import fts
from litreview.library.annotations import save_annotation
from litreview.library.bibtex import import_bibtex
from litreview.library.notes import add_note
from litreview.library.papers import delete_paper, import_records, update_paper
from litreview.library.search import PaperQuery, search_paper_ids
from litreview.models import NoteKind, Paper, SourceKind


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


def _found(engine: Engine, text: str) -> list[int]:
    with Session(engine) as session:
        return search_paper_ids(session, PaperQuery(q=text, limit=50))[0]


def test_the_index_follows_every_write(pg_engine: Engine) -> None:
    with Session(pg_engine) as session:
        report = import_records(
            session,
            [
                PaperRecord(
                    title="Éléments de théorie",
                    source=SourceKind.manual,
                    authors=[AuthorRecord("Ana Núñez", "Núñez", "Ana")],
                    abstract="Reward modelling at scale",
                ),
                PaperRecord(title="Something else entirely", source=SourceKind.manual),
            ],
        )
        first, second = (o.paper_id for o in report.outcomes)
        assert first is not None and second is not None
        session.commit()
        # Accents folded both ways, the last word a prefix, every word required.
        assert _found(pg_engine, "elements theor") == [first]
        assert _found(pg_engine, "nunez") == [first]
        assert _found(pg_engine, "reward mod") == [first]
        assert _found(pg_engine, "reward else") == []
        save_annotation(session, second, "A note on zebras", expected_version=0)
        note = add_note(session, second, NoteKind.quote, "quoted giraffes")
        update_paper(session, first, {"title": "Renamed work"})
        session.commit()
        assert _found(pg_engine, "zebras") == [second]
        assert _found(pg_engine, "giraffes") == [second]
        assert _found(pg_engine, "renamed") == [first]
        assert _found(pg_engine, "elements") == []
        session.delete(note)
        delete_paper(session, first)
        session.commit()
        assert _found(pg_engine, "giraffes") == []
        assert _found(pg_engine, "renamed") == []
        count = session.execute(sa.text("SELECT count(*) FROM paper_fts")).scalar_one()
        assert count == 1


BULK_FILE = "\n".join(
    f"@article{{bulk{n}, title = {{Bulk paper {n}: {'Ünïcode' if n % 2 else 'plain'} title}},"
    f" author = {{Núñez, Ana and Smith{n}, Bo}}, year = {2000 + n % 20}, journal = {{J. Tests}},"
    f" note = {{a tab\there, a back\\\\slash, 100\\% {{{{braces}}}}}}, keywords = {{k{n % 7}}}}}"
    for n in range(300)
)
STORED = (Paper.key, Paper.title, Paper.author_names, Paper.year, Paper.venue, Paper.extra)


def test_an_import_sends_its_rows_by_copy(pg_engine: Engine, tmp_path: Path) -> None:
    """An import's rows go in by COPY (one statement a table), not one INSERT a row, and are
    stored as on SQLite (text with tabs and backslashes, JSON); timestamps in UTC."""
    inserts: list[str] = []

    def count(_c: Any, _cur: Any, sql: str, _p: Any, _ctx: Any, _many: bool) -> None:
        if sql.lstrip().upper().startswith("INSERT INTO"):
            inserts.append(sql.split()[2])

    lite = make_engine(sqlite_url(tmp_path / "lite.db"))
    upgrade(lite)
    stored = []
    sa.event.listen(pg_engine, "before_cursor_execute", count)
    for engine in (lite, pg_engine):
        with Session(engine) as session:
            import_bibtex(session, BULK_FILE.encode(), source="bulk.bib")
            session.commit()
            stored.append(session.execute(sa.select(*STORED).order_by(Paper.key)).all())
    sa.event.remove(pg_engine, "before_cursor_execute", count)
    lite.dispose()
    # Papers, authors, their order, provenance: COPY (a possible duplicate may still INSERT).
    assert not {"paper", "author", "paper_author", "provenance"} & set(inserts), inserts
    assert stored[1] == stored[0] and len(stored[0]) == 300
    assert stored[1][0].extra["note"] == "a tab\there, a back\\\\slash, 100\\% {{braces}}"
    with Session(pg_engine) as session:
        assert session.execute(sa.text("SHOW TimeZone")).scalar_one() == "UTC"
        found = search_paper_ids(session, PaperQuery(q="unicode title nunez", limit=10))
    assert found[1] == 150


def test_title_words_rank_above_abstract_words(pg_engine: Engine) -> None:
    with Session(pg_engine) as session:
        records = [
            PaperRecord(title="Plain", source=SourceKind.manual, abstract="about robustness"),
            PaperRecord(title="Robustness", source=SourceKind.manual, abstract="plain text"),
        ]
        ids = [o.paper_id for o in import_records(session, records).outcomes]
        session.commit()
    assert _found(pg_engine, "robustness") == [ids[1], ids[0]]


def test_ranking_reads_the_shortest_matches_and_counts_them_all(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ranked page is chosen among the shortest matches (``fts.CANDIDATES`` for each
    ``fts.PAGE`` up to its end), its total counts every match, and the worst first ranks all."""
    monkeypatch.setattr(fts, "CANDIDATES", 2)
    monkeypatch.setattr(fts, "PAGE", 1)
    filler = " ".join(f"word{n}" for n in range(80))
    records = [
        PaperRecord(title="Reward shaping", source=SourceKind.manual, year=2001),
        PaperRecord(title="Reward", source=SourceKind.manual, abstract="a b c", year=2002),
        PaperRecord(
            title="Reward models", source=SourceKind.manual, abstract=filler[:300], year=2003
        ),
        PaperRecord(
            title="Something", source=SourceKind.manual, abstract=f"reward {filler}", year=2004
        ),
    ]
    with Session(pg_engine) as session:
        ids = [o.paper_id for o in import_records(session, records).outcomes]
        session.commit()
        lexemes = session.execute(sa.text("SELECT lexemes FROM paper_fts ORDER BY rowid")).all()
        assert [row[0] for row in lexemes] == [2, 4, 2 + len(filler[:300].split()), 82]

        def page(offset: int, order: str | None = None) -> tuple[list[int], int]:
            query = PaperQuery(q="reward", limit=1, offset=offset, order=order)
            return search_paper_ids(session, query)

        # Page by page, each chosen among the two shortest matches per page so far: every
        # match once, best first, each page with the total of all four.
        assert [page(offset) for offset in range(4)] == [([paper], 4) for paper in ids]
        # The worst first: every match ranked, the long one with the word in its abstract last.
        assert page(0, "asc") == ([ids[3]], 4)
        # Filtered: the shortest that pass the filters, all of them counted.
        later = PaperQuery(q="reward", limit=1, offset=1, year_min=2002)
        assert search_paper_ids(session, later) == ([ids[2]], 3)
        # The planner's settings for reading the matches through the index are set back.
        settings = "SELECT current_setting('enable_seqscan')"
        assert session.execute(sa.text(settings)).scalar_one() == "on"


def test_the_year_index_carries_the_id_in_models_and_migrations(pg_engine: Engine) -> None:
    """Alembic's comparison leaves out an index's included columns: checked here."""
    from sqlmodel import SQLModel

    index = SQLModel.metadata.tables["paper"].indexes
    ours = {i.name: i.dialect_kwargs.get("postgresql_include") for i in index}
    stored = {
        i["name"]: i.get("dialect_options", {}).get("postgresql_include")
        for i in sa.inspect(pg_engine).get_indexes("paper")
    }
    assert ours["ix_paper_year"] == stored["ix_paper_year"] == ["id"]


def test_a_slow_statement_is_stopped_as_too_broad(pg_engine: Engine) -> None:
    with Session(pg_engine) as session:
        with pytest.raises(SearchTooBroad, match="too broad"), time_limit(session, 50):
            session.execute(sa.text("SELECT pg_sleep(2)"))
        session.rollback()
        # A statement that ends in time leaves no limit behind.
        with time_limit(session, 5000):
            session.execute(sa.text("SELECT 1"))
        timeout = session.execute(sa.text("SHOW statement_timeout")).scalar_one()
        assert timeout == "0"


def test_the_migrations_go_down_and_up_again(pg_url: str) -> None:
    from alembic import command

    from litreview.db import alembic_config

    engine = make_engine(pg_url)
    command.downgrade(alembic_config(engine), "base")
    with engine.connect() as conn:
        left = sa.inspect(conn).get_table_names()
    assert left == ["alembic_version"]
    upgrade(engine)
    with Session(engine) as session:
        import_records(session, [PaperRecord(title="Back again", source=SourceKind.manual)])
        session.commit()
    assert len(_found(engine, "again")) == 1
    engine.dispose()


# Queries matching at least ten papers of the corpus files below. (A bare "tex", in 700 of
# them, mostly short titles with equal scores, agrees on 3 of 10: ties break differently.)
RANKING_QUERIES = [
    "font",
    "typesetting",
    "graphics",
    "math",
    "index",
    "network",
    "language",
    "knuth",
    "design",
    "history",
    "type",
    "data",
    "system",
    "review",
    "macros",
    "fonts",
    "printing",
    "book",
    "user",
    "program",
    "computer",
    "style",
    "tex macros",
]
RANKING_FILES = ["pybtex_examples_tugboat.bib", "bbt_Bulk_performance_test.bib"]


@pytest.mark.corpus
def test_ranking_agrees_with_sqlite_on_the_corpus(
    corpus: Path, pg_engine: Engine, tmp_path: Path
) -> None:
    lite = make_engine(sqlite_url(tmp_path / "lite.db"))
    upgrade(lite)
    for engine in (lite, pg_engine):
        with Session(engine) as session:
            for name in RANKING_FILES:
                data = (corpus / "bibtex" / name).read_bytes()
                import_bibtex(session, data, source=name)
            session.commit()
    agreement = {}
    for text in RANKING_QUERIES:
        with Session(lite) as session:
            expected, total = search_paper_ids(session, PaperQuery(q=text, limit=10))
        with Session(pg_engine) as session:
            got, pg_total = search_paper_ids(session, PaperQuery(q=text, limit=10))
        assert total >= 10 and abs(total - pg_total) <= total // 20, text
        agreement[text] = len(set(expected) & set(got))
    lite.dispose()
    low = {text: n for text, n in agreement.items() if n < 7}
    assert not low, f"top 10 share fewer than 7 papers with SQLite's: {low} (all: {agreement})"


def test_writes_wait_for_one_another_and_a_long_wait_is_busy(pg_url: str) -> None:
    """The API's writes take one lock on PostgreSQL too (as SQLite's write lock): while another
    writer holds it, a write waits, and past the busy timeout answers 503; then it goes through."""
    settings = Settings(database_url=pg_url, busy_timeout=0.3, search_time_limit_ms=0)
    app = create_app(settings)
    holder = make_engine(pg_url)
    try:
        with holder.connect() as other, TestClient(app, base_url="http://127.0.0.1") as client:
            other.exec_driver_sql(f"SELECT pg_advisory_lock({WRITE_LOCK_KEY})")
            waited = client.post("/api/papers", json={"title": "Waits its turn"})
            assert waited.status_code == 503, waited.text
            assert "busy" in waited.json()["error"]["message"]
            assert client.get("/api/papers").status_code == 200  # reads do not wait
            other.exec_driver_sql(f"SELECT pg_advisory_unlock({WRITE_LOCK_KEY})")
            assert client.post("/api/papers", json={"title": "Waits its turn"}).status_code == 201
    finally:
        holder.dispose()
        app.state.engine.dispose()
