"""The ``litreview`` command: a thin client of library/, one transaction per command.

Every failure is one red line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import typer

from litreview.cli_areas import register as register_area_commands
from litreview.cli_arxiv import register as register_arxiv_commands
from litreview.cli_bibtex import register as register_bibtex_commands
from litreview.cli_columns import register as register_column_commands
from litreview.cli_duplicates import register as register_duplicate_commands
from litreview.cli_export import register as register_export_commands
from litreview.cli_library import (
    MEMBER_OPTION,
    DbAnywhereGroup,
    LibraryChoice,
    describe_library,
)
from litreview.cli_library import register as register_library_commands
from litreview.cli_output import red, rich_console, say
from litreview.cli_query import query_options
from litreview.cli_suggestions import register as register_suggestion_commands
from litreview.cli_users import register as register_user_commands
from litreview.config import (
    SETTINGS_VARIABLE,
    Settings,
    database_url_from,
    load_settings,
    settings_to_json,
)
from litreview.errors import InvalidInput, LitreviewError
from litreview.query import PaperQuery

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Every command imports what it uses when it runs: `litreview --help` and a small import start in
# a fraction of the time it takes to load the web app, the exporters and the whole library
# (bench/cli_startup.py; tests/test_cli_startup.py keeps it so).

app = typer.Typer(
    name="litreview",
    help="A literature-review manager: papers, annotations, research areas and relations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help: Rich's help panels import a Markdown parser and cost more than the command.
    rich_markup_mode=None,
    cls=DbAnywhereGroup,
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
register_arxiv_commands(app)
register_bibtex_commands(app)
register_export_commands(app)
register_column_commands(app)
register_duplicate_commands(app)
register_library_commands(app)
register_user_commands(app)
register_area_commands(app)
register_suggestion_commands(app)


@dataclass
class Context:
    """What every command gets: the settings, and the engine once opened."""

    settings: Settings
    library_choice: LibraryChoice = LibraryChoice.default
    # --member: the member this command's changes are recorded as (and whose reading status
    # and rating it reads and sets); None: nobody.
    member: str | None = None
    _engine: Engine | None = None

    def engine(self) -> Engine:
        """The database engine, with the schema upgraded (a new file is created); its
        sessions act for ``member``."""
        if self._engine is None:
            from litreview.db import make_engine, upgrade

            engine = make_engine(
                self.settings.database_url, busy_timeout=self.settings.busy_timeout
            )
            self._engine = engine
            upgrade(engine)
            if self.member is not None:
                self._engine = acting_engine(engine, self.member)
        return self._engine

    def close(self) -> None:
        """Close the engine's connections (a server's sockets, not only files)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def acting_engine(engine: Engine, name: str) -> Engine:
    """``engine`` acting for the member named ``name`` (an error if there is none)."""
    from litreview.db import session_scope
    from litreview.library.attribution import engine_acting_as
    from litreview.library.members import find_member

    with session_scope(engine, writes=False) as session:
        return engine_acting_as(engine, find_member(session, name))


def context(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context)
    return obj


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        help="Library: a SQLite file path or a SQLAlchemy URL, before or after the command "
        "(default: $LITREVIEW_DATABASE_URL, else litreview.db in the user's data directory; "
        "`litreview info` says which).",
    ),
    member: str | None = typer.Option(
        None,
        MEMBER_OPTION,
        envvar="LITREVIEW_MEMBER",
        help="Record this command's changes as this member's, as a signed-in member's are "
        "(notes, annotations, imports, areas; their own reading status and rating).",
    ),
) -> None:
    """litreview: keep an annotated bibliography and a map of research areas."""
    try:
        settings = load_settings()
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    choice = LibraryChoice.environment if os.environ.get("LITREVIEW_DATABASE_URL") else None
    if db:
        settings = settings.with_database(database_url_from(db))
        choice = LibraryChoice.option
    ctx.obj = Context(settings, choice or LibraryChoice.default, member)
    ctx.call_on_close(ctx.obj.close)


