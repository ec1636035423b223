"""A throwaway PostgreSQL server for the tests: ``$LITREVIEW_TEST_POSTGRES_URL``, or a cluster
that this module starts on a free port in a temporary folder (Debian's ``postgresql``: initdb
and pg_ctl, run as the ``postgres`` user when we are root), stopped at the end of the session.

Where neither is possible the caller gets the reason, and the PostgreSQL half of the tests skips
with it.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ENV_URL = "LITREVIEW_TEST_POSTGRES_URL"
# Where Debian puts the server programs (one folder per major version).
DEBIAN_BINARIES = Path("/usr/lib/postgresql")


@dataclass
class PostgresServer:
    """A running server: the URL of its maintenance database, and how to stop it (if ours)."""

    url: str
    data_dir: Path | None = None
    pg_ctl: Path | None = None
    user: str | None = None

    def database_url(self, name: str) -> str:
        return sa.make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        if self.data_dir is None or self.pg_ctl is None:
            return
        _run([str(self.pg_ctl), "-D", str(self.data_dir), "-m", "immediate", "stop"], self.user)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest Debian version, else on PATH)."""
    if DEBIAN_BINARIES.is_dir():
        versions = sorted(
            (p for p in DEBIAN_BINARIES.iterdir() if (p / "bin" / "initdb").exists()),
            key=lambda p: int(p.name) if p.name.isdigit() else 0,
        )
        if versions:
            return versions[-1] / "bin"
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], user: str | None) -> subprocess.CompletedProcess[str]:
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def start_server() -> PostgresServer | str:
    """A running server, or the reason there is none."""
    url = os.environ.get(ENV_URL)
    if url:
        return PostgresServer(url)
    binaries = find_binaries()
    if binaries is None:
        return "PostgreSQL is not installed (no initdb; apt-get install postgresql)"
    user: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
        user = "postgres"
    home = Path(tempfile.mkdtemp(prefix="litreview-pg-"))
    data = home / "data"
    if user is not None:
        shutil.chown(home, user)
    init = _run(
        [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
        user,
    )
    if init.returncode != 0:
        shutil.rmtree(home, ignore_errors=True)
        return f"initdb failed: {init.stderr.strip()[-300:]}"
    port = _free_port()
    # A test server: no durability (fsync off), sockets in its own folder, enough connections
    # for the tests and the load benchmark.
    options = (
        f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    log = home / "log"
    start = _run(
        [str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
        user,
    )
    if start.returncode != 0:
        logged = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(home, ignore_errors=True)
        return f"pg_ctl start failed: {(start.stderr + logged).strip()[-300:]}"
    return PostgresServer(
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
        data_dir=data,
        pg_ctl=binaries / "pg_ctl",
        user=user,
    )


def create_database(server: PostgresServer, name: str, template: str | None = None) -> str:
    """A new database on the server (a copy of ``template`` if given); its URL."""
    admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    finally:
        admin.dispose()
    return server.database_url(name)


def drop_database(server: PostgresServer, name: str) -> None:
    admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


# What a library's schema is (tables, columns, indexes, constraints, triggers, functions, the
# migration it is at, its settings): a library a test changed this in is not used again.
SCHEMA_FINGERPRINT = """
SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
    SELECT 'rel ' || c.relname || ' ' || c.relkind::text || ' ' || coalesce((
        SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
                          || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
                          ';' ORDER BY a.attnum)
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    UNION ALL SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index
        WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
    UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
        || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger ' || pg_get_triggerdef(oid) || ' ' || tgenabled::text FROM pg_trigger
        WHERE NOT tgisinternal
    UNION ALL SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc)
        FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
    UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
    UNION ALL SELECT 'version ' || version_num FROM alembic_version
    UNION ALL SELECT 'setting ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
        WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) AS items
"""


class PostgresLibraries:
    """PostgreSQL libraries for the tests, each as empty as the template when a test gets it.

    A library is a copy of the template (CREATE DATABASE ... TEMPLATE) the first time; after its
    test, its other connections are ended and every row is deleted (triggers and foreign keys
    off, as for a restore) and every sequence set back to its start, and the next test gets
    it. For the server that costs about a fifth of dropping the library and copying the
    template again.
    A library whose schema the test changed (``SCHEMA_FINGERPRINT``), or that cannot be
    emptied so (a server user that is not a superuser), is dropped and the next one copied.
    """

    def __init__(self, server: PostgresServer, template: str) -> None:
        self.server = server
        self.template = template
        self._numbers = itertools.count()
        self._spare: str | None = None
        # A connection kept to each library for emptying it (a new one costs the server ~10 ms).
        self._emptiers: dict[str, sa.Engine] = {}
        engine = sa.create_engine(server.database_url(template))
        try:
            with engine.connect() as conn:
                self._fingerprint = conn.exec_driver_sql(SCHEMA_FINGERPRINT).scalar_one()
                tables = conn.exec_driver_sql(
                    "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'alembic_version' ORDER BY tablename"
                ).scalars()
                sequences = conn.exec_driver_sql(
                    "SELECT quote_ident(sequencename), start_value FROM pg_sequences"
                    " WHERE schemaname = 'public' ORDER BY sequencename"
                ).all()
                # setval(..., false) as ALTER SEQUENCE ... RESTART does, without the new file
                # RESTART gives each sequence (17 of them: 18 ms of the server's CPU a test).
                restart = ", ".join(f"setval('{seq}', {start}, false)" for seq, start in sequences)
                self._empty = "".join(
                    [
                        "SET LOCAL session_replication_role = replica;",
                        *(f"DELETE FROM {table};" for table in tables),
                        f"SELECT {restart};" if restart else "",
                    ]
                )
                self._reusable = bool(
                    conn.exec_driver_sql(
                        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                    ).scalar()
                )
        finally:
            engine.dispose()

    def take(self) -> str:
        """The name of an empty library for one test."""
        if self._spare is not None:
            name, self._spare = self._spare, None
            return name
        name = f"litreview_test_{os.getpid()}_{next(self._numbers)}"
        create_database(self.server, name, template=self.template)
        return name

    def give_back(self, name: str) -> None:
        """The test is over: empty the library for the next one, or drop it."""
        if self._reusable and self._spare is None and self._emptied(name):
            self._spare = name
        else:
            self._forget(name)
            drop_database(self.server, name)

    def _emptied(self, name: str) -> bool:
        engine = self._emptiers.get(name)
        if engine is None:
            url = self.server.database_url(name)
            engine = self._emptiers[name] = sa.create_engine(url, pool_size=1, pool_pre_ping=True)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                if conn.exec_driver_sql(SCHEMA_FINGERPRINT).scalar_one() != self._fingerprint:
                    return False
                conn.exec_driver_sql(self._empty)
            return True
        except sa.exc.DBAPIError:
            return False

    def _forget(self, name: str) -> None:
        engine = self._emptiers.pop(name, None)
        if engine is not None:
            engine.dispose()

    def close(self) -> None:
        for name in list(self._emptiers):
            self._forget(name)
        if self._spare is not None:
            drop_database(self.server, self._spare)
            self._spare = None
