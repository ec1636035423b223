"""New citation keys: a clash gets the next free letter suffix, found by looking up only the
keys that could clash (``key = base OR key GLOB base || '[a-z]*'``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.identity import KeyAllocator
from litreview.library.papers import create_paper, import_records
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
    assert create_paper(session, _record("smith2020", "New one")).key == "smith2020c"
    assert create_paper(session, _record("x*y", "Starry")).key == "x*ya"
    # GLOB's wildcards in a key are literal: "x*" does not see "xay" or "x*y" as clashes.
    assert create_paper(session, _record("x*", "Starry prefix")).key == "x*"
    assert create_paper(session, _record("smith2020", "Another")).key == "smith2020d"


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
    finally:
        sa.event.remove(engine, "before_cursor_execute", watch)
    # The key among the keys and aliases, then (it is taken) the key with letters added among
    # both, a statement each; nothing read again for the second.
    assert len(read) == 2, read
    assert [" IN (" in sql for sql in read] == [True, False], read
    assert all("paper_alias" in sql for sql in read), read
    assert read[1].count("GLOB") == 2, read
