"""Search and list filters, through the library and GET /api/papers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from litreview.app import create_app
from litreview.config import Settings
from litreview.db import make_engine
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library import search
from litreview.library.papers import import_records
from litreview.library.search import fts_query, search_paper_ids
from litreview.models import SourceKind
from litreview.query import PaperQuery, SortKey, SortOrder
from tests.api_helpers import add_area, add_paper, error_of
from tests.conftest import LOCAL_URL

pytestmark = pytest.mark.both_dialects

HOSTILE = [
    '"',
    '""',
    "'",
    "-",
    "--",
    "a-b",
    "title:",
    "title: reward",
    ":",
    "(",
    ")",
    "((reward",
    "reward)",
    "NEAR",
    "NEAR(reward model, 2)",
    "reward NEAR model",
    "AND",
    "OR",
    "NOT",
    "reward AND",
    "*",
    "rew*",
    "^reward",
    "{title}: reward",
    "+-*/",
    "\\",
    "%_",
    "'; DROP TABLE paper; --",
    "🙂",
    "Ünïcödé",
    "日本語の論文",
    "\x00",
    " ",
    "reward" * 200,
    "a " * 400,
]


@pytest.fixture
def library(client: TestClient) -> dict[str, int]:
    """A small library: ids by short name."""
    rlhf = add_area(client, "Alignment")
    sub = add_area(client, "Reward modelling", parent_id=rlhf["id"])
    other = add_area(client, "Interpretability")
    ids = {}
    ids["reward"] = add_paper(
        client,
        "Reward model overoptimisation",
        authors=["Leo Gao", "John Schulman"],
        year=2022,
        abstract="Scaling laws for reward models.",
        tags=["rlhf", "scaling"],
        area_ids=[sub["id"]],
        status="read",
        rating=5,
    )["id"]
    ids["saes"] = add_paper(
        client,
        "Sparse autoencoders find interpretable features",
        authors=["Hoagy Cunningham"],
        year=2023,
        abstract="Dictionary learning on activations.",
        tags=["interpretability"],
        area_ids=[other["id"]],
        rating=3,
    )["id"]
    ids["rlhf"] = add_paper(
        client,
        "Deep reinforcement learning from human preferences",
        authors=["Paul Christiano", "Jan Leike"],
        year=2017,
        abstract="Learning a reward function from comparisons.",
        tags=["rlhf"],
        area_ids=[rlhf["id"]],
    )["id"]
    ids["old"] = add_paper(client, "An old paper on Ünïcödé accents", year=1999)["id"]
    response = client.put(
        f"/api/papers/{ids['saes']}/annotation",
        json={"markdown": "Zebrafish neurons are a nice analogy.", "version": 0},
    )
    assert response.status_code == 200
    return ids


def _ids(client: TestClient, **params: object) -> list[int]:
    response = client.get("/api/papers", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] >= len(body["items"])
    return [item["id"] for item in body["items"]]


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('title: "x" NEAR(a') == '"title" "x" "NEAR" "a"*'
    assert fts_query("((--") is None
    assert fts_query(None) is None


def test_hostile_queries_are_only_searched_for(client: TestClient, library: dict[str, int]) -> None:
    # One library for every query (each is only read): a failure names every query that failed.
    failed = []
    for text in HOSTILE:
        try:
            response = client.get("/api/papers", params={"q": text})
            if len(text) > 1000:
                error_of(response, 422)
                continue
            assert response.status_code == 200, response.text
            assert response.json()["total"] == len(response.json()["items"])
        except AssertionError as error:
            failed.append((text[:40], str(error)[:200]))
    assert not failed, failed


def test_full_text_over_title_abstract_authors_annotation(
    client: TestClient, library: dict[str, int]
) -> None:
    assert _ids(client, q="overoptimisation") == [library["reward"]]
    assert _ids(client, q="comparisons") == [library["rlhf"]]
    assert _ids(client, q="Christiano") == [library["rlhf"]]
    assert _ids(client, q="zebrafish") == [library["saes"]]
    assert _ids(client, q="unicode accents") == [library["old"]]
    assert _ids(client, q="interpret") == [library["saes"]]  # the last word is a prefix
    # Title matches rank first: "reward" is in one title, two abstracts.
    assert _ids(client, q="reward")[0] == library["reward"]
    assert set(_ids(client, q="reward")) == {library["reward"], library["rlhf"]}


def test_filters_combine(client: TestClient, library: dict[str, int]) -> None:
    assert set(_ids(client, tag="rlhf")) == {library["reward"], library["rlhf"]}
    assert _ids(client, tag=["rlhf", "scaling"]) == [library["reward"]]
    assert _ids(client, tag="nothing") == []
    assert set(_ids(client, area_path="Alignment")) == {library["reward"], library["rlhf"]}
    assert _ids(client, area_path="Alignment/Reward modelling") == [library["reward"]]
    areas = client.get("/api/areas").json()["items"]
    alignment = next(a for a in areas if a["name"] == "Alignment")
    assert set(_ids(client, area=alignment["id"])) == {library["reward"], library["rlhf"]}
    assert _ids(client, status="read") == [library["reward"]]
    assert _ids(client, year_min=2018, year_max=2022) == [library["reward"]]
    assert _ids(client, year_max=2000) == [library["old"]]
    assert _ids(client, author="christ") == [library["rlhf"]]
    assert _ids(client, author="%") == []
    assert _ids(client, has_annotation=True) == [library["saes"]]
    assert library["saes"] not in _ids(client, has_annotation=False)
    assert _ids(client, q="reward", tag="rlhf", year_min=2020) == [library["reward"]]
    assert _ids(client, q="learning", has_annotation=False) == [library["rlhf"]]


def test_combined_filters_count_each_paper_once(
    client: TestClient, library: dict[str, int]
) -> None:
    # A page smaller than the matches makes the total a count of its own (on PostgreSQL
    # the papers passing every filter's test, not an intersection of the sets).
    def total(**params: object) -> int:
        answer = client.get("/api/papers", params={**params, "limit": 1})
        assert answer.status_code == 200
        return int(answer.json()["total"])

    assert total(tag=["rlhf"], year_min=2000) == 2
    assert total(tag=["rlhf"], area_path="Alignment", year_min=2017, year_max=2022) == 2
    assert total(status="read", year_min=2018, year_max=2022) == 1
    assert total(author="o", year_min=2000) == 3  # Gao and Schulman: one paper
    assert total(tag=["rlhf"], year_max=2000) == 0


def test_sorts_and_paging(client: TestClient, library: dict[str, int]) -> None:
    by_year = _ids(client, sort="year")
    assert by_year == [library["saes"], library["reward"], library["rlhf"], library["old"]]
    assert _ids(client, sort="year", order="asc") == by_year[::-1]
    assert _ids(client, sort="rating")[:2] == [library["reward"], library["saes"]]
    titles = [
        i["title"] for i in client.get("/api/papers", params={"sort": "title"}).json()["items"]
    ]
    assert titles == sorted(titles, key=str.lower)
    newest = _ids(client)
    assert newest[0] == library["old"]  # added last
    assert _ids(client, sort="added", order="asc")[0] == library["reward"]
    assert _ids(client, limit=2) == newest[:2]
    assert _ids(client, limit=2, offset=2) == newest[2:]
    page = client.get("/api/papers", params={"limit": 1, "offset": 10**9}).json()
    assert page == {"items": [], "total": 4}
    assert client.get("/api/papers", params={"limit": 0}).json() == {"items": [], "total": 4}
    assert _ids(client, q="reward", sort="year", order="asc") == [
        library["rlhf"],
        library["reward"],
    ]
    assert _ids(client, q="reward", tag="rlhf", limit=1, offset=1) == [library["rlhf"]]


def test_sorts_by_what_the_table_shows(client: TestClient, library: dict[str, int]) -> None:
    """Key, status (by name), tags and areas (a paper's first, as it shows them; papers
    without any last both ways) sort the list, alone, under a filter and under a search."""
    reward, saes, rlhf, old = (library[n] for n in ("reward", "saes", "rlhf", "old"))
    items = client.get("/api/papers", params={"sort": "key"}).json()["items"]
    keys = [i["key"] for i in items]
    assert keys == sorted(keys) and len(keys) == 4
    assert _ids(client, sort="key", order="desc") == [i["id"] for i in items][::-1]
    assert _ids(client, sort="status")[0] == reward  # read < unread
    assert _ids(client, sort="status", order="desc")[-1] == reward
    # First tags: interpretability (saes), rlhf (reward, rlhf: ties by id), none (old).
    assert _ids(client, sort="tags") == [saes, reward, rlhf, old]
    assert _ids(client, sort="tags", order="desc") == [rlhf, reward, saes, old]
    # First areas: Alignment (rlhf), Alignment/Reward modelling, Interpretability, none.
    assert _ids(client, sort="areas") == [rlhf, reward, saes, old]
    assert _ids(client, sort="areas", order="desc") == [saes, reward, rlhf, old]
    assert _ids(client, sort="areas", year_min=2000) == [rlhf, reward, saes]
    assert _ids(client, q="reward", sort="tags", order="desc") == [rlhf, reward]
    assert _ids(client, q="reward", sort="areas", limit=1, offset=1) == [reward]


def test_a_sort_by_areas_places_many_areas_by_path(client: TestClient) -> None:
    """With more areas than one CASE holds (a tree of them), papers still sort by their
    first area's path."""
    import random

    names = [f"Area {n:02d}" for n in range(40)]
    random.Random(3).shuffle(names)
    root = add_area(client, "Root")
    areas = [add_area(client, name, parent_id=root["id"]) for name in names]
    papers = {}
    for n, area in enumerate(areas):
        # Every third paper is also in a later-named area, which must not move it.
        also = [areas[(n + 7) % len(areas)]["id"]] if n % 3 == 0 else []
        papers[area["name"]] = add_paper(client, f"In {area['name']}", area_ids=[area["id"], *also])

    def first_path(name: str) -> str:
        paper = client.get(f"/api/papers/{papers[name]['id']}").json()
        return min(a["path"] for a in paper["areas"])

    wanted = sorted(papers, key=lambda name: (first_path(name), papers[name]["id"]))
    assert _ids(client, sort="areas", limit=100) == [papers[name]["id"] for name in wanted]


