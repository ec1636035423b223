"""Process-wide settings: SQLite's memory statistics are turned off when litreview opens its
first database (only when nothing of SQLite is in use yet), and a server freezes its startup
objects out of the garbage collector's full passes. Each case runs in a fresh interpreter of its
own, since the settings are process-wide and this test process has long had connections open."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the setting is only changed on Linux"
)

PRELUDE = """
import ctypes, sqlite3, _sqlite3
lib = ctypes.CDLL(_sqlite3.__file__)
lib.sqlite3_memory_used.restype = ctypes.c_int64
"""


def _run(tmp_path: Path, body: str) -> list[str]:
    code = PRELUDE + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_statistics_are_off_once_litreview_opens_a_database(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        from litreview.config import sqlite_url
        from litreview.db import make_engine, upgrade
        from litreview.sqlite_library import stop_memory_statistics
        engine = make_engine(sqlite_url("lib.db"))
        upgrade(engine)
        with engine.connect() as conn:
            print(conn.exec_driver_sql("SELECT count(*) FROM paper").scalar_one())
            # A connection and its statements are open, and nothing is counted.
            print(lib.sqlite3_memory_used())
        print(stop_memory_statistics())
        """,
    )
    assert out == ["0", "0", "True"]


def test_statistics_stay_on_when_sqlite_is_already_in_use(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        held = sqlite3.connect("other.db")
        held.execute("CREATE TABLE t (x)")
        held.execute("INSERT INTO t VALUES (1)")
        from litreview.config import sqlite_url
        from litreview.db import make_engine, upgrade
        from litreview.sqlite_library import stop_memory_statistics
        engine = make_engine(sqlite_url("lib.db"))
        upgrade(engine)
        print(stop_memory_statistics())
        print(lib.sqlite3_memory_used() > 0)
        # The connection opened before is untouched: its open transaction commits.
        held.commit()
        print(held.execute("SELECT count(*) FROM t").fetchone()[0])
        with engine.connect() as conn:
            print(conn.exec_driver_sql("SELECT count(*) FROM paper").scalar_one())
        """,
    )
    assert out == ["False", "True", "1", "0"]


def test_the_server_freezes_its_startup_objects_out_of_full_collections(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        import gc
        from fastapi.testclient import TestClient
        from litreview.app import create_app
        from litreview.config import Settings, sqlite_url
        app = create_app(Settings(database_url=sqlite_url("lib.db")))
        print(gc.get_freeze_count() == 0)
        with TestClient(app) as client:
            assert client.get("/api/health").status_code == 200
            frozen = gc.get_freeze_count()
            print(frozen > 10_000)
        # A second app in the same process freezes nothing more (frozen objects may be freed).
        with TestClient(create_app(Settings(database_url=sqlite_url("lib.db")))):
            print(gc.get_freeze_count() <= frozen)
        """,
    )
    assert out == ["True", "True", "True"]
