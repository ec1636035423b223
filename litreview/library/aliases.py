"""Aliases: citation keys of a paper besides its own (keys of entries merged into it).

An alias is found by key lookup and written as ``ids = {...}`` in a BibTeX export, so a
``\\cite{}`` of an absorbed key keeps working. A key is either a paper's or one alias, never both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.library.bulk import chunks
from litreview.models import Paper, PaperAlias


def key_in_use(session: Session, key: str) -> bool:
    """Whether ``key`` is a paper's key or an alias."""
    for column in (col(Paper.key), col(PaperAlias.key)):
        if session.execute(sa.select(column).where(column == key)).first() is not None:
            return True
    return False


_KEYS: sa.BindParameter[list[str]] = sa.bindparam("keys", expanding=True)
_OWNERS_OF: sa.CompoundSelect[str, int] = sa.union_all(
    sa.select(col(Paper.key), col(Paper.id)).where(col(Paper.key).in_(_KEYS)),
    sa.select(col(PaperAlias.key), col(PaperAlias.paper_id)).where(col(PaperAlias.key).in_(_KEYS)),
)


def owners_of_keys(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The paper each of these keys is the key or an alias of (keys no paper has are left
    out), a statement per 500 keys."""
    owners: dict[str, int] = {}
    for chunk in chunks(sorted(set(keys))):
        for key, paper_id in session.execute(_OWNERS_OF, {"keys": list(chunk)}):
            owners[key] = paper_id
    return owners


def clash_note(keys: Sequence[str]) -> str:
    """What an import says of other keys of an entry it could not keep as aliases."""
    names = ", ".join(repr(k) for k in keys)
    return (
        f"alias {names} not kept: already the key of another paper"
        if len(keys) == 1
        else (f"aliases {names} not kept: already keys of other papers")
    )


def add_aliases(session: Session, paper_id: int, keys: Iterable[str]) -> list[str]:
    """Keep ``keys`` as aliases of the paper; the keys already in use are skipped (returned)."""
    skipped = []
    for key in dict.fromkeys(k.strip() for k in keys if k and k.strip()):
        if key_in_use(session, key):
            skipped.append(key)
            continue
        session.add(PaperAlias(key=key[:200], paper_id=paper_id))
    session.flush()
    return skipped


def move_aliases(session: Session, from_id: int, to_id: int) -> None:
    """Give a paper's aliases to another (before the first is deleted)."""
    session.execute(
        sa.update(PaperAlias).where(col(PaperAlias.paper_id) == from_id).values(paper_id=to_id)
    )


def paper_id_of_alias(session: Session, key: str) -> int | None:
    stmt = sa.select(col(PaperAlias.paper_id)).where(col(PaperAlias.key) == key)
    return session.execute(stmt).scalar()


_ALIASES_OF = (
    sa.select(col(PaperAlias.paper_id), col(PaperAlias.key))
    .where(col(PaperAlias.paper_id).in_(sa.bindparam("ids", expanding=True)))
    .order_by(col(PaperAlias.key))
)


def aliases_of(session: Session, paper_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each paper's aliases, sorted (papers without any are left out)."""
    found: dict[int, list[str]] = {}
    connection = session.connection()
    for chunk in chunks(sorted(set(paper_ids))):
        for paper_id, key in connection.execute(_ALIASES_OF, {"ids": list(chunk)}):
            found.setdefault(paper_id, []).append(key)
    return found


def all_alias_keys(session: Session) -> set[str]:
    return set(session.execute(sa.select(col(PaperAlias.key))).scalars())
