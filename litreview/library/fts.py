"""The full-text index (owned by the migrations): how a query matches and ranks it per
database, and how a bulk import fills it.

Both databases name it ``paper_fts`` with ``rowid`` = paper id. SQLite: an FTS5 table, matched
with MATCH and ranked by bm25. PostgreSQL: a weighted ``tsvector`` (``document``, revision 0008)
matched with ``@@`` and ranked by ``ts_rank_cd`` with the same column weights.

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

# bm25 weights of SQLite's indexed columns: title, abstract, authors, annotation (and notes).
BM25 = "bm25(paper_fts, 10.0, 2.0, 5.0, 3.0)"
# The same weights for PostgreSQL's tsvector classes {D, C, B, A}: abstract, annotation and
# notes, authors, title (ts_rank_cd wants them between 0 and 1).
PG_WEIGHTS = [0.2, 0.3, 0.5, 1.0]
# ts_rank_cd's normalisation: divide by the document's length, as bm25 weighs
# a match in a short text above one in a long text.
PG_NORMALISATION = 2
# The full-text index is owned by the migrations, not by the models.
PAPER_FTS = sa.table("paper_fts", sa.column("rowid", sa.Integer))


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

    PostgreSQL: ranking reads every match's row anyway, and a separate count read their
    pages again (4,889 for "reward" at 100,000 papers). SQLite: FTS5 ranks the best page
    without sorting every match by hand, and counts from its index.
    """
    return dialect == "postgresql"


def filtered_before_ranking(dialect: str, matches: sa.Select[Any]) -> sa.Select[Any]:
    """``matches`` (the index's rows passing a search's filters, with their rank) as a query
    whose rows are filtered before any is ranked.

    PostgreSQL: ``ts_rank_cd`` reads each ranked paper's tsvector (most stored out of line), so
    ranking is most of a search's time. Flattened into the page's query, the planner ranked
    and sorted every match of the words before the filters' join ("reward" with 2015-2020:
    16,688 ranked for 3,313 kept); ``OFFSET 0`` plans the query by itself, its ranks computed
    over the join's rows. SQLite's bm25 needs no such fence.
    """
    return matches.offset(0) if dialect == "postgresql" else matches


def _tsquery(match: str) -> sa.ColumnElement[Any]:
    config: sa.ColumnElement[Any] = sa.literal_column("'litreview'::regconfig")
    return sa.func.to_tsquery(config, sa.bindparam("match", match, type_=sa.Text))


CHUNK = 500
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
    for start in range(0, len(changed), CHUNK):
        session.execute(_REFRESH, {"ids": changed[start : start + CHUNK]})


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
    for start in range(0, len(paper_ids), CHUNK):
        chunk = list(paper_ids[start : start + CHUNK])
        params = {f"p{i}": pid for i, pid in enumerate(chunk)}
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        session.execute(sa.text(f"{_INSERT}{_NEW_TEXT} WHERE p.id IN ({marks})"), params)
