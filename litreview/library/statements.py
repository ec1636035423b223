"""The pieces a search's statements are made of, shared by the paper query
(``library/search.py``) and the filters and sorts by columns of one's own
(``library/column_query.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session


def run(session: Session, stmt: sa.Executable) -> sa.CursorResult[Any]:
    """A Core statement run on the session's connection: not through the ORM's execute, which
    costs ~0.1 ms more a statement (a page and its total take two or three). What the session
    holds unwritten is flushed first, as its execute would."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(stmt)


@dataclass
class Filter:
    """One filter, two ways: the set of ids it lets through, and a test of one paper row.

    ``unique``: the set never names a paper twice (so it can be counted without DISTINCT).
    ``probe``: the test of any paper id (not a paper row), read by an index key; a count of
    several filters is driven by a set without one and probes the others.
    """

    ids: sa.Select[Any]
    test: sa.ColumnElement[bool]
    unique: bool = True
    probe: Callable[[Any], sa.ColumnElement[bool]] | None = None


class _Unindexed(FunctionElement[Any]):
    """The same value, but SQLite will not drive the loop by an index on it (``+column``)."""

    name = "unindexed"
    inherit_cache = True


@compiles(_Unindexed)
def _unindexed(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


def unindexed(column: Any) -> Any:
    """``+column`` on SQLite: the same value, but not a reason to use an index on it."""
    return sa.type_coerce(_Unindexed(column), column.type)
