"""Authors and editors of papers: shared author rows, ordered links, display names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.bulk import FEW_WANTED, chunks, hold_all, insert_and_read_ids, insert_columns
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


def person_key(person: AuthorRecord) -> str:
    """The author row a person is (two spellings of one name share it)."""
    return PersonName(person.family, person.given).key


# The ids of the authors with these name keys (built once: building it cost more than running
# it for a paper's few authors).
_AUTHOR_IDS = sa.select(col(Author.name_key), col(Author.id)).where(
    col(Author.name_key).in_(sa.bindparam("keys", expanding=True))
)


class AuthorIds:
    """Author ids by name key, remembered across the batches of one import."""

    def __init__(self) -> None:
        self.key_of: dict[tuple[str, str], str] = {}
        self.id_of: dict[str, int] = {}
        # Whether id_of holds every stored author (then a key not in it is a new author).
        self.complete = False
        self.checked = False

    def key(self, person: AuthorRecord) -> str:
        pair = (person.family, person.given)
        key = self.key_of.get(pair)
        if key is None:
            key = self.key_of[pair] = person_key(person)
        return key

    def resolve(
        self, session: Session, keys: Iterable[str], people: Iterable[AuthorRecord]
    ) -> None:
        """Know the id of every person (``keys``: their name keys, in the same order), creating
        the authors not stored yet."""
        wanted: dict[str, AuthorRecord] = {}
        found = self.id_of
        for key, person in zip(keys, people, strict=True):
            if key not in found and key not in wanted:
                wanted[key] = person
        if not wanted:
            return
        connection = session.connection()
        if not self.checked and len(wanted) >= FEW_WANTED:
            self._load_all_if_few(connection, len(wanted))
        if not self.complete:
            for chunk in chunks(sorted(wanted)):
                rows = connection.execute(_AUTHOR_IDS, {"keys": list(chunk)})
                found.update((k, i) for k, i in rows if i is not None)
        missing = [k for k in wanted if k not in found]
        people = [wanted[k] for k in missing]
        # Column by column (a tuple a person would hold a record each: an object to collect).
        columns = {
            "name_key": missing,
            "name": [a.name[:300] for a in people],
            "family": [a.family[:200] for a in people],
            "given": [a.given[:200] for a in people],
        }
        table = Author.__table__  # type: ignore[attr-defined]
        found.update(insert_and_read_ids(session, Author, columns, table.c.name_key, table.c.id))

    def _load_all_if_few(self, connection: sa.Connection, wanted: int) -> None:
        """Read every author at once when there are few (a first import into a new library)."""
        self.checked = True
        stored = connection.execute(sa.select(sa.func.count()).select_from(Author)).scalar_one()
        if hold_all(stored, wanted):
            rows = connection.execute(sa.select(col(Author.name_key), col(Author.id)))
            self.id_of.update((k, i) for k, i in rows if i is not None)
            self.complete = True


def insert_people(
    session: Session,
    paper_ids: Sequence[int],
    records: Sequence[PaperRecord],
    known: AuthorIds | None = None,
    keys: Sequence[Sequence[str]] | None = None,
) -> None:
    """Link each paper to its record's authors and editors, in order (``known`` carries ids
    over; ``keys``: each paper's people's name keys, authors then editors, when already made)."""
    known = known or AuthorIds()
    if keys is None:
        keys = [[known.key(a) for a in (*r.authors, *r.editors)] for r in records]
    known.resolve(
        session,
        (key for row in keys for key in row),
        (person for r in records for people in (r.authors, r.editors) for person in people),
    )
    ids = known.id_of
    author, editor = AuthorRole.author.value, AuthorRole.editor.value
    # The links column by column: no tuple (or iterator) a link, of which an import makes many.
    linked: list[int] = []
    roles: list[str] = []
    positions: list[int] = []
    author_ids: list[int] = []
    affiliations: list[str | None] = []
    for paper_id, record, names in zip(paper_ids, records, keys, strict=True):
        count = len(names)
        if not count:
            continue
        authors = len(record.authors)
        linked += [paper_id] * count
        roles += [author] * authors + [editor] * (count - authors)
        positions += [*range(authors), *range(count - authors)]
        author_ids += [ids[name] for name in names]
        affiliations += [p.affiliation for p in record.authors]
        affiliations += [p.affiliation for p in record.editors]
    if not linked:
        return
    columns: dict[str, list[Any]] = {
        "paper_id": linked,
        "role": roles,
        "position": positions,
        "author_id": author_ids,
        "affiliation": affiliations,
    }
    insert_columns(session, PaperAuthor, columns)


def replace_people(
    session: Session,
    paper: Paper,
    role: AuthorRole,
    people: Sequence[AuthorRecord],
    known: AuthorIds | None = None,
) -> None:
    """Set a paper's authors (or editors) to ``people``, in order.

    An import passes its :class:`AuthorIds`, so that an author first stored here is known to
    its later batches (a second one would insert the same name key again).
    """
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
    insert_people(session, [paper.id], [record], known)


def has_people(session: Session, paper_id: int, role: AuthorRole) -> bool:
    stmt = sa.select(sa.func.count()).where(
        col(PaperAuthor.paper_id) == paper_id, col(PaperAuthor.role) == role
    )
    return bool(session.execute(stmt).scalar_one())
