"""A user's own layout: a Jinja2 template rendered in a sandbox over the bibliography model.

The template sees the model the built-in layout renders (see ``exporters/document.py``):
``title``, ``intro``, ``sections`` (each with ``name``, ``anchor``, ``depth``, ``description``,
``entries``, ``references``, ``children``), ``other``, ``entries`` (each with its ``notes``
when the export asks for them), ``with_status``, ``with_rating``, ``with_notes``, ``order`` and
the whole ``document``; a filter ``md`` that escapes plain text
for Markdown; and ``builtin()``, the built-in layout's text. Undefined names are errors, and
every error (syntax or while rendering) becomes one :class:`InvalidInput` naming file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from jinja2 import FunctionLoader, StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from litreview.errors import InvalidInput, LitreviewError
from litreview.exporters.document import Document
from litreview.exporters.mdtext import escape_inline, escape_line_start
from litreview.library.export import TemplateSource


def render_template(source: TemplateSource, document: Document, builtin: Callable[[], str]) -> str:
    """The text the template makes of ``document``; ``builtin`` gives the built-in layout's."""

    def load(name: str) -> tuple[str, str, Any] | None:
        return (source.text, source.name, lambda: True) if name == source.name else None

    env = SandboxedEnvironment(
        loader=FunctionLoader(load),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = escape_inline
    env.filters["md_line"] = lambda text: escape_line_start(escape_inline(text))
    context: dict[str, Any] = {
        "document": document,
        "title": document.title,
        "intro": document.intro,
        "sections": document.sections,
        "other": document.other,
        "entries": document.entries,
        "with_status": document.with_status,
        "with_rating": document.with_rating,
        "with_notes": document.with_notes,
        "order": document.order,
        "areas_table": document.areas_table,
        "matrix": document.matrix,
        "builtin": builtin,
    }
    try:
        return env.get_template(source.name).render(context)
    except TemplateSyntaxError as exc:
        raise _error(source, exc.lineno, exc.message or str(exc)) from exc
    except LitreviewError:
        raise
    except Exception as exc:  # the template is user code: any failure is bad input
        line = _template_line(exc.__traceback__, source.name)
        raise _error(source, line, f"{type(exc).__name__}: {exc}") from exc


def _error(source: TemplateSource, line: int | None, message: str) -> InvalidInput:
    where = f"{source.name}:{line}" if line else source.name
    return InvalidInput(f"template {where}: {message}", template=source.name, line=line)


def _template_line(tb: TracebackType | None, filename: str) -> int | None:
    """The last template line the traceback passed through (Jinja maps its frames to them)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
