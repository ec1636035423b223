"""Finding papers: full text (FTS5 ranked by bm25; on PostgreSQL a weighted tsvector ranked by
ts_rank_cd, see library.fts) combined with filters, sorted and paged.

User text never reaches MATCH as syntax: it is cut into words and each word is quoted, so
quotes, dashes, colons, parentheses, ``NEAR``, ``*`` and the like are only ever searched for.

How it stays fast at 100,000 papers (see bench/api_latency.py):
- every filter is a set of paper ids (``id IN (...)``) read from an index, never a scan of
  the wide ``paper`` rows;
- a relevance search is driven by the full-text index alone (``paper_fts.rowid`` is the paper
  id) and bm25 runs only over matches that pass the filters;
- the last word typed is a prefix only if the index holds a longer word starting with it
  (``fts_match``): otherwise it is the same search, and FTS5 reads an exact word without
  first merging the lists of every word a prefix starts;
- a search sorted by anything else walks the sort key's index and keeps the rows whose id is
  in the match set, stopping once the page is full, instead of sorting every match;
- the total is a count over the same sets, without joins or ordering;
- a pathological search (say a one-letter prefix under filters that match little) is bounded
  as datasette bounds a query: a progress handler stops it after a time limit and the caller
  gets :class:`~litreview.errors.SearchTooBroad` ("keep typing") instead of a slow answer; a
  last word of one or two letters searched as a prefix, broad at scale before it runs, gets a
  shorter limit, so its "keep typing" comes at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from litreview.choices import SortKey
from litreview.db import time_limit, too_broad
from litreview.errors import InvalidInput
from litreview.library.areas import area_paths, find_area_path, get_area, subtree_ids
from litreview.library.column_query import page_by_column, paper_column_filters
from litreview.library.fts import (
    PAPER_FTS,
    fts_matches,
    fts_score,
    fts_words_query,
    matches_through_the_index,
    ranked_with_total,
    ranks_with_total,
)
from litreview.library.reading import rating_key, status_condition, status_key
from litreview.library.statements import Filter, run, unindexed
from litreview.library.tags import tidy_tag
from litreview.models import (
    WRITTEN_ANNOTATION,
    Annotation,
    Area,
    Author,
    Paper,
    PaperArea,
    PaperAuthor,
    PaperTag,
    Tag,
)
from litreview.query import MAX_ID, MAX_LIMIT, PaperFilter, PaperQuery, SortOrder

_WORD = re.compile(r"\w+", re.UNICODE)
_PLAIN = re.compile(r"[0-9A-Za-z]+")
MAX_WORDS = 32
# Up to this many results, a filtered list reads its papers by id and sorts them; beyond, it
# walks the sort index and tests papers until the page is full.
SMALL_RESULT = 2000
# A last word of at most this many letters starts so many words of a large library that its
# search is known to be broad before it runs ("t", "th", "reinforcement l"): it is given
# only SHORT_PREFIX_LIMIT_MS, so "keep typing" comes at once; a small library answers within it.
SHORT_PREFIX = 2
SHORT_PREFIX_LIMIT_MS = 25
# ... and in a library of more papers than this it answers "keep typing" without running.
BROAD_LIBRARY = 20_000
# A last word of at most BROAD_PREFIX letters searched as a prefix in a library of over
# BROAD_LIBRARY papers answers "keep typing" without running when the words it starts are held
# by more than BROAD_PREFIX_PAPERS papers in all (summed word by word; at 100,000 papers the
# words "the" starts sum to 258,000, "lea" 102,000, "rei" 18,000): ranking that many takes
# longer than the time limit (~1 ms per 1,000). The sum stops once over (~1 ms per 15,000).
BROAD_PREFIX = 4
BROAD_PREFIX_PAPERS = 150_000
# SQLite's FTS5 words, one row per occurrence (fts5vocab "instance"): a seek to a word is cheap.
PAPER_FTS_TERMS = sa.table("paper_fts_terms", sa.column("term", sa.String))
# ... and one row per word with the number of papers holding it (fts5vocab "row"), each row
# counted as it is read.
PAPER_FTS_ROWS = sa.table("paper_fts_rows", sa.column("term", sa.String), sa.column("doc"))


# Natural direction of each sort when none is asked for: newest, best, A to Z.
DESCENDING_BY_DEFAULT = {
    SortKey.relevance,
    SortKey.year,
    SortKey.added,
    SortKey.updated,
    SortKey.rating,
}
# Each sort key of a paper's own is an indexed column; title sorts by its folded form (case,
# accents and punctuation ignored), which is indexed as the title fingerprint. The others are
# computed per paper (``_sort_key``).
SORT_COLUMNS: dict[SortKey, Any] = {
    SortKey.year: col(Paper.year),
    SortKey.added: col(Paper.created_at),
    SortKey.updated: col(Paper.updated_at),
    SortKey.title: col(Paper.title_fp),
    SortKey.rating: col(Paper.rating),
    SortKey.key: col(Paper.key),
}


def _search_words(text: str | None) -> list[str]:
    """The words of what a user typed that a search looks for (at most ``MAX_WORDS``)."""
    return _WORD.findall(text)[:MAX_WORDS] if text else []


def fts_query(
    text: str | None, *, last_is_prefix: bool = True, dialect: str = "sqlite"
) -> str | None:
    """A safe full-text query for what a user typed: every word quoted, the last one a prefix."""
    words = _search_words(text)
    if not words:
        return None
    return fts_words_query(words, last_is_prefix=last_is_prefix, dialect=dialect)


def fts_match(session: Session, text: str | None) -> str | None:
    """:func:`fts_query` for searching the session's library: the last word is matched exactly
    when the index holds no longer word starting with it (it matches the same papers, with the
    same bm25 scores, but FTS5 reads a prefix by first merging the lists of every word it
    starts: ~1.7 ms more per statement over a word in 40% of papers).

    Only a word of ASCII letters and digits is looked up, since its indexed form (unicode61:
    lower case) is known exactly; any other stays a prefix.
    """
    words = _search_words(text)
    dialect = session.get_bind().dialect.name
    if not words or dialect != "sqlite":
        return fts_query(text, dialect=dialect)
    return fts_query(text, last_is_prefix=_starts_longer_words(session, words[-1]))


def _starts_longer_words(session: Session, word: str) -> bool:
    """Whether the full-text index may hold a word longer than ``word`` that starts with it
    (True, the safe answer, for a word whose indexed form is not known)."""
    if not _PLAIN.fullmatch(word):
        return True
    word = word.lower()
    term = PAPER_FTS_TERMS.c.term
    # The smallest string after the word itself is the word and a NUL: "term > word" would
    # have fts5vocab visit every occurrence of the word before reaching the next one.
    longer = sa.select(term).where(term >= word + "\x00", term < word[:-1] + chr(ord(word[-1]) + 1))
    return run(session, longer.limit(1)).first() is not None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def area_id_of(session: Session, text: str) -> int:
    """The area an id ("12") or a path ("A/B") names; NotFound when none does."""
    if not text.strip().isdigit():
        return find_area_path(session, text).id or 0
    if int(text) > MAX_ID:
        raise InvalidInput(f"no area can have the id {text.strip()}", field="area")
    return get_area(session, int(text)).id or 0


def chosen_areas(session: Session, query: PaperFilter) -> list[int]:
    """The ids of the areas the query names (by id, path, or either), each once."""
    chosen: list[int] = []
    if query.area_id is not None:
        chosen.append(area_id_of(session, str(query.area_id)))
    # Repeated, every area must hold (as repeated tags do).
    chosen.extend(area_id_of(session, text) for text in query.area if text.strip())
    if query.area_path and query.area_path.strip():
        chosen.append(find_area_path(session, query.area_path).id or 0)
    return list(dict.fromkeys(chosen))


def _area_filter(session: Session, area_ids: set[int]) -> Filter:
    """Papers in any of these areas. On SQLite a big part of the tree (say the root of it) is
    read by scanning all placements in paper order, which groups them without a sort; a small
    part (and any part on PostgreSQL, which counts it with ``count(DISTINCT)``, see
    :func:`_count`) through the area index."""
    paper_id = col(PaperArea.paper_id)
    in_areas = col(PaperArea.area_id).in_(area_ids)
    test = sa.exists().where(paper_id == col(Paper.id), in_areas)
    if len(area_ids) == 1:
        return Filter(sa.select(paper_id).where(in_areas), test)
    if session.get_bind().dialect.name != "sqlite":
        return Filter(sa.select(paper_id).where(in_areas), test, unique=False)
    every = run(session, sa.select(sa.func.count()).select_from(Area)).scalar_one()
    if len(area_ids) * 2 > every:
        scanned = unindexed(col(PaperArea.area_id)).in_(area_ids)
        return Filter(sa.select(paper_id).where(scanned).group_by(paper_id), test)
    return Filter(sa.select(paper_id).where(in_areas), test, unique=False)


def id_filters(session: Session, query: PaperFilter) -> list[Filter]:
    """Every filter of the query (all must hold)."""
    paper_id = col(Paper.id)
    found: list[Filter] = []
    for tag in query.tag:
        if not tag.strip():
            continue
        tag_id = sa.select(col(Tag.id)).where(col(Tag.name) == tidy_tag(tag))
        found.append(
            Filter(
                sa.select(col(PaperTag.paper_id)).where(
                    col(PaperTag.tag_id) == tag_id.scalar_subquery()
                ),
                sa.exists().where(
                    col(PaperTag.paper_id) == paper_id,
                    col(PaperTag.tag_id) == tag_id.scalar_subquery(),
                ),
            )
        )
    for area_id in chosen_areas(session, query):
        found.append(_area_filter(session, subtree_ids(session, area_id)))
    members_status = status_condition(session, query.status) if query.status else None
    if members_status is not None:
        found.append(Filter(*members_status))
    elif query.status:
        status = query.status.value
        is_status = col(Paper.status) == status
        # The row test ("+status") must not tempt SQLite away from walking the sort index.
        found.append(
            Filter(sa.select(paper_id).where(is_status), unindexed(col(Paper.status)) == status)
        )
    if query.year_min is not None or query.year_max is not None:
        low = query.year_min if query.year_min is not None else -(10**9)
        high = query.year_max if query.year_max is not None else 10**9
        in_years = col(Paper.year).between(low, high)
        found.append(
            Filter(
                sa.select(paper_id).where(in_years), unindexed(col(Paper.year)).between(low, high)
            )
        )
    if query.author and query.author.strip():
        needle = f"%{_escape_like(' '.join(query.author.split()))}%"
        # The (few thousand) matching people first, then their papers through the index.
        people = sa.select(col(Author.id)).where(col(Author.name).ilike(needle, escape="\\"))
        by_people = _AmongSelected(col(PaperAuthor.author_id), people.scalar_subquery())
        found.append(
            Filter(
                sa.select(col(PaperAuthor.paper_id)).where(by_people),
                sa.exists().where(col(PaperAuthor.paper_id) == paper_id, by_people),
                unique=False,
            )
        )
    if query.has_annotation is not None:
        # Both forms are served by the partial index ix_annotation_written.
        # A literal, not a parameter: only then can SQLite see the partial index applies.
        is_written = sa.text(WRITTEN_ANNOTATION)
        written = sa.select(col(Annotation.paper_id)).where(is_written)
        annotated = sa.exists().where(col(Annotation.paper_id) == paper_id, is_written)
        if query.has_annotation:
            found.append(Filter(written, annotated))
        else:
            found.append(Filter(sa.select(paper_id).where(paper_id.not_in(written)), ~annotated))
    if query.field:
        found.extend(paper_column_filters(session, query.field))
    return found


def selection_tests(
    session: Session, selection: PaperFilter, paper_id: Any
) -> list[sa.ColumnElement[bool]]:
    """The tests that a paper id (``paper_id``, a column) is selected: the search's own
    filters (``id_filters``, ``fts_query``) as id sets, without its paging."""
    tests = [paper_id.in_(f.ids) for f in id_filters(session, selection)]
    dialect = session.get_bind().dialect.name
    match = fts_query(selection.q, dialect=dialect)
    if match:
        matches = (
            sa.select(PAPER_FTS.c.rowid).select_from(PAPER_FTS).where(fts_matches(dialect, match))
        )
        tests.append(paper_id.in_(matches))
    return tests


def _sort_key(session: Session, sort: SortKey) -> Any:
    """What a sort other than relevance orders papers by (NULL: a paper without one)."""
    paper_id = col(Paper.id)
    # A member sorts by their own rating and status (library.reading).
    if sort == SortKey.rating:
        return rating_key(session)
    if sort == SortKey.status:
        return status_key(session)
    if sort == SortKey.tags:
        # The first of a paper's tags as a paper shows them (by name).
        first_tag = sa.select(sa.func.min(col(Tag.name))).join(
            PaperTag, col(PaperTag.tag_id) == col(Tag.id)
        )
        return first_tag.where(col(PaperTag.paper_id) == paper_id).scalar_subquery()
    if sort == SortKey.areas:
        # The first of a paper's areas as a paper shows them (by path): each area's place
        # among the paths, as literals (areas are few).
        paths = area_paths(session)
        if not paths:
            return sa.null()
        ranked = sorted(paths, key=paths.__getitem__)
        place = _place_of(col(PaperArea.area_id), sorted((a, n) for n, a in enumerate(ranked)))
        first_area = sa.select(sa.func.min(place)).where(col(PaperArea.paper_id) == paper_id)
        return first_area.scalar_subquery()
    return SORT_COLUMNS[sort]


def _place_of(column: Any, places: Sequence[tuple[int, int]]) -> Any:
    """``column``'s place among ``places`` ((id, place), by id) as SQL: a CASE of at most 16
    ids under a tree of comparisons, so that a row costs a few comparisons, not one per id
    (2,000 areas: a sort of 100,000 papers by their first area 530 -> 50 ms)."""
    if len(places) <= 16:
        whens: dict[Any, Any] = {a: sa.literal_column(str(n)) for a, n in places}
        return sa.case(whens, value=column)
    middle = len(places) // 2
    below = column < sa.literal_column(str(places[middle][0]))
    return sa.case(
        (below, _place_of(column, places[:middle])), else_=_place_of(column, places[middle:])
    )


def _order(session: Session, sort: SortKey, descending: bool) -> list[Any]:
    """A sort other than relevance (which :func:`_ranked` orders)."""
    key = _sort_key(session, sort)
    paper_id = col(Paper.id)
    # NULLs last both ways (SQLite puts them last going down by itself, PostgreSQL first). A
    # column that holds no NULL goes down plainly: PostgreSQL walks its index backwards only
    # for the order the index has reversed (DESC NULLS FIRST); told NULLS LAST, it sorted the
    # whole library for the newest 50 papers (100,000: 160 ms, now under 1 ms).
    if not descending:
        first = key.asc().nulls_last()
    else:
        first = _NullsLastDown(key) if _nullable(key) else key.desc()
    return [first, paper_id.desc() if descending else paper_id.asc()]


def _nullable(key: Any) -> bool:
    """Whether a sort key may be NULL (anything but a NOT NULL column may)."""
    column = getattr(key, "expression", key)
    return not isinstance(column, sa.Column) or bool(column.nullable)


class _NullsLastDown(FunctionElement[Any]):
    """``column DESC``, NULLs last: SQLite does that by itself (and then walks the index),
    other databases are told ``NULLS LAST``."""

    name = "nulls_last_down"
    inherit_cache = True


@compiles(_NullsLastDown)
def _nulls_last_down(element: _NullsLastDown, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} DESC NULLS LAST"


@compiles(_NullsLastDown, "sqlite")
def _nulls_last_down_sqlite(element: _NullsLastDown, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} DESC"


class _AmongSelected(FunctionElement[Any]):
    """``column IN (SELECT ...)``; on PostgreSQL ``column = ANY (ARRAY(SELECT ...))``: the
    selected ids read once, into an array. As a join, PostgreSQL misjudged how many people an
    ILIKE finds and walked the newest papers testing each one's authors (100,000 papers, the
    7 people called Shah: their newest papers 590 ms, now 35)."""

    name = "among_selected"
    inherit_cache = True


@compiles(_AmongSelected)
def _among_selected(element: _AmongSelected, compiler: SQLCompiler, **kw: Any) -> str:
    column, selected = element.clauses
    return f"{compiler.process(column, **kw)} IN {compiler.process(selected, **kw)}"


@compiles(_AmongSelected, "postgresql")
def _among_selected_pg(element: _AmongSelected, compiler: SQLCompiler, **kw: Any) -> str:
    column, selected = element.clauses
    return f"{compiler.process(column, **kw)} = ANY (ARRAY{compiler.process(selected, **kw)})"


def _count(session: Session, filters: list[Filter]) -> int:
    """How many papers pass every filter (an intersection of id sets, duplicates dropped)."""
    dialect = session.get_bind().dialect.name
    if not filters:
        stmt = sa.select(sa.func.count()).select_from(Paper)
    elif len(filters) > 1 and dialect == "postgresql":
        # PostgreSQL counts the papers passing every filter's test (index bitmaps ANDed,
        # semi-joins) far faster than it intersects their sets (100,000 papers: status 'read'
        # and 2010-2012 250 -> 16 ms).
        stmt = sa.select(sa.func.count()).select_from(Paper).where(*[f.test for f in filters])
    elif len(filters) == 1 and not filters[0].unique and dialect == "postgresql":
        # PostgreSQL: count(DISTINCT) sorts the ids in memory; grouping them (a subquery's
        # DISTINCT or GROUP BY) hashed them and spilled to disk (the root area's subtree at
        # 100,000 papers: 168 -> 49 ms on a busy machine).
        ids = filters[0].ids
        stmt = ids.with_only_columns(sa.func.count(sa.distinct(ids.selected_columns[0])))
    elif len(filters) == 1:
        only = filters[0]
        ids = only.ids if only.unique else only.ids.distinct()
        stmt = sa.select(sa.func.count()).select_from(ids.subquery())
    elif any(f.probe is None for f in filters) and any(f.probe for f in filters):
        # One set read from its index (say a status), each id probed by key in the others
        # (say a column's values): no temporary table of each set as an INTERSECT builds.
        driver = next(f for f in filters if f.probe is None)
        driven = (driver.ids if driver.unique else driver.ids.distinct()).subquery()
        paper_id = driven.c[0]
        probes = [
            f.probe(paper_id) if f.probe else paper_id.in_(f.ids)
            for f in filters
            if f is not driver
        ]
        stmt = sa.select(sa.func.count()).select_from(driven).where(*probes)
    else:
        both = sa.intersect(*[f.ids for f in filters])
        stmt = sa.select(sa.func.count()).select_from(both.subquery())
    return int(run(session, stmt).scalar_one())


def _search_fts(
    session: Session,
    match: str,
    filters: list[Filter],
    sort: SortKey,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[int], int]:
    dialect = session.get_bind().dialect.name
    matched = fts_matches(dialect, match)
    fts_id = PAPER_FTS.c.rowid
    if sort == SortKey.relevance:
        score = fts_score(dialect, match)
        with matches_through_the_index(session):
            return _ranked(session, matched, score, filters, descending, limit, offset)
    count = sa.select(sa.func.count()).select_from(PAPER_FTS).where(matched, *_in_sets(filters))
    with matches_through_the_index(session):
        total = int(run(session, count).scalar_one())
    if limit == 0 or offset >= total:
        return [], total
    # Walk the sort key's index, keeping ids in the match set, until the page is full.
    matches = sa.select(fts_id).select_from(PAPER_FTS).where(matched)
    paper_id = unindexed(col(Paper.id))
    stmt = (
        sa.select(col(Paper.id))
        .where(paper_id.in_(matches), *[paper_id.in_(f.ids) for f in filters])
        .order_by(*_order(session, sort, descending))
        .limit(limit)
        .offset(offset)
    )
    return [row[0] for row in run(session, stmt)], total


def _fts_filter(session: Session, match: str) -> Filter:
    """The papers matching a full-text query, as a filter."""
    matched = fts_matches(session.get_bind().dialect.name, match)
    ids = sa.select(PAPER_FTS.c.rowid).select_from(PAPER_FTS).where(matched)
    return Filter(ids, unindexed(col(Paper.id)).in_(ids))


def _in_sets(filters: list[Filter]) -> list[Any]:
    """Each filter as a membership test of the match's id."""
    # "+rowid": a membership test on each match. A bare "rowid IN (...)" is handed to FTS5,
    # which then runs the whole MATCH again for every id in the set.
    fts_id = unindexed(PAPER_FTS.c.rowid)
    return [fts_id.in_(f.ids) for f in filters]


