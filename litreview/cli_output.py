"""What the CLI prints: lines of text as they are (no markup to escape, never wrapped), a word
coloured where the stream is a terminal; Rich, for the tables, trees and progress bars of the
commands that draw one, is imported by those commands only.

Rich's console costs every command ~20 ms to import (bench/cli_startup.py), more than a
one-entry import's own work. Lines go through ``sys.stdout``/``sys.stderr`` as they are at the
time, so that a line printed under a progress bar (Rich redirects them) leaves the bar whole.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

import typer

if TYPE_CHECKING:
    from rich.console import Console


def say(text: str = "", *, err: bool = False) -> None:
    """Print one line, on stderr with ``err``."""
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def _styled(text: str, stream: TextIO, **style: Any) -> str:
    return typer.style(text, **style) if stream.isatty() else text


def red(text: str) -> str:
    """``text`` in red on a terminal: the label of a failure's line on stderr."""
    return _styled(text, sys.stderr, fg="red")


def bold(text: str) -> str:
    """``text`` in bold on a terminal, on stdout."""
    return _styled(text, sys.stdout, bold=True)


def stderr_is_terminal() -> bool:
    """Whether a progress bar has someone to show it to."""
    return sys.stderr.isatty()


def rich_console(*, stderr: bool = False) -> Console:
    """Rich's console, for a table, a tree or a progress bar (loads Rich)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)
