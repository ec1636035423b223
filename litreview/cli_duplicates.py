"""The ``litreview duplicates`` commands: list possible duplicates, merge a pair, dismiss one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import typer

from litreview.cli_output import bold, say
from litreview.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

duplicates_app = typer.Typer(
    help="Possible duplicates (same title, years within one, a shared family name): list, "
    "merge or dismiss.",
    invoke_without_command=True,
)


class CliContext(Protocol):
    def engine(self) -> Engine: ...


def _engine(ctx: typer.Context) -> Engine:
    context: CliContext = ctx.find_root().obj
    return context.engine()


@duplicates_app.callback()
def list_command(
    ctx: typer.Context,
    dismissed: bool = typer.Option(False, "--dismissed", help="List the dismissed pairs."),
) -> None:
    """List the possible duplicates with why (merge or dismiss them by the pair's number)."""
    if ctx.invoked_subcommand is not None:
        return
    from litreview.db import session_scope
    from litreview.library.duplicates import list_pairs
    from litreview.library.views import load_paper_summaries
    from litreview.models import DuplicateStatus

    status = DuplicateStatus.dismissed if dismissed else DuplicateStatus.open
    with session_scope(_engine(ctx), writes=False) as session:
        pairs = list_pairs(session, status)
        ids = sorted({i for p in pairs for i in (p.paper_a_id, p.paper_b_id)})
        papers = {v.paper.id: v.paper for v in load_paper_summaries(session, ids)}
        for pair in pairs:
            say(f"{bold(f'#{pair.id}')} {pair.reason}")
            for paper_id in (pair.paper_a_id, pair.paper_b_id):
                paper = papers[paper_id]
                title = paper.title or "[no title]"
                say(f"  {paper_id:>6}  {paper.key}  {paper.year or ''}  {title}")
        say(f"{len(pairs)} {'dismissed' if dismissed else 'possible duplicate'} pair(s)")


@duplicates_app.command("merge")
def merge_command(
    ctx: typer.Context,
    pair: int = typer.Argument(..., help="The pair's number (from `litreview duplicates`)."),
    keep: int | None = typer.Option(None, help="The id of the paper that stays (default: first)."),
    take: list[str] = typer.Option(
        [], "--take", help="FIELD=ID: take this field from that paper (repeat)."
    ),
) -> None:
    """Merge a pair: the other paper's key becomes an alias, its notes, tags, areas move."""
    from litreview.db import session_scope
    from litreview.library.aliases import aliases_of
    from litreview.library.duplicates import merge_pair

    choices: dict[str, int] = {}
    for item in take:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            raise InvalidInput(f"--take wants FIELD=ID, got {item!r}", field="take")
        choices[name.strip()] = int(value)
    with session_scope(_engine(ctx)) as session:
        paper_id = merge_pair(session, pair, keep=keep, take=choices)
        aliases = aliases_of(session, [paper_id]).get(paper_id, [])
    say(f"merged into paper {paper_id}; aliases: {', '.join(aliases)}")


@duplicates_app.command("dismiss")
def dismiss_command(
    ctx: typer.Context,
    pair: int = typer.Argument(..., help="The pair's number (from `litreview duplicates`)."),
) -> None:
    """Not a duplicate: the pair is remembered and not proposed again."""
    from litreview.db import session_scope
    from litreview.library.duplicates import dismiss_pair

    with session_scope(_engine(ctx)) as session:
        dismiss_pair(session, pair)
    say(f"pair {pair} dismissed")


def register(app: typer.Typer) -> None:
    """Add the ``duplicates`` command group to the main CLI."""
    app.add_typer(duplicates_app, name="duplicates")
