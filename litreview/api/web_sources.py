"""Web sources (blog and forum posts, reports, videos) added by hand: ``POST /api/web-sources``.

The answer is the stored entry, a paper like any other (``GET /api/papers/{id}`` and the rest).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import Field, field_validator

from litreview.api.deps import SessionDep
from litreview.api.papers import paper_public
from litreview.api.schemas import ERROR_RESPONSES, PAPER_LINKS, Id, PaperPublic, Strict
from litreview.choices import MAX_TAG_LENGTH, WebSourceKind
from litreview.errors import InvalidInput
from litreview.library.web_sources import DATE_PATTERN, WebSource, add_web_source, parse_date
from litreview.models import ShortText, Title, WebAddress

router = APIRouter(tags=["papers"], responses=ERROR_RESPONSES)


class WebSourceIn(Strict):
    """A blog post, forum post, report, video or other page: a title and its address."""

    title: Title
    url: WebAddress
    kind: WebSourceKind = WebSourceKind.other
    authors: list[ShortText] = Field(default_factory=list, max_length=2000)
    date: (
        Annotated[ShortText, Field(json_schema_extra={"pattern": f"{DATE_PATTERN}|^$"})] | None
    ) = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    site: Annotated[ShortText, Field(max_length=300)] | None = Field(
        default=None, description="Where it was published (LessWrong, a blog's name, ...)"
    )
    tags: list[Annotated[ShortText, Field(max_length=MAX_TAG_LENGTH)]] = Field(
        default_factory=list, max_length=200
    )
    area_ids: list[Id] = Field(default_factory=list, max_length=200)
    area: ShortText | None = Field(
        default=None, description="An area path ('A/B'); missing areas are made"
    )

    @field_validator("date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        try:
            return parse_date(value)[0]
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc


@router.post(
    "/web-sources",
    response_model=PaperPublic,
    status_code=status.HTTP_201_CREATED,
    responses=PAPER_LINKS,
)
def add_source(body: WebSourceIn, session: SessionDep) -> PaperPublic:
    """Add a web source; it becomes an entry like any paper (BibTeX ``@online``)."""
    source = WebSource(
        title=body.title,
        url=body.url,
        kind=body.kind,
        authors=body.authors,
        date=body.date,
        site=body.site,
        tags=body.tags,
        area_ids=body.area_ids,
        area_path=body.area or None,
    )
    paper = add_web_source(session, source)
    session.commit()
    assert paper.id is not None
    return paper_public(session, paper.id)
