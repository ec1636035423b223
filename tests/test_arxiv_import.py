"""Adding papers by arXiv id through the library, the API and the CLI; refresh; merge rule."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from arxiv_server import FakeArxiv, Fault, fixture_entries, with_version
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from litreview.app import create_app
from litreview.cli import app as cli_app
from litreview.config import Settings
from litreview.errors import InvalidInput
from litreview.importers.arxiv_fetch import ArxivFetcher
from litreview.importers.records import PaperRecord
from litreview.library.annotations import save_annotation
from litreview.library.areas import area_paths
from litreview.library.arxiv import add_arxiv, refresh_arxiv
from litreview.library.papers import Outcome, import_records
from litreview.library.tags import add_tags, paper_tags
from litreview.models import Annotation, Paper, PaperArea, Provenance, ReadingStatus, SourceKind
from tests.conftest import LOCAL_URL


@pytest.fixture
def arxiv() -> FakeArxiv:
    """A local arXiv serving the recorded entries kept under tests/data."""
    server = FakeArxiv()
    server.add_entries(fixture_entries())
    return server


@pytest.fixture
def fetcher(arxiv: FakeArxiv) -> Iterator[ArxivFetcher]:
    with httpx.Client(transport=arxiv.transport()) as http:
        yield ArxivFetcher(http, api_url="http://arxiv.test/api/query", delay=0, backoff=0)


def paper(session: Session, arxiv_id: str) -> Paper:
    return session.exec(select(Paper).where(Paper.arxiv_id == arxiv_id)).one()


def provenance_versions(session: Session, paper_id: int) -> list[int | None]:
    rows = session.exec(
        select(Provenance).where(Provenance.paper_id == paper_id).order_by(col(Provenance.id))
    ).all()
    return [r.arxiv_version for r in rows]


def test_add_stores_the_paper_with_its_arxiv_metadata(
    session: Session, fetcher: ArxivFetcher
) -> None:
    [outcome] = add_arxiv(session, fetcher, ["https://arxiv.org/abs/1111.2011"])
    session.commit()
    assert outcome.status == Outcome.added and outcome.arxiv_id == "1111.2011"
    stored = paper(session, "1111.2011")
    assert (outcome.paper_id, outcome.key, outcome.version) == (stored.id, stored.key, 2)
    assert stored.arxiv_version == 2 and stored.doi == "10.1103/physrevb.85.115117"
    assert stored.author_names == "James M. Murray; Adrian Del Maestro; Zlatko Tesanovic"
    assert stored.key == "murray2011quantum"
    assert stored.url == "https://arxiv.org/abs/1111.2011"
    assert stored.id is not None and provenance_versions(session, stored.id) == [2]


def test_adding_the_same_id_twice_changes_nothing(session: Session, fetcher: ArxivFetcher) -> None:
    add_arxiv(session, fetcher, ["1111.2011"])
    session.commit()
    before = paper(session, "1111.2011")
    version, updated_at = before.version, before.updated_at
    again = add_arxiv(session, fetcher, ["arXiv:1111.2011", "1111.2011v2"])
    session.commit()
    assert [o.status for o in again] == [Outcome.unchanged, Outcome.unchanged]
    after = paper(session, "1111.2011")
    assert (after.version, after.updated_at) == (version, updated_at)
    assert after.id is not None and provenance_versions(session, after.id) == [2]
    assert len(session.exec(select(Paper)).all()) == 1


def test_newer_version_updates_arxiv_metadata_and_keeps_user_work(
    session: Session, fetcher: ArxivFetcher, arxiv: FakeArxiv
) -> None:
    add_arxiv(session, fetcher, ["1111.2011"], tags=["bethe"], area_path="Physics/Criticality")
    stored = paper(session, "1111.2011")
    assert stored.id is not None
    save_annotation(session, stored.id, "Clear *mean-field* treatment.", expected_version=0)
    add_tags(session, stored.id, ["to-cite"])
    stored.status = ReadingStatus.read
    stored.rating = 4
    session.commit()
    v2 = arxiv.entries["1111.2011"][2]
    arxiv.add_entry(
        with_version(
            v2,
            3,
            **{"8 pages, 3 figures. Published version": "9 pages, 4 figures; erratum added"},
        )
    )
    [outcome] = add_arxiv(session, fetcher, ["1111.2011"])
    session.commit()
    assert outcome.status == Outcome.updated and outcome.version == 3
    after = paper(session, "1111.2011")
    assert after.arxiv_version == 3
    assert after.arxiv_comment == "9 pages, 4 figures; erratum added"
    assert after.pdf_url == "https://arxiv.org/pdf/1111.2011v3"
    assert after.status == ReadingStatus.read and after.rating == 4
    assert paper_tags(session, stored.id) == ["bethe", "to-cite"]
    assert list(area_paths(session).values()) == ["Physics", "Physics/Criticality"]
    assert len(session.exec(select(PaperArea)).all()) == 1
    note = session.exec(select(Annotation).where(Annotation.paper_id == stored.id)).one()
    assert note.markdown == "Clear *mean-field* treatment." and note.arxiv_version == 2
    assert provenance_versions(session, stored.id) == [2, 3]


def test_refresh_reports_stale_annotations_journal_refs_and_dois(
    session: Session, fetcher: ArxivFetcher, arxiv: FakeArxiv
) -> None:
    add_arxiv(session, fetcher, ["hep-ex/0406020", "math/0211159"])
    moriond = paper(session, "hep-ex/0406020")
    assert moriond.id is not None and moriond.journal_ref is None and moriond.doi is None
    save_annotation(session, moriond.id, "Review of SUSY reach.", expected_version=0)
    session.commit()
    published = (
        '<arxiv:primary_category term="hep-ex"/>'
        "<arxiv:journal_ref>Proc. XXXIXth Rencontres de Moriond (2004)</arxiv:journal_ref>"
        "<arxiv:doi>10.1234/Moriond.2004.17</arxiv:doi>"
    )
    v1 = arxiv.entries["hep-ex/0406020"][1]
    arxiv.add_entry(with_version(v1, 2, **{'<arxiv:primary_category term="hep-ex"/>': published}))
    seen: list[tuple[int, int]] = []
    report = refresh_arxiv(session, fetcher, progress=lambda d, t: seen.append((d, t)))
    session.commit()
    assert seen == [(2, 2)]
    items = {i.arxiv_id: i for i in report.items}
    item = items["hep-ex/0406020"]
    assert item.status == Outcome.updated
    assert (item.old_version, item.new_version, item.annotated_version) == (1, 2, 1)
    assert item.annotation_stale and report.stale == [item]
    assert item.new_journal_ref == "Proc. XXXIXth Rencontres de Moriond (2004)"
    assert item.new_doi == "10.1234/moriond.2004.17"
    assert items["math/0211159"].status == Outcome.unchanged
    assert not items["math/0211159"].noteworthy
    after = paper(session, "hep-ex/0406020")
    assert after.arxiv_version == 2 and after.doi == "10.1234/moriond.2004.17"
    assert after.journal_ref == "Proc. XXXIXth Rencontres de Moriond (2004)"
    # A second refresh still reports the annotation as written about v1, but nothing new.
    again = refresh_arxiv(session, fetcher)
    item = {i.arxiv_id: i for i in again.items}["hep-ex/0406020"]
    assert item.annotation_stale and item.status == Outcome.unchanged
    assert item.new_journal_ref is None and item.new_doi is None


def test_bad_inputs_fail_alone_and_are_never_sent(
    session: Session, fetcher: ArxivFetcher, arxiv: FakeArxiv
) -> None:
    outcomes = add_arxiv(
        session, fetcher, ["abc", "1111.2011", "2301.99999", "math.DG/0211159", "1111.2011"]
    )
    assert [o.status for o in outcomes] == [
        Outcome.failed,
        Outcome.added,
        Outcome.failed,
        Outcome.added,
        Outcome.unchanged,
    ]
    assert outcomes[0].message == "not an arXiv identifier: 'abc'"
    assert outcomes[2].message == "not found: arXiv has no paper 2301.99999"
    assert outcomes[3].arxiv_id == "math/0211159"
    assert outcomes[4].paper_id == outcomes[1].paper_id and "listed twice" in outcomes[4].message
    assert [q.ids for q in arxiv.requests] == [["1111.2011", "2301.99999", "math/0211159"]]


def test_a_bad_area_path_fails_before_any_request(
    session: Session, fetcher: ArxivFetcher, arxiv: FakeArxiv
) -> None:
    with pytest.raises(InvalidInput, match="area path"):
        add_arxiv(session, fetcher, ["1111.2011"], area_path="A//B")
    assert arxiv.requests == []


def test_arxiv_down_fails_every_id_and_stores_nothing(
    session: Session, fetcher: ArxivFetcher, arxiv: FakeArxiv
) -> None:
    arxiv.inject(*[Fault(status=503, retry_after="0")] * 10)
    outcomes = add_arxiv(session, fetcher, ["1111.2011", "math/0211159"])
    assert [o.status for o in outcomes] == [Outcome.failed, Outcome.failed]
    assert all("HTTP 503" in o.message for o in outcomes)
    assert session.exec(select(Paper)).all() == []


def test_arxiv_record_merges_into_the_same_paper_from_bibtex(
    session: Session, fetcher: ArxivFetcher
) -> None:
    bib = PaperRecord(
        title="Quantum criticality for extended nodes on a {Bethe} lattice",
        source=SourceKind.bibtex,
        key="Murray2012",
        doi="10.1103/PhysRevB.85.115117",
        year=2012,
        annotation="Read for the large-N section.",
    )
    import_records(session, [bib])
    [outcome] = add_arxiv(session, fetcher, ["1111.2011"])
    assert outcome.status in (Outcome.merged, Outcome.updated)
    assert outcome.key == "Murray2012"
    stored = paper(session, "1111.2011")
    assert stored.arxiv_version == 2 and stored.published == "2011-11-08T18:48:36Z"


# API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(db_url: str, arxiv: FakeArxiv) -> Iterator[TestClient]:
    settings = Settings(
        database_url=db_url, arxiv_api_url="http://arxiv.test/api/query", arxiv_delay=0
    )
    app = create_app(settings, arxiv_transport=arxiv.transport())
    with TestClient(app, base_url=LOCAL_URL) as client:
        yield client
    app.state.engine.dispose()


def test_api_import_answers_one_item_per_input(api: TestClient, arxiv: FakeArxiv) -> None:
    body = {"ids": ["1111.2011", "not-an-id", "2301.99999"], "tags": ["t"], "area": "A/B"}
    response = api.post("/api/import/arxiv", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["total"] == 3
    assert data["counts"]["added"] == 1 and data["counts"]["failed"] == 2
    first, bad, missing = data["items"]
    assert first["input"] == "1111.2011" and first["status"] == "added"
    assert first["arxiv_id"] == "1111.2011" and first["key"] == "murray2011quantum"
    assert isinstance(first["paper_id"], int)
    assert bad["status"] == "failed" and "'not-an-id'" in bad["message"]
    assert missing["status"] == "failed" and "not found" in missing["message"]
    again = api.post("/api/import/arxiv", json={"ids": ["arXiv:1111.2011v2"]}).json()
    assert again["items"][0]["status"] == "unchanged"
    assert again["items"][0]["paper_id"] == first["paper_id"]
    assert all(q.user_agent.startswith("litreview/") for q in arxiv.requests)


def test_api_import_refuses_an_empty_list(api: TestClient) -> None:
    response = api.post("/api/import/arxiv", json={"ids": []})
    assert response.status_code == 422
    assert "at least one" in response.json()["error"]["message"]


def test_api_import_of_a_bad_area_is_an_error_and_stores_nothing(api: TestClient) -> None:
    response = api.post("/api/import/arxiv", json={"ids": ["1111.2011"], "area": "A//B"})
    assert response.status_code == 422
    assert "area" in response.json()["error"]["message"]


# CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def served(arxiv: FakeArxiv) -> Iterator[FakeArxiv]:
    with FakeArxiv.running(arxiv) as server:
        yield server


def run_cli(served: FakeArxiv, db: Path, *args: str) -> tuple[int, str, str]:
    env = {"LITREVIEW_ARXIV_API_URL": served.url, "LITREVIEW_ARXIV_DELAY": "0"}
    result = CliRunner().invoke(cli_app, ["--db", str(db), *args], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_add_prints_one_line_per_id_and_fails_on_any_failure(
    served: FakeArxiv, tmp_path: Path
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("# reading list\nhttps://arxiv.org/abs/math/0211159v1\n\nhep-ex/0406020, zzz\n")
    code, out, err = run_cli(
        served, tmp_path / "lib.db", "add", "1111.2011", "--file", str(ids), "--tag", "x"
    )
    assert code == 1
    assert "added     1111.2011  murray2011quantum v2" in out
    assert "https://arxiv.org/abs/math/0211159v1" in out and "hep-ex/0406020" in out
    assert err.strip().splitlines() == ["failed  zzz: not an arXiv identifier: 'zzz'"]
    code, out, err = run_cli(served, tmp_path / "lib.db", "add", "1111.2011")
    assert code == 0 and out.startswith("unchanged") and err == ""


def test_cli_refresh(served: FakeArxiv, tmp_path: Path, engine: Engine) -> None:
    db = tmp_path / "lib.db"
    assert run_cli(served, db, "add", "1111.2011")[0] == 0
    served.add_entry(with_version(served.entries["1111.2011"][2], 5))
    code, out, err = run_cli(served, db, "refresh")
    assert code == 0, err
    assert "1111.2011 (murray2011quantum): v2 -> v5" in out
    assert "1 arXiv papers checked, 1 updated" in out
