"""Process-wide settings of the SQLite library itself (not of one connection or database).

Debian's SQLite (and most distributions') is built with memory statistics on: every allocation
SQLite makes then takes one process-wide mutex to keep the count. bm25 allocates for every match
it scores, so two searches ranking in parallel on two cores (library.parallel) queue on that
mutex and each runs ~1.4 times as long as alone. Nothing in litreview reads those statistics
(``sqlite3_memory_used``, a soft heap limit), so :func:`stop_memory_statistics` turns them off.

SQLite takes such settings only while it is shut down, and it may be shut down only when nothing
of it is in use, so the setting is changed only when SQLite holds no memory at all (no
connection, no statement open anywhere in the process), checked just before. Otherwise, and
where the library's functions cannot be reached (not Linux, a Python without ``_sqlite3``), it is
left as it is: everything works the same, parallel searches are just slower.

Which SQLite: :func:`sqlite_module` is the DB-API module every connection litreview opens goes
through. Where pysqlite3-binary is installed (a dependency on Linux x86-64) that is its newer
SQLite, built with lookaside memory; it ranks a common word's matches about a third faster than
Debian's 3.40 (bench/api_latency.py). Elsewhere, or with ``LITREVIEW_SQLITE=python``, it is
Python's own ``sqlite3``. One process must not open a database file through two copies of
SQLite: each keeps its own table of POSIX locks, and one closing the file drops the other's locks.
So tests and benchmarks that open a library's file beside litreview use :func:`sqlite_module` too.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import sys
import threading
from collections.abc import Mapping
from functools import cache
from types import ModuleType

log = logging.getLogger(__name__)

SQLITE_OK = 0
SQLITE_CONFIG_MEMSTATUS = 9

_lock = threading.Lock()
_memory_statistics: bool | None = None  # None: not looked at yet


# LITREVIEW_SQLITE: "python" for Python's own sqlite3 even where pysqlite3 is installed.
SQLITE_CHOICE = "LITREVIEW_SQLITE"


def sqlite_choice(environ: Mapping[str, str]) -> str:
    """The SQLite asked for in ``environ``: "" (the best installed), "python" or "pysqlite3"."""
    choice = environ.get(SQLITE_CHOICE, "").strip().lower()
    if choice not in ("", "python", "pysqlite3"):
        raise ValueError(f"{SQLITE_CHOICE} must be 'python' or 'pysqlite3', got {choice!r}")
    return choice


@cache
def sqlite_module() -> ModuleType:
    """The DB-API module SQLite databases are opened through (the same all process long)."""
    choice = sqlite_choice(os.environ)
    module: ModuleType | None = None
    if choice != "python":
        try:
            module = importlib.import_module("pysqlite3.dbapi2")
        except ImportError:
            if choice == "pysqlite3":
                raise
    if module is None:
        module = importlib.import_module("sqlite3")
    # A None parameter is bound as NULL either way, but without an adapter of its own the
    # module first looks for adaptation protocols on it, which costs more than storing it: a
    # bulk import binds tens of thousands of them (pysqlite3's lookup is slower still).
    module.register_adapter(type(None), _null)
    return module


def _null(value: None) -> None:
    return value


def _extension() -> ModuleType:
    """The compiled module holding (or linked to) the SQLite of :func:`sqlite_module`."""
    if sqlite_module().__name__ == "pysqlite3.dbapi2":
        return importlib.import_module("pysqlite3._sqlite3")
    return importlib.import_module("_sqlite3")


def _library() -> ctypes.CDLL | None:
    """The SQLite library of :func:`sqlite_module`, or None.

    ``sqlite3_config`` takes variable arguments; on Linux (x86-64 and arm64) an ``int`` passed
    to one is passed as to any function, which is all ctypes can do. Elsewhere it is not tried.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        path = _extension().__file__
        if path is None:
            return None
        lib = ctypes.CDLL(path)
        for name in (
            "sqlite3_memory_used",
            "sqlite3_shutdown",
            "sqlite3_config",
            "sqlite3_initialize",
        ):
            getattr(lib, name)  # an AttributeError: the library's functions are not reachable
    except (ImportError, OSError, AttributeError):
        return None
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    lib.sqlite3_memory_used.argtypes = []
    return lib


def stop_memory_statistics() -> bool:
    """Turn SQLite's memory statistics off for this process, once; True when they are off."""
    global _memory_statistics
    with _lock:
        if _memory_statistics is None:
            _memory_statistics = not _turn_off()
        return not _memory_statistics


def _turn_off() -> bool:
    lib = _library()
    if lib is None:
        return False
    if lib.sqlite3_memory_used() != 0:
        log.debug("SQLite is in use: its memory statistics stay on")
        return False
    # Statistics already off count nothing, so an idle count proves nothing: a connection of
    # our own must show up in it.
    probe = sqlite_module().connect(":memory:")
    try:
        counting = lib.sqlite3_memory_used() > 0
    finally:
        probe.close()
    if not counting:
        return True
    if lib.sqlite3_memory_used() != 0 or lib.sqlite3_shutdown() != SQLITE_OK:
        return False
    changed = lib.sqlite3_config(ctypes.c_int(SQLITE_CONFIG_MEMSTATUS), ctypes.c_int(0))
    if lib.sqlite3_initialize() != SQLITE_OK:
        raise RuntimeError("SQLite could not be initialised again after changing its settings")
    return bool(changed == SQLITE_OK)
