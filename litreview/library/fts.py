"""The full-text index (owned by the migrations): how a query matches and ranks it per
database, and how a bulk import fills it.

Both databases name it ``paper_fts`` with ``rowid`` = paper id. SQLite: an FTS5 table, matched
with MATCH and ranked by bm25. PostgreSQL: a weighted ``tsvector`` (``document``, revision 0008)
matched with ``@@`` and ranked by ``ts_rank_cd`` with the same column weights (among the shortest
matches: :func:`ranked_with_total`).

The text each paper gives the index is the view ``paper_fts_text`` (revision 0013, text
columns' values added in 0014) on both databases; triggers keep ``paper_fts`` in step with
single writes by reading it. For thousands of new papers it is about twice as fast on SQLite to
pause the triggers and index them in one statement (PostgreSQL's insert trigger runs once per
statement, so it needs no pause); a spreadsheet import, which adds notes and column values to
its papers, indexes each paper once, at the end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from litreview.library.bulk import chunks

# bm25 weights of SQLite's indexed columns: title, abstract, authors, annotation (and notes).
BM25 = "bm25(paper_fts, 10.0, 2.0, 5.0, 3.0)"
# The same weights for PostgreSQL's tsvector classes {D, C, B, A}: abstract, annotation and
# notes, authors, title (ts_rank_cd wants them between 0 and 1).
PG_WEIGHTS = [0.2, 0.3, 0.5, 1.0]
# ts_rank_cd's normalisation: divide by the document's length, as bm25 weighs
# a match in a short text above one in a long text.
PG_NORMALISATION = 2
# PostgreSQL ranks this many matches of a search for each PAGE of results down to the page's
# end: the shortest (fewest distinct words; see ranked_with_total). Not exact: a long paper
# that would rank among the best shows up only on a later page. At bench/pg.py's 100,000
# papers the first 50 of the 1,500 shortest were those of all matches for 12 words and the 14
# searches of bench/api_latency.py (paged and filtered included); of the 1,000 shortest, 17 of
# 50 for "reward" among tag=highlight's 3,708 matches; of the 500 shortest, 33 for "learning".
CANDIDATES = 1500
PAGE = 50
# The full-text index is owned by the migrations, not by the models. ``lexemes``: PostgreSQL
# only (revision 0020).
PAPER_FTS = sa.table("paper_fts", sa.column("rowid", sa.Integer), sa.column("lexemes"))


def fts_words_query(words: Sequence[str], *, last_is_prefix: bool, dialect: str) -> str:
    """The index's query for these words (each of ``\\w`` characters only): all of them, each
    quoted, the last one a prefix if asked."""
    if dialect == "postgresql":
        quoted = [f"'{w}'" for w in words]
        if last_is_prefix:
            quoted[-1] += ":*"
        return " & ".join(quoted)
    quoted = [f'"{w}"' for w in words]
    if last_is_prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def fts_matches(dialect: str, match: str) -> sa.ColumnElement[bool]:
    """The papers of ``paper_fts`` matching ``match`` (from :func:`fts_words_query`)."""
    if dialect == "postgresql":
        return sa.literal_column("paper_fts.document").bool_op("@@")(_tsquery(match))
    return sa.text("paper_fts MATCH :match").bindparams(match=match)  # type: ignore[return-value]


def fts_score(dialect: str, match: str) -> sa.ColumnElement[Any]:
    """A match's rank, lower is better (bm25's sense)."""
    if dialect == "postgresql":
        # Imported here: loading the PostgreSQL dialect costs every SQLite command ~20 ms.
        from sqlalchemy.dialects import postgresql

        weights = sa.literal(PG_WEIGHTS, type_=postgresql.ARRAY(sa.REAL))
        document: sa.ColumnElement[Any] = sa.literal_column("paper_fts.document")
        return -sa.func.ts_rank_cd(weights, document, _tsquery(match), PG_NORMALISATION)
    return sa.literal_column(BM25)


def ranks_with_total(dialect: str) -> bool:
    """Whether a ranked search counts its matches in the pass that ranks them (a window
    count), even without filters.

    PostgreSQL: choosing the matches to rank reads every match's row anyway, and a separate
    count read their pages again (4,889 for "reward" at 100,000 papers). SQLite: FTS5 ranks the
    best page without sorting every match by hand, and counts from its index.
    """
    return dialect == "postgresql"


def ranked_with_total(
    dialect: str, passing: sa.Select[Any], score: sa.ColumnElement[Any], wanted: int | None
) -> sa.Select[Any]:
    """The matches ``passing`` selects (rows of ``paper_fts`` that pass a search's filters,
    no columns) as ``id``, ``score`` and ``total`` (how many pass), to be ordered by score
    for a page of the best ending at the ``wanted``-th (None: a page of the worst).

    SQLite: every match ranked by bm25. PostgreSQL: ``ts_rank_cd`` reads each ranked match's
    tsvector, most of a search's time when all are ranked ("reward" at 100,000 papers: 16,688
    read, 90 ms of CPU); its normalisation divides by the document's length, so the best are
    short documents. The filtered matches are counted and the ``CANDIDATES`` shortest kept
    (``lexemes``, read from the rows, not the tsvectors) in one pass; only those are ranked,
    ``CANDIDATES`` for every page of 50 down to the page's end, so a later page is chosen
    among as many again. Their subquery also keeps the planner from ranking every match
    before the filters' join (``OFFSET 0`` does it when every match is ranked).
    """
    fts_id = PAPER_FTS.c.rowid
    total = sa.func.count().over().label("total")
    if dialect != "postgresql":
        ranked = passing.add_columns(fts_id.label("id"), score.label("score")).subquery()
        return sa.select(ranked.c.id, ranked.c.score, total)
    found = passing.add_columns(fts_id, total)
    if wanted is None:
        found = found.offset(0)
    else:
        pages = max(1, -(-wanted // PAGE))
        kept = max(wanted, CANDIDATES * pages)
        found = found.order_by(PAPER_FTS.c.lexemes, fts_id).limit(kept)
    candidates = found.subquery("candidates")
    return sa.select(fts_id.label("id"), score.label("score"), candidates.c.total).select_from(
        candidates.join(PAPER_FTS, fts_id == candidates.c.rowid)
    )


@contextmanager
def matches_through_the_index(session: Session) -> Iterator[None]:
    """PostgreSQL: the statements inside find a search's matches through the full-text index,
    in one process, never by testing every row's tsvector.

    The planner does not count the cost of reading a tsvector: for a word in 40% of the papers
    ("learning" at 100,000) it scanned the table in three processes and tested every row's
    document, reading 130,000 pages (most of them tsvectors stored out of line) where the
    index's matches are on 6,600: 314 ms of CPU for the ranked page. Through the index, 91 ms
    in three processes, 41 ms in one. ``enable_seqscan`` and parallel workers are off for
    these statements only (set back after them; a failed one ends the transaction, and its
    settings with it).
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    connection = session.connection()
    connection.exec_driver_sql(
        "SET LOCAL enable_seqscan = off; SET LOCAL max_parallel_workers_per_gather = 0"
    )
    yield
    connection.exec_driver_sql(
        "SET LOCAL enable_seqscan = DEFAULT; SET LOCAL max_parallel_workers_per_gather = DEFAULT"
    )


