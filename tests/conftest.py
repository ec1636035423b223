"""Shared fixtures: a fresh SQLite file per test, upgraded by the real migrations."""

from __future__ import annotations

import os
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


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return sqlite_url(tmp_path / "library.db")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
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
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()
