"""BibTeX ``@preamble`` blocks: kept as they came, written back at the top of BibTeX exports.

A preamble defines the macros a file's entries use (``\\MF``, ``\\TUB``); without it the
exported entries would need macros LaTeX does not know. Each distinct text is kept once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.models import Preamble


def store_preambles(session: Session, texts: Sequence[str], *, source: str) -> int:
    """Keep the preambles not stored yet (in order); how many were new."""
    stored = set(session.execute(sa.select(col(Preamble.text))).scalars())
    new = [t for t in dict.fromkeys(texts) if t.strip() and t not in stored]
    for text in new:
        session.add(Preamble(text=text, source=source))
    if new:
        session.flush()
    return len(new)


def all_preambles(session: Session) -> list[str]:
    """Every stored preamble, in the order they came."""
    return list(session.execute(sa.select(col(Preamble.text)).order_by(col(Preamble.id))).scalars())
