"""Settings read from ``LITREVIEW_*`` environment variables.

Nothing here runs at import time: callers build a :class:`Settings` with :func:`load_settings`
and pass it down. This module also owns where the shipped resources (``web/``, ``alembic/``) live.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import platformdirs

DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DATABASE_FILE = "litreview.db"
# Where litreview before 0.2 kept its library: relative to the folder it ran in.
OLD_DEFAULT_DATABASE_PATH = Path("data") / DATABASE_FILE
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Seconds a write waits for another writer (a long import) before answering "busy".
DEFAULT_BUSY_TIMEOUT = 5.0
# Milliseconds a search of the API may run before it answers "too broad, keep typing": with
# the request around it, every answer (a page or "keep typing") comes within 100 ms.
DEFAULT_SEARCH_TIME_LIMIT_MS = 80


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one running litreview."""

    database_url: str = field(default_factory=lambda: sqlite_url(default_database_path()))
    arxiv_api_url: str = DEFAULT_ARXIV_API_URL
    arxiv_delay: float = 3.0
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    search_time_limit_ms: float = DEFAULT_SEARCH_TIME_LIMIT_MS
    # Host names (besides the loopback ones) this server answers to; "*" for any.
    allowed_hosts: frozenset[str] = frozenset()
    # The address `serve` binds; a non-loopback one makes the token guard reads too.
    bind_host: str = "127.0.0.1"
    # Annotation images from other sites (they tell that site when a paper is viewed).
    remote_images: bool = False

    def with_database(self, url: str) -> Settings:
        """A copy pointing at another database."""
        return replace(self, database_url=url)


def default_database_path() -> Path:
    """The library every folder shares: ``litreview.db`` in the user's data directory
    (``$XDG_DATA_HOME/litreview``, else ``~/.local/share/litreview`` on Linux; the platform's
    equivalent elsewhere)."""
    return platformdirs.user_data_path("litreview", appauthor=False) / DATABASE_FILE


# How ``serve --workers N`` hands its settings (with --db, the bind address, a generated token)
# to the worker processes: they inherit the environment.
SETTINGS_VARIABLE = "LITREVIEW_SERVE_SETTINGS"


def settings_to_json(settings: Settings) -> str:
    """``settings`` as JSON text (sets as sorted lists), for :func:`settings_from_json`."""
    data = {
        f.name: sorted(value) if isinstance(value, frozenset) else value
        for f in fields(Settings)
        for value in [getattr(settings, f.name)]
    }
    return json.dumps(data)


def settings_from_json(text: str) -> Settings:
    """The settings :func:`settings_to_json` wrote."""
    data = json.loads(text)
    defaults = Settings()
    for name, value in data.items():
        if isinstance(getattr(defaults, name), frozenset):
            data[name] = frozenset(value)
    return Settings(**data)


def sqlite_url(path: Path | str) -> str:
    """The SQLAlchemy URL of a SQLite file (made absolute, so a later chdir cannot move it)."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def database_url_from(value: str) -> str:
    """Accept either a SQLAlchemy URL or a plain file path."""
    return value if "://" in value else sqlite_url(value)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (``os.environ`` by default)."""
    env = os.environ if environ is None else environ
    delay_text = env.get("LITREVIEW_ARXIV_DELAY", "3")
    try:
        delay = float(delay_text)
    except ValueError as exc:
        raise ValueError(
            f"LITREVIEW_ARXIV_DELAY must be a number of seconds, got {delay_text!r}"
        ) from exc
    if delay < 0:
        raise ValueError(f"LITREVIEW_ARXIV_DELAY must not be negative, got {delay_text!r}")
    upload_text = env.get("LITREVIEW_MAX_UPLOAD_BYTES", str(DEFAULT_MAX_UPLOAD_BYTES))
    try:
        max_upload = int(upload_text)
    except ValueError as exc:
        raise ValueError(
            f"LITREVIEW_MAX_UPLOAD_BYTES must be an integer, got {upload_text!r}"
        ) from exc
    busy_timeout = _number(env, "LITREVIEW_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT, "seconds")
    time_limit = _number(
        env, "LITREVIEW_SEARCH_TIME_LIMIT_MS", DEFAULT_SEARCH_TIME_LIMIT_MS, "milliseconds"
    )
    if max_upload <= 0:
        raise ValueError(f"LITREVIEW_MAX_UPLOAD_BYTES must be positive, got {upload_text!r}")
    token = env.get("LITREVIEW_TOKEN") or None
    if token is not None and token != token.strip():
        raise ValueError("LITREVIEW_TOKEN must not be blank or start or end with a space")
    hosts = env.get("LITREVIEW_ALLOWED_HOSTS", "")
    db = env.get("LITREVIEW_DATABASE_URL")
    return Settings(
        database_url=database_url_from(db) if db else sqlite_url(default_database_path()),
        arxiv_api_url=env.get("LITREVIEW_ARXIV_API_URL", DEFAULT_ARXIV_API_URL),
        arxiv_delay=delay,
        token=token,
        max_upload_bytes=max_upload,
        busy_timeout=busy_timeout,
        search_time_limit_ms=time_limit,
        allowed_hosts=frozenset(h.strip().lower() for h in hosts.split(",") if h.strip()),
        remote_images=_flag(env, "LITREVIEW_REMOTE_IMAGES"),
    )


def _number(env: Mapping[str, str], name: str, default: float, unit: str) -> float:
    """A non-negative number of ``unit`` from ``env[name]``; a clear ValueError otherwise."""
    text = env.get(name, "")
    if not text:
        return default
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of {unit}, got {text!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {text!r}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    text = env.get(name, "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name} must be 1/true/yes/on or 0/false/no/off, got {text!r}")


def resource_path(name: str) -> Path:
    """Where a shipped resource (``web``, ``alembic``, ``alembic.ini``) lives.

    An installed wheel carries them in ``litreview/_shipped``; a source checkout (also an
    editable install) has them at the top of the repository.
    """
    package_dir = Path(__file__).resolve().parent
    shipped = package_dir / "_shipped" / name
    if shipped.exists():
        return shipped
    return package_dir.parent / name
