"""``litreview suggestions``: relations the papers suggest, listed, accepted or dismissed."""

from __future__ import annotations

import typer

from litreview.choices import SuggestionState
from litreview.cli_areas import command_engine
from litreview.cli_output import rich_console, say

suggestions_app = typer.Typer(
    help="Relations suggested by the papers themselves (no subcommand: list the pending ones).",
    invoke_without_command=True,
)


@suggestions_app.callback()
def show(
    ctx: typer.Context,
    paper: str | None = typer.Option(None, "--paper", help="Only this paper's (citation key)."),
    refresh: bool = typer.Option(False, "--refresh", help="Look through the library first."),
    state: SuggestionState = typer.Option(SuggestionState.pending, help="Which to list."),
) -> None:
    """List suggested relations (ID, source, relation, target, where found)."""
    if ctx.invoked_subcommand is not None:
        return
    import sqlalchemy as sa
    from rich.table import Table
    from sqlmodel import col

    from litreview.db import session_scope
    from litreview.library.papers_base import get_paper_by_key
    from litreview.library.suggestions import count_pending, list_suggestions, refresh_suggestions
    from litreview.models import Paper

    with session_scope(command_engine(ctx), writes=refresh) as session:
        added = refresh_suggestions(session) if refresh else 0
        paper_id = get_paper_by_key(session, paper).id if paper else None
        found = list_suggestions(session, paper_id=paper_id, state=state)
        ids = {s.source_id for s in found} | {s.target_id for s in found}
        rows = session.execute(
            sa.select(col(Paper.id), col(Paper.key)).where(col(Paper.id).in_(ids))
        )
        keys: dict[int, str] = {paper_id: key for paper_id, key in rows}
        title = f"{len(found)} {state.value} suggestions"
        if refresh:
            title += f" ({added} new)"
        table = Table("id", "source", "relation", "target", "found in", title=title)
        for s in found:
            table.add_row(
                str(s.id), keys[s.source_id], s.relation.value, keys[s.target_id], s.found_in
            )
        rich_console().print(table)
        if paper is None and state is not SuggestionState.pending:
            say(f"{count_pending(session)} pending")


@suggestions_app.command("accept")
def accept(
    ctx: typer.Context, ids: list[int] = typer.Argument(..., help="Suggestion ids.")
) -> None:
    """Accept suggestions: each becomes a relation between its two papers."""
    from litreview.db import session_scope
    from litreview.library.suggestions import decide_suggestion

    with session_scope(command_engine(ctx)) as session:
        for suggestion_id in ids:
            decide_suggestion(session, suggestion_id, accept=True)
    say(f"accepted {len(ids)}")


@suggestions_app.command("dismiss")
def dismiss(
    ctx: typer.Context, ids: list[int] = typer.Argument(..., help="Suggestion ids.")
) -> None:
    """Dismiss suggestions: they are never suggested again."""
    from litreview.db import session_scope
    from litreview.library.suggestions import decide_suggestion

    with session_scope(command_engine(ctx)) as session:
        for suggestion_id in ids:
            decide_suggestion(session, suggestion_id, accept=False)
    say(f"dismissed {len(ids)}")


def register(app: typer.Typer) -> None:
    """Add the ``suggestions`` command group to the main CLI."""
    app.add_typer(suggestions_app, name="suggestions")
