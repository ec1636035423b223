"""Which library the CLI opens, and commands about the library as a whole.

- ``--db`` and ``--member`` are root options, but users type them after the command too
  (``litreview import --db x.db refs.bib``): :class:`DbAnywhereGroup` moves them to the front.
- ``litreview info``: which library is open, where that choice came from, and what it holds.
- ``litreview remove``: delete the papers a query selects (``--tag sample`` takes out what
  ``load-sample`` loaded), after a confirmation or with ``--yes``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import typer
from typer.core import TyperGroup

from litreview.cli_output import say
from litreview.cli_query import query_options
from litreview.config import OLD_DEFAULT_DATABASE_PATH, Settings
from litreview.errors import InvalidInput
from litreview.query import PaperFilter

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DB_OPTION = "--db"
MEMBER_OPTION = "--member"
# The root options (each takes a value) accepted before or after the command.
ROOT_OPTIONS = (DB_OPTION, MEMBER_OPTION)
# How many titles ``remove`` lists before asking.
SHOWN_BEFORE_REMOVING = 10


class LibraryChoice(StrEnum):
    """Where the open library's location came from, strongest first."""

    option = "--db"
    environment = "LITREVIEW_DATABASE_URL"
    default = "the default (the user's data directory)"


class CliContext(Protocol):
    settings: Settings
    library_choice: LibraryChoice

    def engine(self) -> Engine: ...


def hoist_db_option(args: list[str]) -> list[str]:
    """``args`` with every root option (``--db VALUE`` / ``--db=VALUE``, ``--member``) moved to
    the front (before the command), so it is accepted on either side; ``--`` ends the search."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg in ROOT_OPTIONS and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 2
            continue
        if arg.startswith(tuple(option + "=" for option in ROOT_OPTIONS)):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class DbAnywhereGroup(TyperGroup):
    """The root command group: ``--db`` and ``--member`` may come before or after the command."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        return super().parse_args(ctx, hoist_db_option(args))


def describe_library(url: str) -> str:
    """A library as a person reads it: a SQLite file's path, else the URL without password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def info(ctx: typer.Context) -> None:
    """Say which library is open (and why) and what it holds."""
    from litreview.db import session_scope
    from litreview.library.summary import library_summary

    context: CliContext = ctx.find_root().obj
    with session_scope(context.engine(), writes=False) as session:
        summary = library_summary(session)
    rows = [
        ("library", describe_library(context.settings.database_url)),
        ("chosen by", context.library_choice.value),
        ("papers", f"{summary.papers} ({summary.annotated} annotated)"),
        ("areas", str(summary.areas)),
        ("tags", str(summary.tags)),
    ]
    for label, value in rows:
        say(f"{label:<10} {value}")
    old = Path.cwd() / OLD_DEFAULT_DATABASE_PATH
    if context.library_choice is LibraryChoice.default and old.is_file():
        say(
            f"note: {old} is a library an older litreview made here; "
            f"open it with --db {OLD_DEFAULT_DATABASE_PATH}"
        )


@query_options(PaperFilter, skip=("q",))
def remove(
    ctx: typer.Context,
    text: str = typer.Argument(
        "", metavar="QUERY", help="Words the papers must match (as in search)."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for a confirmation."),
    query: PaperFilter = PaperFilter(),  # the filters of search, as options (query_options)
) -> None:
    """Remove the papers a query selects (the filters of search), with their annotations, notes
    and relations."""
    from litreview.db import session_scope
    from litreview.library.export import select_paper_ids
    from litreview.library.removal import delete_papers
    from litreview.library.views import load_paper_summaries

    selection = PaperFilter.parse(**{**query.model_dump(exclude_defaults=True), "q": text or None})
    if not (selection.is_filtered() or selection.area):
        raise InvalidInput("say which papers to remove: words to match, --tag, --area or --status")
    context: CliContext = ctx.find_root().obj
    library = describe_library(context.settings.database_url)
    with session_scope(context.engine()) as session:
        ids = select_paper_ids(session, selection)
        if not ids:
            say("no paper matches; nothing removed")
            return
        for view in load_paper_summaries(session, ids[:SHOWN_BEFORE_REMOVING]):
            say(f"  {view.paper.key}  {view.paper.title}")
        if len(ids) > SHOWN_BEFORE_REMOVING:
            say(f"  ... and {len(ids) - SHOWN_BEFORE_REMOVING} more")
        if not yes and not typer.confirm(f"Remove these {len(ids)} papers from {library}?"):
            raise InvalidInput("nothing removed")
        removed = delete_papers(session, ids)
    say(f"{removed} papers removed from {library}")


def register(app: typer.Typer) -> None:
    """Add ``info`` and ``remove`` to the main app."""
    app.command("info")(info)
    app.command("remove")(remove)
