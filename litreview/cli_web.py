"""``litreview add --url URL --title ...``: a web source (blog or forum post, report, video)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from litreview.cli_output import say
from litreview.db import session_scope
from litreview.errors import InvalidInput
from litreview.library.web_sources import WebSource, add_web_source


def add_web_source_command(engine: Engine, source: WebSource) -> None:
    """Store the web source and print its key and title."""
    if not source.title.strip():
        raise InvalidInput("a web source needs --title (and --url)")
    if not source.url.strip():
        raise InvalidInput("a web source needs --url (and --title)")
    with session_scope(engine) as session:
        paper = add_web_source(session, source)
        key, entry_type = paper.key, paper.entry_type
    say(f"added    {key}  @{entry_type}  {source.title}")