# Open pages hold a live stream (GET /api/events) that never ends by itself: on Ctrl+C the
# server waits this long for requests to finish, then stops (an unfinished write rolls back).
SHUTDOWN_GRACE_SECONDS = 5


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(8000, help="Port to bind."),
    workers: int = typer.Option(
        1, min=1, help="Worker processes; on SQLite, WAL lets them read in parallel."
    ),
) -> None:
    """Run the web UI and JSON API (http://127.0.0.1:8000 by default)."""
    import uvicorn

    from litreview.app import create_app
    from litreview.db import session_scope
    from litreview.library.members import accounts_enabled
    from litreview.library.summary import paper_count

    with session_scope(context(ctx).engine(), writes=False) as session:
        papers = paper_count(session)
        accounts = accounts_enabled(session)
    # With members, each one signs in (or sends their own token): no server-wide token.
    settings = context(ctx).settings
    settings = replace(settings, bind_host=host) if accounts else network_settings(settings, host)
    library = describe_library(settings.database_url)
    if workers == 1:
        application = create_app(settings)
        say(f"litreview on http://{_url_host(host)}:{port}  (library {library}, {papers} papers)")
        uvicorn.run(
            application,
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        )
        return
    # Each worker process builds its app from these settings, passed through the environment
    # (the schema is already upgraded, by the engine above).
    os.environ[SETTINGS_VARIABLE] = settings_to_json(settings)
    say(
        f"litreview on http://{_url_host(host)}:{port}"
        f"  ({workers} workers, library {library}, {papers} papers)"
    )
    uvicorn.run(
        "litreview.app:create_app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


def network_settings(settings: Settings, host: str) -> Settings:
    """The settings for serving on ``host``.

    On a network address a token of 16 or more characters guards everything; without one, a
    token is generated and printed (as Jupyter does)."""
    import secrets

    from litreview.api.guard import MIN_NETWORK_TOKEN_LENGTH, host_name, is_loopback

    settings = replace(settings, bind_host=host)
    if is_loopback(host_name(host)):
        return settings
    if settings.token is None:
        token = secrets.token_urlsafe(24)
        say(f"this server is reachable from the network; its token is: {token}")
        return replace(settings, token=token)
    if len(settings.token) < MIN_NETWORK_TOKEN_LENGTH:
        raise InvalidInput(
            f"refusing to listen on {host}: LITREVIEW_TOKEN must have at least "
            f"{MIN_NETWORK_TOKEN_LENGTH} characters (or leave it unset to get a generated one)"
        )
    return settings


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database or bring its schema up to date."""
    from litreview.db import current_revision

    engine = context(ctx).engine()
    say(f"database at revision {current_revision(engine)}")


@db_app.command("copy")
def db_copy(
    from_url: str = typer.Argument(..., help="The library to copy: a SQLite file or a URL."),
    to_url: str = typer.Argument(
        ..., help="Where to: a SQLite file or a URL (postgresql+psycopg://...)."
    ),
    replace: bool = typer.Option(
        False, "--replace", "--force", help="Delete what the target holds and copy over it."
    ),
) -> None:
    """Copy a whole library to another database (SQLite to PostgreSQL and back), verified."""
    from litreview.db import make_engine
    from litreview.db_copy import copy_library

    source = make_engine(database_url_from(from_url))
    target = make_engine(database_url_from(to_url))
    try:
        report = copy_library(source, target, replace=replace)
    finally:
        source.dispose()
        target.dispose()
    say(
        f"copied {report.total} rows ({report.rows.get('paper', 0)} papers) in"
        f" {len(report.rows)} tables; counts, rows and export checked"
        f" (sha256 {report.export_checksum[:16]})"
    )


@app.command()
@query_options(PaperQuery, skip=("q",))
def search(
    ctx: typer.Context,
    text: str = typer.Argument(
        "", metavar="QUERY", help="Words to find in titles, abstracts, authors, annotations."
    ),
    query: PaperQuery = PaperQuery(),
) -> None:
    """Search the library and print matching papers (the filters of GET /api/papers)."""
    from rich.table import Table

    from litreview.db import session_scope
    from litreview.library.search import search_paper_ids
    from litreview.library.views import load_paper_summaries

    query = PaperQuery.parse(**{**query.model_dump(exclude_defaults=True), "q": text or None})
    with session_scope(context(ctx).engine(), writes=False) as session:
        ids, total = search_paper_ids(session, query)
        views = load_paper_summaries(session, ids)
        table = Table("key", "year", "title", "authors", title=f"{total} papers")
        for view in views:
            paper = view.paper
            names = ", ".join(p.family or p.name for p in view.authors[:3])
            if len(view.authors) > 3:
                names += " et al."
            table.add_row(paper.key, str(paper.year or ""), paper.title, names)
        rich_console().print(table)


@app.command("load-sample")
def load_sample(ctx: typer.Context) -> None:
    """Load the small sample library shipped in data/, tagged `sample` (idempotent);
    `litreview remove --tag sample` takes it out again."""
    from litreview.db import session_scope
    from litreview.library.sample import load_sample_library

    with session_scope(context(ctx).engine()) as session:
        report = load_sample_library(session)
    say(report)


def main(args: list[str] | None = None) -> None:
    """Entry point: run the CLI (on ``args``, else the command line), turning every expected
    failure into one clear line."""
    try:
        app(args)
    except LitreviewError as exc:
        say(f"{red('error:')} {exc.message}", err=True)
        sys.exit(1)
    except OSError as exc:
        say(f"{red('error:')} {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        # SQLAlchemy is imported only by the commands that open the database.
        sa_exc = sys.modules.get("sqlalchemy.exc")
        if sa_exc is None or not isinstance(exc, sa_exc.SQLAlchemyError):
            raise
        say(f"{red('error:')} {_database_failure(exc)}", err=True)
        sys.exit(1)


def _database_failure(exc: Exception) -> str:
    """One line for a database failure: a damaged or read-only file, an unusable URL."""
    import sqlalchemy as sa

    from litreview.db import database_fault

    if isinstance(exc, sa.exc.DBAPIError):
        return database_fault(exc).message
    if isinstance(exc, sa.exc.ArgumentError | sa.exc.NoSuchModuleError):
        return f"cannot use this database URL: {exc}"
    return f"database: {exc}"


if __name__ == "__main__":  # pragma: no cover
    main()