def _ranked(
    session: Session,
    matched: sa.ColumnElement[bool],
    score: sa.ColumnElement[Any],
    filters: list[Filter],
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[int], int]:
    """Relevance order: bm25 over the matches that pass the filters, best first (unless not
    ``descending``), ties by id."""
    in_sets = _in_sets(filters)
    dialect = session.get_bind().dialect.name
    if in_sets or ranks_with_total(dialect):
        # One pass over the matches gives the page and (as a window count) the total.
        # Ranking the best: the page's end; the worst first: every match.
        wanted = offset + limit if descending else None
        page = _scored(
            matched, score, in_sets, descending, limit, dialect, total=True, wanted=wanted
        )
        rows = run(session, page.offset(offset)).all()
        if rows:
            return [row.id for row in rows], int(rows[0].total)
    else:
        page = _scored(matched, score, [], descending, limit).offset(offset)
        ids = [row.id for row in run(session, page)]
        # A page that is not full tells the total: no count of the matches.
        if 0 < len(ids) < limit or (not ids and offset == 0 and limit > 0):
            return ids, offset + len(ids)
        if ids:
            return ids, _count_matches(session, matched)
    return [], _count_matches(session, matched, in_sets)


def _count_matches(
    session: Session, matched: sa.ColumnElement[bool], in_sets: Sequence[Any] = ()
) -> int:
    count = sa.select(sa.func.count()).select_from(PAPER_FTS).where(matched, *in_sets)
    return int(run(session, count).scalar_one())


