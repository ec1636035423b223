"""The ``litreview import`` command: BibTeX files into the library, one transaction per file.

Registered on the main typer app by :func:`register`. Prints a summary per file (added, merged,
unchanged, failed with lines), one stderr line per failed block or record, and exits 1 when
anything failed; the good entries of a file are stored all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import typer

from litreview.cli_output import red, rich_console, say, stderr_is_terminal
from litreview.errors import InvalidInput, LitreviewError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from litreview.importers.table import Target
    from litreview.library.bibtex import BibtexImportReport


class CliContext(Protocol):
    def engine(self) -> Engine: ...


def import_files(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ..., metavar="FILE", help="BibTeX or BibLaTeX files, or spreadsheets (.csv, .xlsx)."
    ),
    tag: list[str] = typer.Option([], "--tag", "-t", help="Tag every paper (repeatable)."),
    area: str | None = typer.Option(
        None, "--area", help="Put every paper in this area path ('A/B'); missing areas are made."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would happen; store nothing."
    ),
    map_: list[str] = typer.Option(
        [],
        "--map",
        help="Spreadsheets: 'Header=field', 'Header=note:critique', 'Header=column' or"
        " 'Header=ignore' (repeatable).",
    ),
) -> None:
    """Import BibTeX files (any encoding; bad blocks are reported with their lines; JabRef
    groups become areas), Better BibTeX JSON exports (.json; collections become areas) and
    spreadsheets (.csv, .xlsx: a header row; unmapped headers become columns of one's own)."""
    from litreview.importers.table import parse_mapping

    mapping = parse_mapping(map_)
    context: CliContext = ctx.find_root().obj
    engine = context.engine()
    failed = False
    with _progress(len(files)) as advance:
        for path in files:
            try:
                report = _import_one(engine, path, tag, area, dry_run, mapping)
            except LitreviewError as exc:
                where = "" if exc.message.startswith(path.name) else f"{path}: "
                say(f"{red('failed')}  {where}{exc.message}", err=True)
                failed = True
            else:
                failed = _print_report(report) or failed
            advance()
    if failed:
        raise typer.Exit(1)


@contextmanager
def _progress(files: int) -> Iterator[Callable[[], None]]:
    """A bar over the files on a terminal (Rich's progress, loaded only then); what to call
    after each file."""
    if not stderr_is_terminal():
        yield lambda: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=rich_console(stderr=True), transient=True) as bar:
        task = bar.add_task("files", total=files)
        yield lambda: bar.advance(task)


def _import_one(
    engine: Engine,
    path: Path,
    tags: list[str],
    area: str | None,
    dry_run: bool,
    mapping: dict[str, Target],
) -> BibtexImportReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror or exc}") from exc
    from litreview.db import session_scope
    from litreview.importers.table import SUFFIXES

    if path.suffix.lower() in SUFFIXES:
        from litreview.library.table_import import import_table

        with session_scope(engine) as session:
            return import_table(
                session,
                data,
                source=path.name,
                mapping=mapping,
                tags=tags,
                area_path=area,
                dry_run=dry_run,
            )
    # A Better BibTeX JSON export (Zotero items and collections) rather than BibTeX.
    if path.suffix.lower() == ".json":
        from litreview.library.bbt_json import import_bbt_json as read
    else:
        from litreview.library.bibtex import import_bibtex as read
    with session_scope(engine) as session:
        return read(session, data, source=path.name, tags=tags, area_path=area, dry_run=dry_run)


def _print_report(report: BibtexImportReport) -> bool:
    """Print one file's summary and its failures; True when something failed."""
    for failure in report.failures:
        say(f"{red('failed')}  {report.source}: {failure}", err=True)
    counts = report.counts()
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n or status != "updated")
    encoding = report.info.get("encoding", "")
    note = " (dry run: nothing stored)" if report.dry_run else ""
    if report.info.get("group_areas"):
        note += f"; {report.info['group_areas']} areas from its groups"
    read = f"encoding {encoding}" if encoding else f"{report.info.get('rows', 0)} rows"
    say(f"{report.source}: {summary}; {read}{note}")
    for name, kind in report.info.get("new_columns", {}).items():
        say(f"  new column {name!r}: {kind}")
    return bool(report.failures)


def register(app: typer.Typer) -> None:
    """Add the ``import`` command to the main CLI."""
    app.command("import")(import_files)
