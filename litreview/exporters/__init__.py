"""Export formats by name: each turns :class:`~litreview.library.export.ExportData` into text.

``FORMATS`` maps a name to an :class:`ExportFormat` (file suffix, media type, render function);
:func:`get_format` looks one up and fails with the list of known names. A new format is one
module with a render function and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litreview.errors import InvalidInput

if TYPE_CHECKING:
    from sqlmodel import Session

    from litreview.library.export import ExportData, ExportOptions
    from litreview.query import PaperFilter


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, file suffix, media type and render function.

    ``renderer`` names the function as ``"module:function"`` of a module in this package; it is
    imported on first use, so naming the formats (``litreview export --help``) loads none.
    ``streamer``, when given, names a function that yields the same text in pieces as it is
    made (a format without one is written whole).
    """

    name: str
    suffix: str
    media_type: str
    renderer: str
    description: str = ""
    streamer: str | None = None

    def render(self, data: ExportData) -> str | bytes:
        """The export ``data`` as this format's text (XLSX: bytes)."""
        render: Callable[[ExportData], str | bytes] = _function(self.renderer)
        return render(data)

    def chunks(self, data: ExportData) -> Iterator[str | bytes]:
        """The export ``data`` in pieces whose concatenation is :meth:`render`'s text."""
        if self.streamer is None:
            yield self.render(data)
            return
        stream: Callable[[ExportData], Iterator[str]] = _function(self.streamer)
        yield from stream(data)


def _function(name: str) -> Any:
    module_name, function_name = name.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module_name}"), function_name)


FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat(
            "markdown",
            ".md",
            "text/markdown; charset=utf-8",
            "markdown:render_markdown",
            "annotated bibliography grouped by research area",
            streamer="markdown:markdown_chunks",
        ),
        ExportFormat(
            "bibtex",
            ".bib",
            "application/x-bibtex",
            "bibtex:render_bibtex_export",
            "BibTeX for LaTeX/pandoc",
        ),
        ExportFormat(
            "csl-json",
            ".json",
            "application/vnd.citationstyles.csl+json",
            "csljson:render_csljson",
            "CSL-JSON for pandoc --citeproc and Zotero",
        ),
        ExportFormat("csv", ".csv", "text/csv", "table:render_csv", "a spreadsheet, a paper a row"),
        ExportFormat(
            "xlsx",
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "table:render_xlsx",
            "an Excel workbook",
        ),
        ExportFormat(
            "mermaid",
            ".mmd",
            "text/vnd.mermaid; charset=utf-8",
            "mermaid:render_mermaid",
            "the map of research areas as a Mermaid flowchart",
        ),
        ExportFormat(
            "dot",
            ".dot",
            "text/vnd.graphviz; charset=utf-8",
            "dot:render_dot",
            "the map of research areas in DOT",
        ),
    )
}


def format_names() -> list[str]:
    """The known format names, in registry order."""
    return list(FORMATS)


def get_format(name: str) -> ExportFormat:
    """The format called ``name``; InvalidInput lists the known names otherwise."""
    found = FORMATS.get(name.strip().lower())
    if found is None:
        known = ", ".join(FORMATS)
        raise InvalidInput(
            f"unknown export format {name!r} (known: {known})", field="format", known=list(FORMATS)
        )
    return found


def export_text(
    session: Session,
    fmt: ExportFormat,
    selection: PaperFilter,
    options: ExportOptions | None = None,
) -> str | bytes:
    """Select, load and render in one go."""
    from litreview.library.export import load_export

    return fmt.render(load_export(session, selection, options))


def export_chunks(
    session: Session,
    fmt: ExportFormat,
    selection: PaperFilter,
    options: ExportOptions | None = None,
) -> Iterator[str | bytes]:
    """Select, load and render as it goes: what the CLI command and the API route run.

    The selection and its outlines are read before the first piece is asked for, so bad
    options fail at the call; the session must stay open until the last piece."""
    from litreview.library.export import load_export

    return fmt.chunks(load_export(session, selection, options))