def _scored(
    matched: sa.ColumnElement[bool],
    score: sa.ColumnElement[Any],
    in_sets: list[Any],
    descending: bool,
    limit: int,
    dialect: str = "sqlite",
    *,
    total: bool = False,
    wanted: int | None = None,
) -> sa.Select[Any]:
    """The best ``limit`` matches passing the filters: ``id`` and ``score``, and,
    when there are filters or ``total`` is asked, ``total``: how many matches pass them
    (for a page ending at the ``wanted``-th, None: the worst first; see
    ``fts.ranked_with_total``)."""
    fts_id = PAPER_FTS.c.rowid
    order: list[Any]
    if not in_sets and not total:
        stmt = sa.select(fts_id.label("id"), score.label("score")).select_from(PAPER_FTS)
        order = [score, fts_id]
        return stmt.where(matched).order_by(*_direction(order, descending)).limit(limit)
    passing = sa.select().select_from(PAPER_FTS).where(matched, *in_sets)
    ranked = ranked_with_total(dialect, passing, score, wanted)
    order = [ranked.selected_columns.score, ranked.selected_columns.id]
    return ranked.order_by(*_direction(order, descending)).limit(limit)


def _direction(order: list[Any], descending: bool) -> list[Any]:
    # Relevance "descending" is the best first: the lowest bm25 score.
    return [c.asc() for c in order] if descending else [c.desc() for c in order]


