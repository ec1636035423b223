"""New citation keys: a clash gets the next free letter suffix, found by looking up only the
keys that could clash (``key = base OR key GLOB base || '[a-z]*'``, one statement for a paper
made by hand)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.identity import KeyAllocator
from litreview.library.papers import create_paper, import_records
from litreview.library.papers_base import get_paper
from litreview.models import SourceKind


def _record(key: str | None, title: str) -> PaperRecord:
    return PaperRecord(
        key=key,
        title=title,
        year=2020,
        authors=[AuthorRecord(name="Ann Smith", family="Smith", given="Ann")],
        source=SourceKind.manual,
    )


def test_a_clashing_key_gets_the_next_free_suffix(session: Session) -> None:
    stored = ["smith2020", "smith2020a", "smith2020b", "x*y", "xay", "smith2020zz9"]
    import_records(session, [_record(k, f"Stored {n}") for n, k in enumerate(stored)])
    session.commit()

    def key_of_new(key: str, title: str) -> str:
        return get_paper(session, create_paper(session, _record(key, title))).key

    assert key_of_new("smith2020", "New one") == "smith2020c"
    assert key_of_new("x*y", "Starry") == "x*ya"
    # GLOB's wildcards in a key are literal: "x*" does not see "xay" or "x*y" as clashes.
    assert key_of_new("x*", "Starry prefix") == "x*"
    assert key_of_new("smith2020", "Another") == "smith2020d"


def test_only_the_candidates_are_read(session: Session) -> None:
    import_records(session, [_record(f"key{n}", f"Paper {n}") for n in range(50)])
    session.commit()
    read: list[str] = []
    engine = session.get_bind()
    assert isinstance(engine, sa.Engine)

    def watch(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        read.append(sql)

    sa.event.listen(engine, "before_cursor_execute", watch)
    try:
        keys = KeyAllocator(session)
        assert keys.allocate(_record("key1", "x"))[0] == "key1a"
        assert keys.allocate(_record("key1", "y"))[0] == "key1b"  # no second lookup
        made_by_hand = list(read)
        read.clear()
        # An import's batch: its keys looked up at once, then the lettered forms of a taken one.
        keys = KeyAllocator(session)
        keys.look_up(["key2", "key3", "free"])
        assert keys.allocate(_record("free", "z"))[0] == "free"
        assert keys.allocate(_record("key2", "z"))[0] == "key2a"
        batch = list(read)
    finally:
        sa.event.remove(engine, "before_cursor_execute", watch)
    # A key not looked up before: it and its lettered forms among the keys and aliases, one
    # statement; nothing read again for the second.
    assert len(made_by_hand) == 1, made_by_hand
    assert made_by_hand[0].count("GLOB") == 2 and " IN (" not in made_by_hand[0], made_by_hand
    assert "paper_alias" in made_by_hand[0], made_by_hand
    # The batch's keys in one statement, then only the taken one's lettered forms.
    assert [" IN (" in sql for sql in batch] == [True, False], batch
    assert all("paper_alias" in sql for sql in batch), batch
    assert batch[1].count("GLOB") == 2, batch
