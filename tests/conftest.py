"""Shared fixtures: a fresh SQLite file per test, a copy of one upgraded by the real migrations.

The migration chain runs once per session (``template_db``); each test gets a copy of that file.
A module marked ``both_dialects`` runs each test that uses a library (``db_url`` and the
fixtures built on it) on SQLite and on PostgreSQL (``pg_server``: a throwaway cluster, or
``$LITREVIEW_TEST_POSTGRES_URL``); the PostgreSQL half skips, with the reason, where no server
can be started.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.app import create_app, open_library
from litreview.config import Settings, sqlite_url
from litreview.db import make_engine, upgrade
from tests.pg_server import (
    PostgresLibraries,
    PostgresServer,
    create_database,
    drop_database,
    start_server,
)

REPO = Path(__file__).resolve().parent.parent
# TestClient's default host name "testserver" is refused like any foreign Host header.
LOCAL_URL = "http://127.0.0.1:8000"


def corpus_dir() -> Path:
    """The shared corpus of real third-party data (``$LITREVIEW_CORPUS`` or ../shared/corpus)."""
    return Path(os.environ.get("LITREVIEW_CORPUS", REPO.parent / "shared" / "corpus"))


def corpus_files(folder: str) -> list[Any]:
    """The names of the files in a corpus folder, to parametrize a test by; without the corpus,
    one case skipped with the reason (pytest's own skip of an empty parameter set names none)."""
    path = corpus_dir() / folder
    if path.is_dir():
        return sorted(p.name for p in path.iterdir())
    reason = f"corpus not found at {path} (set LITREVIEW_CORPUS)"
    return [pytest.param("", marks=pytest.mark.skip(reason=reason))]


@pytest.fixture
def corpus() -> Path:
    """The corpus folder; the test is skipped, with the reason, when it is absent."""
    path = corpus_dir()
    if not path.is_dir():
        pytest.skip(f"corpus not found at {path} (set LITREVIEW_CORPUS)")
    return path


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty library at the newest schema, made once by the migrations, to copy."""
    path = tmp_path_factory.mktemp("template") / "library.db"
    engine = make_engine(sqlite_url(path))
    upgrade(engine)
    engine.dispose()
    return path


DIALECTS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_dialects: run the module's library tests on SQLite and PostgreSQL"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # schemathesis (4.32) names each operation's test "test_...[GET /api/papers]", but pytest
    # 9.2 builds an item's id from its base name and its parametrize() ids, which schemathesis
    # does not use: every operation's test had the same id (pytest-xdist ran one of them).
    # Item._id is pytest's own (9.2): where it is not there, the ids stay as pytest made them.
    for item in items:
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "_id", None)
        if isinstance(label, str) and getattr(node_id, "params", False) is None:
            item._id = node_id.with_params(label)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_dialects") and (
        "dialect" in metafunc.fixturenames
    ):
        metafunc.parametrize("dialect", DIALECTS, indirect=True)


@pytest.fixture
def dialect(request: pytest.FixtureRequest) -> str:
    """The database a test's library lives in: SQLite unless the module runs on both."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session (skips, with the reason, where there is none)."""
    server = start_server()
    if isinstance(server, str):
        pytest.skip(f"no PostgreSQL server: {server}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer) -> Iterator[str]:
    """The name of an empty PostgreSQL library at the newest schema, made once, to copy."""
    name = f"litreview_template_{os.getpid()}"
    engine = make_engine(create_database(pg_server, name))
    upgrade(engine)
    engine.dispose()
    yield name
    drop_database(pg_server, name)


@pytest.fixture(scope="session")
def pg_libraries(pg_server: PostgresServer, pg_template: str) -> Iterator[PostgresLibraries]:
    """Empty PostgreSQL libraries, each emptied again after its test for the next one."""
    libraries = PostgresLibraries(pg_server, pg_template)
    yield libraries
    libraries.close()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL library for this test, as empty as the template (see PostgresLibraries)."""
    libraries: PostgresLibraries = request.getfixturevalue("pg_libraries")
    name = libraries.take()
    yield libraries.server.database_url(name)
    libraries.give_back(name)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, dialect: str, tmp_path: Path) -> str:
    """A fresh library for this test: a copy of the template file, or a PostgreSQL database."""
    if dialect == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    template_db: Path = request.getfixturevalue("template_db")
    path = tmp_path / "library.db"
    shutil.copyfile(template_db, path)
    return sqlite_url(path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def settings(db_url: str) -> Settings:
    # No search time limit: it is wall-clock, and a busy CI machine must not turn a search into
    # "keep typing". The tests of the limit set one themselves.
    return Settings(
        database_url=db_url,
        arxiv_api_url="http://127.0.0.1:9/api/query",
        arxiv_delay=0,
        search_time_limit_ms=0,
    )


class Apps:
    """Applications reused by the tests' clients: one per distinct settings but the library.

    FastAPI builds an application's routes (their dependencies, their bodies' and answers'
    validators) on its first requests, ~0.1 s of CPU for each new application, which was most
    of an API test's time. A test's client gets an application made earlier for the same
    settings, pointed at its own library by ``app.open_library`` (as ``create_app`` does), and
    whatever its requests left on ``app.state`` (the arXiv fetcher, a PostgreSQL change
    listener) is dropped, so no test sees another's.
    """

    def __init__(self) -> None:
        self._apps: dict[Settings, tuple[FastAPI, frozenset[str]]] = {}

    def app_for(self, settings: Settings) -> FastAPI:
        key = settings.with_database("")
        found = self._apps.get(key)
        if found is None:
            app = create_app(settings)
            self._apps[key] = (app, frozenset(vars(app.state)["_state"]))
            return app
        app, made = found
        state = vars(app.state)["_state"]
        for name in set(state) - made:
            del state[name]
        open_library(app, settings)
        return app


_APPS = Apps()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = _APPS.app_for(settings)
    with TestClient(app, base_url=LOCAL_URL) as test_client:
        yield test_client
    app.state.engine.dispose()
