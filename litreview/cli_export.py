"""The ``litreview export`` command: the library, or a selection, as Markdown, BibTeX or CSL-JSON.

Registered on the main typer app by :func:`register`. Writes to stdout by default; ``-o FILE``
writes a temporary file next to FILE and renames it over FILE, so FILE is never half-written.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import typer

from litreview.choices import PaperOrder, TagPrinting
from litreview.cli_query import query_options
from litreview.errors import InvalidInput
from litreview.exporters import format_names, get_format
from litreview.query import PaperFilter

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class CliContext(Protocol):
    def engine(self) -> Engine: ...


@query_options(PaperFilter)
def export_command(
    ctx: typer.Context,
    format_name: str = typer.Option(
        "markdown", "--format", "-f", help=f"Output format: {', '.join(format_names())}."
    ),
    query: PaperFilter = PaperFilter(),  # the filters, as options (query_options)
    title: str | None = typer.Option(None, "--title", help="Title of the Markdown bibliography."),
    intro: Path | None = typer.Option(
        None, "--intro", metavar="FILE", help="Markdown file printed after the title."
    ),
    template: Path | None = typer.Option(
        None, "--template", metavar="FILE", help="Jinja2 template for your own Markdown layout."
    ),
    order: PaperOrder = typer.Option(
        PaperOrder.by_year, "--order", help="Order of papers under each area."
    ),
    with_status: bool = typer.Option(False, "--with-status", help="Show reading statuses."),
    with_rating: bool = typer.Option(False, "--with-rating", help="Show ratings."),
    with_notes: bool = typer.Option(
        False, "--with-notes", help="Print each paper's further notes (quotes, questions, ...)."
    ),
    print_tags: TagPrinting = typer.Option(
        TagPrinting.all, "--print-tags", help="Tags the bibliography prints (public: not private)."
    ),
    with_map: bool = typer.Option(
        False, "--with-map", help="Begin the Markdown with the map of areas as a Mermaid chart."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write to FILE (default: stdout)."
    ),
    column: list[str] = typer.Option(
        [],
        "--column",
        "-c",
        help="csv/xlsx: a column to write (repeatable; default: all); markdown: a column of"
        " one's own to print under each paper.",
    ),
    areas_table: str | None = typer.Option(
        None, "--areas-table", metavar="COLUMN", help="markdown: a table of areas by this column."
    ),
    matrix: str | None = typer.Option(
        None,
        "--matrix",
        metavar="ROWS,COLUMNS",
        help="markdown: papers by two dimensions (a choice column, area:PATH, tag:PREFIX, year).",
    ),
) -> None:
    """Export the library (or a selection) as Markdown, BibTeX, CSL-JSON, CSV or XLSX."""
    fmt = get_format(format_name)
    if template is not None and fmt.name != "markdown":
        raise InvalidInput("--template works with --format markdown only")
    from litreview.db import session_scope
    from litreview.exporters import export_chunks
    from litreview.library.export import ExportOptions, TemplateSource

    options = ExportOptions(
        title=title,
        intro=_read(intro) if intro else None,
        order=order,
        with_status=with_status,
        with_rating=with_rating,
        with_notes=with_notes,
        tags=print_tags,
        with_map=with_map,
        template=TemplateSource(str(template), _read(template)) if template else None,
        columns=column,
        areas_table=areas_table,
        matrix=matrix,
    )
    context: CliContext = ctx.find_root().obj
    with session_scope(context.engine(), writes=False) as session:
        chunks = export_chunks(session, fmt, query, options)
        if output is None:
            _write_stdout(chunks)
        else:
            write_atomically(output, chunks)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput(f"cannot read {path}: {reason}") from exc


def _write_stdout(chunks: Iterable[str | bytes]) -> None:
    """Write the pieces to standard output as they come (text as UTF-8)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        for chunk in chunks:
            data = chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")
            sys.stdout.write(data.decode("utf-8", errors="replace"))
        return
    sys.stdout.flush()
    for chunk in chunks:
        buffer.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
    buffer.flush()


def write_atomically(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write the pieces (text as UTF-8) to ``path`` via a temporary file in the same folder and a
    rename: ``path`` is replaced only once every piece is written."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = _default_mode()
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def register(app: typer.Typer) -> None:
    """Add the ``export`` command to the main CLI."""
    app.command("export")(export_command)
