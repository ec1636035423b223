"""Process-wide settings: which SQLite litreview runs on (the bundled newer one where pysqlite3
is installed, Python's own when asked), None parameters bound as NULL through an adapter of
their own, SQLite's memory statistics turned off when litreview opens its first database (only
when nothing of SQLite is in use yet), and a server freezes its startup objects out of the
garbage collector's full passes. Each case runs in a fresh interpreter of its own, since the
settings are process-wide and this test process has long had connections open."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from litreview.sqlite_library import SQLITE_CHOICE

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the setting is only changed on Linux"
)

# sqlite3: the driver litreview uses; lib: the SQLite library that driver runs on.
PRELUDE = """
import ctypes, importlib
from litreview.sqlite_library import sqlite_module
sqlite3 = sqlite_module()
bundled = sqlite3.__name__ == "pysqlite3.dbapi2"
lib = ctypes.CDLL(importlib.import_module("pysqlite3._sqlite3" if bundled else "_sqlite3").__file__)
lib.sqlite3_memory_used.restype = ctypes.c_int64
"""

DRIVERS = [
    pytest.param("python", id="python-sqlite3"),
    pytest.param(
        "",
        id="default",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("pysqlite3") is None, reason="pysqlite3 is not installed"
        ),
    ),
]


def _python(tmp_path: Path, code: str, driver: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, SQLITE_CHOICE: driver},
    )


def _run(tmp_path: Path, body: str, driver: str = "") -> list[str]:
    done = _python(tmp_path, PRELUDE + textwrap.dedent(body), driver)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(importlib.util.find_spec("pysqlite3") is None, reason="no pysqlite3")
def test_the_bundled_newer_sqlite_is_used_where_installed(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        import sqlite3 as python_sqlite3
        from litreview.config import sqlite_url
        from litreview.db import make_engine, upgrade
        engine = make_engine(sqlite_url("lib.db"))
        upgrade(engine)
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT sqlite_version()").scalar_one()
        print(sqlite3.__name__, version == sqlite3.sqlite_version)
        print(engine.dialect.dbapi is sqlite3, sqlite3 is not python_sqlite3)
        """,
    )
    assert out == ["pysqlite3.dbapi2", "True", "True", "True"]


def test_python_s_own_sqlite3_when_asked(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        import sqlite3 as python_sqlite3
        from litreview.config import sqlite_url
        from litreview.db import make_engine, upgrade
        engine = make_engine(sqlite_url("lib.db"))
        upgrade(engine)
        print(sqlite3 is python_sqlite3, engine.dialect.dbapi is python_sqlite3)
        with engine.connect() as conn:
            print(conn.exec_driver_sql("SELECT count(*) FROM paper").scalar_one())
        """,
        driver="python",
    )
    assert out == ["True", "True", "0"]


def test_an_unknown_driver_choice_is_refused_by_name(tmp_path: Path) -> None:
    code = "from litreview.sqlite_library import sqlite_module; sqlite_module()"
    done = _python(tmp_path, code, "apsw")
    assert done.returncode != 0
    assert "LITREVIEW_SQLITE must be 'python' or 'pysqlite3', got 'apsw'" in done.stderr


@pytest.mark.parametrize("driver", DRIVERS)
def test_statistics_are_off_once_litreview_opens_a_database(tmp_path: Path, driver: str) -> None:
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
        driver,
    )
    assert out == ["0", "0", "True"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_statistics_stay_on_when_sqlite_is_already_in_use(tmp_path: Path, driver: str) -> None:
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
        driver,
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


@pytest.mark.parametrize("driver", DRIVERS)
def test_none_parameters_are_stored_as_null(tmp_path: Path, driver: str) -> None:
    out = _run(
        tmp_path,
        """
        conn = sqlite3.connect("t.db")
        conn.execute("CREATE TABLE t (a, b)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(None, 1), (2, None)])
        conn.execute("INSERT INTO t VALUES (?, ?), (?, ?)", (None, None, "x", None))
        print(conn.execute("SELECT count(*) FROM t WHERE a IS NULL").fetchone()[0])
        print(conn.execute("SELECT count(*) FROM t WHERE b IS NULL").fetchone()[0])
        print(conn.execute("SELECT typeof(a) FROM t WHERE b = 1").fetchone()[0])
        """,
        driver,
    )
    assert out == ["2", "3", "null"]
