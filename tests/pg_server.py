"""A throwaway PostgreSQL server for the tests: ``$LITREVIEW_TEST_POSTGRES_URL``, or a cluster
that this module starts on a free port in a temporary folder (Debian's ``postgresql``: initdb
and pg_ctl, run as the ``postgres`` user when we are root), stopped at the end of the session.

Where neither is possible the caller gets the reason, and the PostgreSQL half of the tests skips
with it.
"""

from __future__ import annotations

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