def _tsquery(match: str) -> sa.ColumnElement[Any]:
    config: sa.ColumnElement[Any] = sa.literal_column("'litreview'::regconfig")
    return sa.func.to_tsquery(config, sa.bindparam("match", match, type_=sa.Text))


_INSERT = "INSERT INTO paper_fts (rowid, title, abstract, authors, annotation) "
# What a paper gives the index is declared once, by the view paper_fts_text (revision 0013),
# which the triggers read too.
_NEW_TEXT = "SELECT p.id, p.title, p.abstract, p.authors, p.annotation FROM paper_fts_text AS p"
_REFRESH = sa.text(
    "UPDATE paper_fts SET (title, abstract, authors, annotation) = (SELECT title, abstract,"
    " authors, annotation FROM paper_fts_text WHERE id = paper_fts.rowid) WHERE rowid IN :ids"
).bindparams(sa.bindparam("ids", expanding=True))


def has_fts(session: Session) -> bool:
    return session.connection().dialect.name == "sqlite"


@dataclass
class Pause:
    """What a paused index owes on its end: papers to index (``new``, no index row yet) and
    papers whose notes or column values were written (``changed``)."""

    new: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)


@contextmanager
def paused_indexing(session: Session) -> Iterator[Pause]:
    """Pause the index's triggers (new papers, notes, column values) while many rows are
    written; on exit, index the papers the pause was told of, a statement a chunk.

    The pause is a row in ``paper_fts_pause`` written inside the caller's transaction, so no
    other connection ever sees it, and it is removed even when the write fails. A pause inside
    a pause joins it. PostgreSQL's triggers are not paused (a statement's new papers are
    indexed at once; a note or a value refreshes its paper).
    """
    outer: Pause | None = session.info.get("fts_pause")
    if outer is not None:
        yield outer
        return
    pause = Pause()
    if not has_fts(session):
        yield pause
        return
    session.execute(sa.text("INSERT INTO paper_fts_pause (id) VALUES (1)"))
    session.info["fts_pause"] = pause
    try:
        yield pause
        session.flush()
    finally:
        session.info.pop("fts_pause", None)
        session.execute(sa.text("DELETE FROM paper_fts_pause"))
    index_new_papers(session, pause.new)
    changed = sorted(set(pause.changed) - set(pause.new))
    for chunk in chunks(changed):
        session.execute(_REFRESH, {"ids": list(chunk)})


@contextmanager
def bulk_indexing(
    session: Session, paper_ids: list[int], *, pause: bool = True
) -> Iterator[list[int]]:
    """:func:`paused_indexing` for an import: the new papers whose ids were appended are
    indexed on exit (by the outer pause, if there is one).

    ``pause`` False (a few papers, one made by hand): unless an outer pause holds them, the
    triggers index each paper as its row is written, and the ids appended are not needed (the
    pause and its end cost three statements, more than the trigger's own insert)."""
    if not pause and session.info.get("fts_pause") is None:
        yield []
        return
    with paused_indexing(session) as paused:
        yield paper_ids
        paused.new.extend(paper_ids)


def index_new_papers(session: Session, paper_ids: Sequence[int]) -> None:
    """Index papers that have no full-text row yet: in one statement when their ids are a run."""
    if not paper_ids:
        return
    low, high = min(paper_ids), max(paper_ids)
    if high - low + 1 != len(set(paper_ids)):
        _index(session, paper_ids)
        return
    session.execute(
        sa.text(f"{_INSERT}{_NEW_TEXT} WHERE p.id BETWEEN :low AND :high"),
        {"low": low, "high": high},
    )


def _index(session: Session, paper_ids: Sequence[int]) -> None:
    for chunk in chunks(paper_ids):
        params = {f"p{i}": pid for i, pid in enumerate(chunk)}
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        session.execute(sa.text(f"{_INSERT}{_NEW_TEXT} WHERE p.id IN ({marks})"), params)
