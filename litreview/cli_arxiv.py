"""The ``add`` and ``refresh`` commands: arXiv in, one line per id out.

Registered on the main typer app by :func:`register`. Each command is one transaction: what was
fetched is committed even when some ids failed; then the exit code is 1 and every failure has
its own line on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import typer

from litreview.choices import WebSourceKind
from litreview.cli_output import red, rich_console, say, stderr_is_terminal
from litreview.config import Settings
from litreview.errors import InvalidInput

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy.engine import Engine

    from litreview.importers.arxiv_fetch import ArxivFetcher
    from litreview.library.arxiv import ArxivOutcome, RefreshItem


class CliContext(Protocol):
    """What the main CLI keeps in ``ctx.obj``: settings and the (upgraded) engine."""

    settings: Settings

    def engine(self) -> Engine: ...


def _context(ctx: typer.Context) -> CliContext:
    obj: CliContext = ctx.find_root().obj
    return obj


@contextmanager
def _fetcher(settings: Settings) -> Iterator[ArxivFetcher]:
    import httpx

    from litreview.importers.arxiv_fetch import fetcher_for

    with httpx.Client() as http:
        yield fetcher_for(settings, http)


@contextmanager
def _progress(what: str) -> Iterator[Progress]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    console = rich_console(stderr=True)
    with Progress(
        *columns, console=console, transient=True, disable=not stderr_is_terminal()
    ) as progress:
        yield progress


def read_id_file(path: Path) -> list[str]:
    """Ids from a file (``-`` for stdin): whitespace- or comma-separated, ``#`` starts a comment."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read ids from {str(path)!r}: {exc}", file=str(path)) from exc
    ids: list[str] = []
    for line in text.splitlines():
        ids.extend(line.split("#", 1)[0].replace(",", " ").split())
    return ids


def add(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(
        None,
        metavar="ID_OR_URL",
        help="arXiv ids or URLs: 2305.01610, arXiv:2305.01610v2, hep-th/9901001, ...",
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="Also read ids from this file, one or more a line ('-': stdin)."
    ),
    tag: list[str] = typer.Option([], "--tag", "-t", help="Tag every paper (repeatable)."),
    area: str | None = typer.Option(
        None, "--area", help="Put every paper in this area path ('A/B'); missing areas are made."
    ),
    url: str | None = typer.Option(
        None, "--url", help="Add a web source (blog or forum post, report, video) at this address."
    ),
    title: str | None = typer.Option(None, "--title", help="The web source's title."),
    author: list[str] = typer.Option([], "--author", help="The web source's author (repeatable)."),
    kind: WebSourceKind = typer.Option(
        WebSourceKind.other, "--kind", help="The web source's kind."
    ),
    date: str | None = typer.Option(None, "--date", help="Its date: YYYY, YYYY-MM or YYYY-MM-DD."),
    site: str | None = typer.Option(
        None, "--site", help="Where it was published (LessWrong, ...)."
    ),
) -> None:
    """Add papers from arXiv by id or URL (many ids per request, newer versions update), or a
    web source with --url and --title."""
    if url is not None or title is not None:
        from litreview.cli_web import add_web_source_command
        from litreview.library.web_sources import WebSource

        if ids or file is not None:
            raise InvalidInput("add either arXiv ids or one web source (--url), not both")
        source = WebSource(
            title=title or "", url=url or "", kind=kind, authors=author, date=date, site=site
        )
        source.tags, source.area_path = tag, area
        add_web_source_command(_context(ctx).engine(), source)
        return
    inputs = list(ids or [])
    if file is not None:
        inputs += read_id_file(file)
    if not inputs:
        raise InvalidInput("give arXiv ids or URLs, or --file with ids")
    from litreview.db import session_scope
    from litreview.library.arxiv import add_arxiv

    context = _context(ctx)
    with (
        session_scope(context.engine()) as session,
        _fetcher(context.settings) as fetcher,
        _progress("fetching from arXiv") as bar,
    ):
        task = bar.add_task("arXiv", total=len(inputs))
        outcomes = add_arxiv(
            session,
            fetcher,
            inputs,
            tags=tag,
            area_path=area,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    _print_outcomes(outcomes)
    if any(o.failed for o in outcomes):
        raise typer.Exit(1)


def _print_outcomes(outcomes: list[ArxivOutcome]) -> None:
    for o in outcomes:
        if o.failed:
            say(f"{red('failed')}  {o.input}: {o.message}", err=True)
            continue
        version = f"v{o.version}" if o.version else ""
        note = f"  ({o.message})" if o.message else ""
        say(f"{o.status.value:<9} {o.input}  {o.key or ''} {version}{note}")
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status.value] = counts.get(o.status.value, 0) + 1
    say(", ".join(f"{n} {status}" for status, n in counts.items()))


def refresh(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(None, help="Only these stored arXiv ids (default: all)."),
) -> None:
    """Re-fetch stored arXiv papers; report new versions, stale annotations, journal refs, DOIs."""
    from litreview.db import session_scope
    from litreview.library.arxiv import refresh_arxiv

    context = _context(ctx)
    with (
        session_scope(context.engine()) as session,
        _fetcher(context.settings) as fetcher,
        _progress("refreshing from arXiv") as bar,
    ):
        task = bar.add_task("arXiv", total=None)
        report = refresh_arxiv(
            session,
            fetcher,
            only=ids or None,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for item in report.items:
        if item.status.value == "failed":
            say(f"{red('failed')}  {item.arxiv_id} ({item.key}): {item.message}", err=True)
        elif item.noteworthy:
            say(_refresh_line(item))
    say(
        f"{len(report.items)} arXiv papers checked, "
        f"{sum(i.status.value == 'updated' for i in report.items)} updated, "
        f"{len(report.stale)} annotations written about an older version, "
        f"{len(report.failed)} failed"
    )
    if report.failed:
        raise typer.Exit(1)


def _refresh_line(item: RefreshItem) -> str:
    notes = []
    if item.new_version != item.old_version:
        notes.append(f"v{item.old_version} -> v{item.new_version}")
    if item.annotation_stale:
        notes.append(f"annotation written about v{item.annotated_version}")
    if item.new_journal_ref:
        notes.append(f"journal ref: {item.new_journal_ref}")
    if item.new_doi:
        notes.append(f"DOI: {item.new_doi}")
    return f"{item.arxiv_id} ({item.key}): " + "; ".join(notes)


def register(app: typer.Typer) -> None:
    """Add the arXiv commands to the main CLI."""
    app.command("add")(add)
    app.command("refresh")(refresh)
