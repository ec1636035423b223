"""Export formats by name: each turns :class:`~litreview.library.export.ExportData` into text.

``FORMATS`` maps a name to an :class:`ExportFormat` (file suffix, media type, render function);
:func:`get_format` looks one up and fails with the list of known names. A new format is one
module with a render function and one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from litreview.errors import InvalidInput
from litreview.exporters import bibtex, csljson, markdown
from litreview.library.export import ExportData, ExportOptions, ExportSelection, load_export


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, file suffix, media type and render function."""

    name: str
    suffix: str
    media_type: str
    render: Callable[[ExportData], str]
    description: str = ""


def _render_bibtex(data: ExportData) -> str:
    return bibtex.render_bibtex(data.papers, annote=data.options.annote)


FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat(
            "markdown",
            markdown.SUFFIX,
            markdown.MEDIA_TYPE,
            markdown.render_markdown,
            "annotated bibliography grouped by research area",
        ),
        ExportFormat(
            "bibtex", bibtex.SUFFIX, bibtex.MEDIA_TYPE, _render_bibtex, "BibTeX for LaTeX/pandoc"
        ),
        ExportFormat(
            "csl-json",
            csljson.SUFFIX,
            csljson.MEDIA_TYPE,
            csljson.render_csljson,
            "CSL-JSON for pandoc --citeproc and Zotero",
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
    selection: ExportSelection,
    options: ExportOptions | None = None,
) -> str:
    """Select, load and render in one go: what the CLI command and the API route run."""
    return fmt.render(load_export(session, selection, options))