def search_paper_ids(
    session: Session,
    query: PaperQuery,
    *,
    time_limit_ms: float | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[list[int], int]:
    """Ids of one page of matching papers, in order, and the total number of matches.

    ``time_limit_ms``: a full-text search still running after that long stops with
    :class:`~litreview.errors.SearchTooBroad` (None: no limit). ``cancelled``: any search
    stops with :class:`~litreview.errors.ClientGone` once it answers True.
    """
    match = fts_match(session, query.q)
    limit = time_limit_ms if match else None
    if limit and match and _short_prefix(query.q, match):
        # FTS5 merges the lists of every word the prefix starts inside one step of SQLite,
        # which no time limit interrupts (0.2 s for "th" at 100,000 papers): in a large
        # library the search is not run at all.
        if _papers_over(session, BROAD_LIBRARY):
            raise too_broad(SHORT_PREFIX_LIMIT_MS, ran=False)
        limit = min(limit, SHORT_PREFIX_LIMIT_MS)
    elif (
        limit
        and match
        and _short_prefix(query.q, match, BROAD_PREFIX)
        and _papers_over(session, BROAD_LIBRARY)
        and _prefix_papers_over(session, _search_words(query.q)[-1], BROAD_PREFIX_PAPERS)
    ):
        # A longer prefix: its words' papers, counted before running it ("the": at once).
        raise too_broad(limit, ran=False)
    with time_limit(session, limit, cancelled=cancelled):
        return _search_ids(session, query, match or None)


def _papers_over(session: Session, count: int) -> bool:
    """Whether the library has (about: ids are not reused) more than ``count`` papers."""
    highest = run(session, sa.select(sa.func.max(col(Paper.id)))).scalar()
    return highest is not None and highest > count


def _prefix_papers_over(session: Session, word: str, count: int) -> bool:
    """Whether the words that ``word`` starts are held by more than ``count`` papers in all
    (each word's papers counted, the sum stopping once over). SQLite only; False for a word
    whose indexed form is not known."""
    if session.get_bind().dialect.name != "sqlite" or not _PLAIN.fullmatch(word):
        return False
    word = word.lower()
    term = PAPER_FTS_ROWS.c.term
    words = sa.select(PAPER_FTS_ROWS.c.doc).where(
        term >= word, term < word[:-1] + chr(ord(word[-1]) + 1)
    )
    seen = 0
    for (papers,) in run(session, words):
        seen += int(papers)
        if seen > count:
            return True
    return False


def _short_prefix(text: str | None, match: str, letters: int = SHORT_PREFIX) -> bool:
    """Whether the last word typed has at most ``letters`` letters and is searched as a
    prefix (``match`` ends with the prefix mark: ``"th"*``, ``'th':*``)."""
    words = _search_words(text)
    return match.endswith("*") and bool(words) and len(words[-1]) <= letters


def _search_ids(session: Session, query: PaperQuery, match: str | None) -> tuple[list[int], int]:
    filters = id_filters(session, query)
    sort = query.sort or (SortKey.relevance if match else SortKey.added)
    if sort == SortKey.relevance and not match:
        sort = SortKey.added
    descending = (
        sort in DESCENDING_BY_DEFAULT if query.order is None else query.order == SortOrder.desc
    )
    limit = max(0, min(query.limit, MAX_LIMIT))
    offset = max(0, query.offset)
    if match and not query.sort_field:
        return _search_fts(session, match, filters, sort, descending, limit, offset)
    if match:
        # Sorted by a column of one's own: the matches are one more filter.
        filters.append(_fts_filter(session, match))
    total = _count(session, filters)
    if limit == 0 or offset >= total:
        return [], total
    if query.sort_field:
        small = total <= SMALL_RESULT
        ids = page_by_column(
            session,
            query.sort_field,
            query.order == SortOrder.desc,  # a column sorts up unless told
            filters,
            total,
            small,
            limit,
            offset,
        )
        return ids, total
    if sort == SortKey.tags and total > SMALL_RESULT:
        return _page_by_first_tag(session, filters, descending, limit, offset), total
    page = sa.select(col(Paper.id))
    if total <= SMALL_RESULT:
        # Few papers: read them through their id sets and sort them.
        page = page.where(*[col(Paper.id).in_(f.ids) for f in filters])
    else:
        # Many: walk the sort key's index, testing each paper, until the page is full.
        page = page.where(*[f.test for f in filters])
    page = page.order_by(*_order(session, sort, descending)).limit(limit).offset(offset)
    return [row[0] for row in run(session, page)], total


def _page_by_first_tag(
    session: Session, filters: list[Filter], descending: bool, limit: int, offset: int
) -> list[int]:
    """One page of many papers sorted by tags: the tags walked by name and each tag's papers
    by id, a paper kept at its first tag and tested against the filters, until the page is
    full; then the papers without a tag, by id (the order of :func:`_sort_key`, which sorting
    every paper by its first tag would cost: 100 ms at 100,000 papers, against 3 ms)."""
    other, other_tag = aliased(PaperTag), aliased(Tag)
    paper_id = col(PaperTag.paper_id)
    one: sa.ColumnElement[Any] = sa.literal_column("1")
    earlier = sa.exists(
        sa.select(one)
        .select_from(other)
        .join(other_tag, col(other_tag.id) == col(other.tag_id))
        .where(col(other.paper_id) == paper_id, col(other_tag.name) < col(Tag.name))
    )
    # "+paper_id IN (...)": a test of each paper walked, never a reason to walk another way.
    tagged = (
        sa.select(paper_id)
        .select_from(Tag)
        .join(PaperTag, col(PaperTag.tag_id) == col(Tag.id))
        .where(~earlier, *[unindexed(paper_id).in_(f.ids) for f in filters])
    )
    name = col(Tag.name)
    order: list[Any] = (
        [name.desc(), paper_id.desc()] if descending else [name.asc(), paper_id.asc()]
    )
    rows = run(session, tagged.order_by(*order).limit(limit).offset(offset))
    page: list[int] = [row[0] for row in rows]
    if len(page) >= limit:
        return page
    count = sa.select(sa.func.count()).select_from(tagged.subquery())
    with_tag = int(run(session, count).scalar_one())
    untagged = ~sa.exists().where(col(PaperTag.paper_id) == col(Paper.id))
    by_id = col(Paper.id).desc() if descending else col(Paper.id).asc()
    rest = (
        sa.select(col(Paper.id))
        .where(untagged, *[f.test for f in filters])
        .order_by(by_id)
        .limit(limit - len(page))
        .offset(max(0, offset - with_tag))
    )
    return page + [row[0] for row in run(session, rest)]
