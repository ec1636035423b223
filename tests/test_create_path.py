"""A paper made by hand (or a few imported): stored in few statements, indexed by the
full-text triggers as its rows are written, and answered as it was stored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.papers import import_records
from litreview.library.search import search_paper_ids
from litreview.models import SourceKind
from litreview.query import PaperQuery
from tests.api_helpers import statements_run


def _index_rows(session: Session) -> list[tuple[object, ...]]:
    rows = session.connection().exec_driver_sql(
        "SELECT rowid, title, abstract, authors, annotation FROM paper_fts ORDER BY rowid"
    )
    return [tuple(row) for row in rows]


def _view_rows(session: Session) -> list[tuple[object, ...]]:
    rows = session.connection().exec_driver_sql(
        "SELECT id, title, abstract, authors, annotation FROM paper_fts_text ORDER BY id"
    )
    return [tuple(row) for row in rows]


def _record(n: int, annotation: str | None) -> PaperRecord:
    return PaperRecord(
        title=f"Quokka behaviour study {n}",
        source=SourceKind.manual,
        abstract="Marsupials in the wild" if n % 2 else None,
        authors=[AuthorRecord(name="Ann Smith", family="Smith", given="Ann")],
        year=2020,
        tags=["field"],
        annotation=annotation,
    )


def test_a_few_papers_are_indexed_as_a_large_import_indexes_them(session: Session) -> None:
    few = import_records(session, [_record(1, "Wombats too"), _record(2, None)])
    many = import_records(session, [_record(n, f"Note {n}") for n in range(3, 30)])
    session.commit()
    assert {o.status.value for o in (*few.outcomes, *many.outcomes)} == {"added"}
    # One index row a paper, the same text whether the triggers (a few papers) or the paused
    # bulk statement (many) wrote it: what the view paper_fts_text gives.
    assert _index_rows(session) == _view_rows(session)
    ids, total = search_paper_ids(session, PaperQuery(q="wombats"))
    assert total == 1 and ids == [few.paper_ids()[0]]
    assert search_paper_ids(session, PaperQuery(q="smith quokka"))[1] == 29


def test_a_paper_made_by_hand_is_stored_and_answered_in_few_statements(
    client: TestClient,
) -> None:
    with statements_run(client) as statements:
        made = client.post(
            "/api/papers",
            json={"title": "Quokka census", "authors": ["Ann Smith"], "year": 2021},
        )
    assert made.status_code == 201, made.text
    assert made.headers["content-type"] == "application/json"
    body = made.json()
    assert body["title"] == "Quokka census" and body["version"] == 1
    assert [a["family"] for a in body["authors"]] == ["Smith"]
    found = client.get("/api/papers", params={"q": "quokka census"}).json()
    assert [p["id"] for p in found["items"]] == [body["id"]]
    writes = [s for s in statements if s.split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    # The paper, its (new) author and their link, its provenance: no pause of the index
    # around them (the insert's trigger indexes the paper).
    tables = [w.split()[2] for w in writes]
    assert tables == ["paper", "author", "paper_author", "provenance"], writes
    # The member check's read takes no write lock; the create's transaction takes it once.
    assert statements.count("BEGIN IMMEDIATE") == 1, statements
    # (24 before the member check read without the lock and the index needed no pause.)
    assert len(statements) <= 18, statements
