"""Authors and editors of papers: shared author rows, ordered links, display names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.bulk import bulk_insert, chunks, insert_and_read_ids
from litreview.models import (
    Author,
    AuthorRole,
    Paper,
    PaperAuthor,
    SourceKind,
)
from litreview.normalize import (
    PersonName,
)


def author_names(authors: Iterable[AuthorRecord]) -> str:
    """The denormalised author list kept on the paper for display and full-text search."""
    return "; ".join(a.name for a in authors)


def author_name_keys(people: Iterable[AuthorRecord]) -> dict[tuple[str, str], str]:
    """Each distinct (family, given) and its author name key, folded once."""
    keys: dict[tuple[str, str], str] = {}
    for person in people:
        pair = (person.family, person.given)
        if pair not in keys:
            keys[pair] = PersonName(person.family, person.given).key
    return keys


def author_ids(
    session: Session, people: Iterable[AuthorRecord], name_keys: dict[tuple[str, str], str]
) -> dict[str, int]:
    """Author ids by name key, creating the authors not stored yet."""
    wanted: dict[str, AuthorRecord] = {}
    for person in people:
        wanted.setdefault(name_keys[(person.family, person.given)], person)
    found: dict[str, int] = {}
    for chunk in chunks(sorted(wanted)):
        rows = session.execute(
            sa.select(col(Author.name_key), col(Author.id)).where(col(Author.name_key).in_(chunk))
        )
        found.update({k: i for k, i in rows})
    missing = [
        {"name_key": k, "name": a.name[:300], "family": a.family[:200], "given": a.given[:200]}
        for k, a in wanted.items()
        if k not in found
    ]
    table = Author.__table__  # type: ignore[attr-defined]
    found.update(insert_and_read_ids(session, Author, missing, table.c.name_key, table.c.id))
    return found


def insert_people(session: Session, papers: list[tuple[int, PaperRecord]]) -> None:
    everyone = [a for _, r in papers for a in (*r.authors, *r.editors)]
    name_keys = author_name_keys(everyone)
    ids = author_ids(session, everyone, name_keys)
    rows = []
    for paper_id, record in papers:
        for role, people in (
            (AuthorRole.author, record.authors),
            (AuthorRole.editor, record.editors),
        ):
            for position, person in enumerate(people):
                rows.append(
                    {
                        "paper_id": paper_id,
                        "role": role.value,
                        "position": position,
                        "author_id": ids[name_keys[(person.family, person.given)]],
                        "affiliation": person.affiliation,
                    }
                )
    bulk_insert(session, PaperAuthor, rows)


def replace_people(
    session: Session, paper: Paper, role: AuthorRole, people: Sequence[AuthorRecord]
) -> None:
    """Set a paper's authors (or editors) to ``people``, in order."""
    assert paper.id is not None
    session.execute(
        sa.delete(PaperAuthor).where(
            col(PaperAuthor.paper_id) == paper.id, col(PaperAuthor.role) == role
        )
    )
    record = PaperRecord(title=paper.title, source=SourceKind.manual)
    if role == AuthorRole.author:
        record.authors = list(people)
        paper.author_names = author_names(people)
    else:
        record.editors = list(people)
    insert_people(session, [(paper.id, record)])


def has_people(session: Session, paper_id: int, role: AuthorRole) -> bool:
    stmt = sa.select(sa.func.count()).where(
        col(PaperAuthor.paper_id) == paper_id, col(PaperAuthor.role) == role
    )
    return bool(session.execute(stmt).scalar_one())
