"""Tags: the list with counts, tagging and untagging a paper, deleting a tag everywhere.

Tag names go in the path (``{name:path}``, so a tag may contain ``/``), percent-encoded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from litreview.api.deps import SessionDep
from litreview.api.papers import PaperId
from litreview.api.schemas import ERROR_RESPONSES, PaperTags, TagList, TagPublic, TagUpdate
from litreview.choices import TagOrder
from litreview.library.papers_base import get_paper
from litreview.library.tags import (
    MAX_TAG_LENGTH,
    add_tags,
    count_tags,
    delete_tag,
    remove_tag,
    set_tag_private,
    tag_counts,
)
from litreview.models import NOT_BLANK

router = APIRouter(tags=["tags"], responses=ERROR_RESPONSES)
TagName = Annotated[
    str,
    Path(
        max_length=MAX_TAG_LENGTH,
        json_schema_extra={"pattern": NOT_BLANK},
        description="The tag (spacing tidied)",
    ),
]


@router.get("/tags", response_model=TagList)
def list_tags(
    session: SessionDep,
    q: Annotated[str, Query(max_length=200, description="Only tags whose name contains this")] = "",
    sort: Annotated[TagOrder, Query(description="By name, or the most used first")] = (
        TagOrder.by_name
    ),
    limit: Annotated[int | None, Query(ge=1, le=10_000, description="At most this many")] = None,
) -> TagList:
    """Tags with how many papers carry each (every tag by name unless asked otherwise);
    ``total`` counts all the tags that match."""
    items = [
        TagPublic(id=tag.id or 0, name=tag.name, count=count, private=tag.private)
        for tag, count in tag_counts(session, contains=q, order=sort, limit=limit)
    ]
    total = len(items) if limit is None else count_tags(session, contains=q)
    return TagList(items=items, total=total)


@router.patch("/tags/{name:path}", response_model=TagPublic)
def update_tag(name: TagName, body: TagUpdate, session: SessionDep) -> TagPublic:
    """Mark a tag private (a published export can leave it out) or public again."""
    tag = set_tag_private(session, name, body.private)
    session.commit()
    counts = {t.id: n for t, n in tag_counts(session)}
    return TagPublic(
        id=tag.id or 0, name=tag.name, count=counts.get(tag.id, 0), private=tag.private
    )


@router.delete("/tags/{name:path}", status_code=status.HTTP_204_NO_CONTENT)
def remove_tag_everywhere(name: TagName, session: SessionDep) -> Response:
    """Take the tag off every paper and drop it."""
    delete_tag(session, name)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/papers/{paper_id}/tags/{name:path}", response_model=PaperTags)
def tag_paper(paper_id: PaperId, name: TagName, session: SessionDep) -> PaperTags:
    """Give the paper a tag (created on first use); its tags afterwards."""
    tags = add_tags(session, paper_id, [name])
    session.commit()
    return PaperTags(tags=tags, version=get_paper(session, paper_id).version)


@router.delete("/papers/{paper_id}/tags/{name:path}", response_model=PaperTags)
def untag_paper(paper_id: PaperId, name: TagName, session: SessionDep) -> PaperTags:
    """Take a tag off the paper; its tags afterwards."""
    tags = remove_tag(session, paper_id, name)
    session.commit()
    return PaperTags(tags=tags, version=get_paper(session, paper_id).version)
