"""Shared fixtures: a fresh SQLite file per test, a copy of one upgraded by the real migrations.

The migration chain runs once per session (``template_db``); each test gets a copy of that file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.app import create_app
from litreview.config import Settings, sqlite_url
from litreview.db import make_engine, upgrade

REPO = Path(__file__).resolve().parent.parent
# TestClient's default host name "testserver" is refused like any foreign Host header.
LOCAL_URL = "http://127.0.0.1:8000"


def corpus_dir() -> Path:
    """The shared corpus of real third-party data (``$LITREVIEW_CORPUS`` or ../shared/corpus)."""
    return Path(os.environ.get("LITREVIEW_CORPUS", REPO.parent / "shared" / "corpus"))


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


@pytest.fixture
def db_url(tmp_path: Path, template_db: Path) -> str:
    """A fresh library file for this test (a copy of the template)."""
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
    return Settings(
        database_url=db_url, arxiv_api_url="http://127.0.0.1:9/api/query", arxiv_delay=0
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL_URL) as test_client:
        yield test_client
    app.state.engine.dispose()