def test_a_sort_by_tags_walks_a_large_list(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond SMALL_RESULT papers the list walks in order and tests each paper: the same
    order as reading the few and sorting them."""
    tags: list[list[str]] = [[], ["b"], [], ["z", "a"], ["b"], []]
    records = [
        PaperRecord(title=f"Paper {n}", year=2000 + n, tags=t, source=SourceKind.manual)
        for n, t in enumerate(tags)
    ]
    ids = import_records(session, records).paper_ids()
    assert len(ids) == 6
    wanted = [ids[3], ids[1], ids[4], ids[0], ids[2], ids[5]]
    query = PaperQuery(sort=SortKey.tags, year_min=2000)
    assert search_paper_ids(session, query) == (wanted, 6)
    monkeypatch.setattr(search, "SMALL_RESULT", 2)
    assert search_paper_ids(session, query) == (wanted, 6)
    desc = PaperQuery(sort=SortKey.tags, order=SortOrder.desc, limit=2, offset=1)
    assert search_paper_ids(session, desc) == ([ids[1], ids[3]], 6)
    # A page across the last tagged paper and the first untagged ones; a filter.
    across = PaperQuery(sort=SortKey.tags, order=SortOrder.desc, limit=3, offset=2)
    assert search_paper_ids(session, across) == ([ids[3], ids[5], ids[2]], 6)
    assert search_paper_ids(session, across.model_copy(update={"offset": 4})) == (
        [ids[2], ids[0]],
        6,
    )
    after = PaperQuery(sort=SortKey.tags, year_min=2003)
    assert search_paper_ids(session, after) == ([ids[3], ids[4], ids[5]], 3)


BAD_LIST_PARAMETERS: list[dict[str, object]] = [
    {"limit": 501},
    {"limit": -1},
    {"offset": -5},
    {"offset": 10**20},
    {"limit": "ten"},
    {"year_min": "1e5"},
    {"year_max": 10**12},
    {"sort": "best"},
    {"order": "sideways"},
    {"status": "devoured"},
    {"has_annotation": "perhaps"},
    {"area": 10**30},
]


def test_bad_list_parameters_are_422(client: TestClient) -> None:
    failed = []
    for params in BAD_LIST_PARAMETERS:  # one library for all (nothing is written)
        try:
            error_of(client.get("/api/papers", params=params), 422)  # type: ignore[arg-type]
        except AssertionError as error:
            failed.append((params, str(error)[:200]))
    assert not failed, failed


def test_unknown_area_filter_is_404(client: TestClient) -> None:
    error_of(client.get("/api/papers", params={"area": 77}), 404)
    error_of(client.get("/api/papers", params={"area": "x"}), 404)
    error_of(client.get("/api/papers", params={"area_path": "No/Such"}), 404)


def test_library_search_without_http(session: Session) -> None:
    records = [
        PaperRecord(
            title=f"Paper number {n} about {'reward' if n % 2 else 'values'}",
            source=SourceKind.manual,
            year=2000 + n,
            authors=[AuthorRecord("Ann Example", "Example", "Ann")],
            tags=["even"] if n % 2 == 0 else [],
        )
        for n in range(30)
    ]
    import_records(session, records)
    ids, total = search_paper_ids(session, PaperQuery(q="reward", limit=5))
    assert total == 15 and len(ids) == 5
    ids, total = search_paper_ids(
        session, PaperQuery(q="paper", tag=["even"], sort=SortKey.year, order=SortOrder.asc)
    )
    assert total == 15
    years = [2000 + n for n in range(0, 30, 2)]
    assert ids == sorted(ids) and len(ids) == len(years)
    assert search_paper_ids(session, PaperQuery(q="paper", tag=["even"], offset=100)) == ([], 15)


def test_a_search_past_its_time_limit_answers_keep_typing(settings: Settings, dialect: str) -> None:
    # A limit already past when the search starts: SQLite's progress handler stops the first
    # statement that runs a few hundred steps, whatever the machine's speed.
    if dialect != "sqlite":
        pytest.skip("SQLite's progress handler; test_postgres.py stops a slow statement there")
    app = create_app(replace(settings, search_time_limit_ms=1e-9))
    with TestClient(app, base_url=LOCAL_URL) as client:
        for n in range(20):
            add_paper(client, f"Reward paper {n}", abstract="reward " * 50)
        error = error_of(client.get("/api/papers", params={"q": "rew", "tag": "x"}), 422)
        assert "too broad, keep typing" in error["message"]
        assert error["time_limit_ms"] == 1e-9
        # The limit is only on full-text searches; the connection is left without it.
        listed = client.get("/api/papers", params={"limit": 5})
        assert listed.status_code == 200 and listed.json()["total"] == 20
    app.state.engine.dispose()


def test_a_one_or_two_letter_prefix_gets_the_short_time_limit(
    settings: Settings, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "re" (a prefix of two letters) is known to be broad before it runs: it gets the short
    # limit, here already past; "rew" and the exact word "reward" get the whole one.
    if dialect != "sqlite":
        pytest.skip("SQLite's progress handler; test_postgres.py stops a slow statement there")
    monkeypatch.setattr(search, "SHORT_PREFIX_LIMIT_MS", 1e-9)
    app = create_app(replace(settings, search_time_limit_ms=60_000))
    with TestClient(app, base_url=LOCAL_URL) as client:
        for n in range(20):
            add_paper(client, f"Reward paper {n}", abstract="reward " * 50)
        error = error_of(client.get("/api/papers", params={"q": "re", "tag": "x"}), 422)
        assert "keep typing" in error["message"] and error["time_limit_ms"] == 1e-9
        error = error_of(client.get("/api/papers", params={"q": "paper re", "tag": "x"}), 422)
        assert error["time_limit_ms"] == 1e-9
        for text in ("rew", "reward", "paper rew"):
            found = client.get("/api/papers", params={"q": text})
            assert found.status_code == 200 and found.json()["total"] == 20, text
    app.state.engine.dispose()


def test_a_short_prefix_in_a_large_library_is_not_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over BROAD_LIBRARY papers (here 5) "re" answers "keep typing" at once, on any database;
    # "rew" runs, and so does "re" where there is no time limit (the CLI).
    monkeypatch.setattr(search, "BROAD_LIBRARY", 5)
    app = create_app(replace(settings, search_time_limit_ms=60_000))
    with TestClient(app, base_url=LOCAL_URL) as client:
        for n in range(6):
            add_paper(client, f"Reward paper {n}")
        error = error_of(client.get("/api/papers", params={"q": "re"}), 422)
        assert "would take over 25 ms" in error["message"] and error["time_limit_ms"] == 25
        assert client.get("/api/papers", params={"q": "rew"}).json()["total"] == 6
    app.state.engine.dispose()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        assert search_paper_ids(session, PaperQuery(q="re"), time_limit_ms=None)[1] == 6
    engine.dispose()


def test_a_prefix_whose_words_many_papers_hold_is_not_run(
    settings: Settings, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a large library (here over 5 papers) a last word of three or four letters whose
    # words are held by too many papers in all (here over 8: "the" starts "the" in 6 and
    # "these" in 6) answers "keep typing" without running; "thes" (6) and the exact word
    # "there" run, as does "the" without a time limit (the CLI).
    if dialect != "sqlite":
        pytest.skip("the words' paper counts are SQLite's fts5vocab")
    monkeypatch.setattr(search, "BROAD_LIBRARY", 5)
    monkeypatch.setattr(search, "BROAD_PREFIX_PAPERS", 8)
    app = create_app(replace(settings, search_time_limit_ms=60_000))
    with TestClient(app, base_url=LOCAL_URL) as client:
        for n in range(6):
            add_paper(client, f"On the paper {n}", abstract="These are there.")
        error = error_of(client.get("/api/papers", params={"q": "paper the"}), 422)
        assert "would take over 60000 ms" in error["message"]
        assert error["time_limit_ms"] == 60_000
        for text in ("thes", "paper there", "on"):
            assert client.get("/api/papers", params={"q": text}).json()["total"] == 6, text
    app.state.engine.dispose()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        assert search_paper_ids(session, PaperQuery(q="the"), time_limit_ms=None)[1] == 6
    engine.dispose()


def test_a_search_without_a_time_limit_runs_to_the_end(session: Session) -> None:
    import_records(
        session,
        [PaperRecord(title=f"Reward {n}", source=SourceKind.manual) for n in range(20)],
    )
    ids, total = search_paper_ids(session, PaperQuery(q="rew"), time_limit_ms=None)
    assert total == 20 and len(ids) == 20
