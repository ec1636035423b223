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


class AuthorIds:
    """Author ids by name key, remembered across the batches of one import."""

    def __init__(self) -> None:
        self.key_of: dict[tuple[str, str], str] = {}
        self.id_of: dict[str, int] = {}

    def key(self, person: AuthorRecord) -> str:
        pair = (person.family, person.given)
        key = self.key_of.get(pair)
        if key is None:
            key = self.key_of[pair] = PersonName(person.family, person.given).key
        return key

    def resolve(self, session: Session, people: Iterable[AuthorRecord]) -> None:
        """Know the id of every person, creating the authors not stored yet."""
        wanted: dict[str, AuthorRecord] = {}
        for person in people:
            key = self.key(person)
            if key not in self.id_of:
                wanted.setdefault(key, person)
        if not wanted:
            return
        found = self.id_of
        stmt = sa.select(col(Author.name_key), col(Author.id)).where(
            col(Author.name_key).in_(sa.bindparam("keys", expanding=True))
        )
        for chunk in chunks(sorted(wanted)):
            found.update({k: i for k, i in session.execute(stmt, {"keys": list(chunk)})})
        missing = [
            {"name_key": k, "name": a.name[:300], "family": a.family[:200], "given": a.given[:200]}
            for k, a in wanted.items()
            if k not in found
        ]
        table = Author.__table__  # type: ignore[attr-defined]
        found.update(insert_and_read_ids(session, Author, missing, table.c.name_key, table.c.id))


def insert_people(
    session: Session, papers: list[tuple[int, PaperRecord]], known: AuthorIds | None = None
) -> None:
    """Link each paper to its authors and editors, in order (``known`` carries ids over)."""
    known = known or AuthorIds()
    known.resolve(session, (a for _, r in papers for a in (*r.authors, *r.editors)))
    key, ids = known.key, known.id_of
    rows = []
    for paper_id, record in papers:
        for role, people in (
            (AuthorRole.author.value, record.authors),
            (AuthorRole.editor.value, record.editors),
        ):
            for position, person in enumerate(people):
                rows.append(
                    {
                        "paper_id": paper_id,
                        "role": role,
                        "position": position,
                        "author_id": ids[key(person)],
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
