"""Removing many papers at once (``litreview remove``): set-based, in one transaction.

A paper's annotation, notes, tags links, area links and relations go with it (ON DELETE
CASCADE); tags and people that only the removed papers used go too, so removing what
``load-sample`` loaded leaves the library as it was. Areas stay: they are the user's map.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.library.bulk import chunks
from litreview.models import Author, Paper, PaperAuthor, PaperTag, Tag


def delete_papers(session: Session, paper_ids: Sequence[int]) -> int:
    """Delete the papers (and what only they used); returns how many were deleted."""
    tag_ids: set[int] = set()
    author_ids: set[int] = set()
    deleted = 0
    for chunk in chunks(list(paper_ids)):
        tag_ids.update(
            session.execute(
                sa.select(col(PaperTag.tag_id)).where(col(PaperTag.paper_id).in_(chunk))
            ).scalars()
        )
        author_ids.update(
            session.execute(
                sa.select(col(PaperAuthor.author_id)).where(col(PaperAuthor.paper_id).in_(chunk))
            ).scalars()
        )
        result = session.execute(sa.delete(Paper).where(col(Paper.id).in_(chunk)))
        deleted += cast(sa.CursorResult[Any], result).rowcount
    for chunk in chunks(sorted(tag_ids)):
        used = sa.select(col(PaperTag.tag_id)).where(col(PaperTag.tag_id).in_(chunk))
        session.execute(sa.delete(Tag).where(col(Tag.id).in_(chunk), col(Tag.id).not_in(used)))
    for chunk in chunks(sorted(author_ids)):
        used = sa.select(col(PaperAuthor.author_id)).where(col(PaperAuthor.author_id).in_(chunk))
        session.execute(
            sa.delete(Author).where(col(Author.id).in_(chunk), col(Author.id).not_in(used))
        )
    session.expire_all()
    return deleted
