"""Suggested relations: list (library-wide or one paper's), refresh, accept, dismiss."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlmodel import Session, col

from litreview.api.deps import SessionDep
from litreview.api.schemas import ERROR_RESPONSES, MAX_ID
from litreview.library.papers_base import get_paper
from litreview.library.suggestions import (
    count_pending,
    decide_suggestion,
    list_suggestions,
    refresh_suggestions,
)
from litreview.models import Paper, PaperSuggestion, Relation, SuggestionState

router = APIRouter(tags=["suggestions"], responses=ERROR_RESPONSES)

SuggestionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The suggestion's id")]


class SuggestedPaper(BaseModel):
    id: int
    key: str
    title: str


class SuggestionPublic(BaseModel):
    id: int
    source: SuggestedPaper = Field(description="The paper the relation goes from")
    target: SuggestedPaper
    relation: Relation
    found_in: str = Field(description="Where it was found: title, arXiv comment, abstract, ...")
    evidence: str = Field(description="The words around the mention")
    state: SuggestionState


class SuggestionList(BaseModel):
    items: list[SuggestionPublic]
    total: int
    pending: int = Field(description="Pending suggestions in the whole library")


class RefreshReport(BaseModel):
    added: int
    pending: int


def _public(session: Session, found: list[PaperSuggestion]) -> list[SuggestionPublic]:
    ids = {s.source_id for s in found} | {s.target_id for s in found}
    rows = session.execute(
        sa.select(col(Paper.id), col(Paper.key), col(Paper.title)).where(col(Paper.id).in_(ids))
    )
    papers = {i: SuggestedPaper(id=i, key=k, title=t) for i, k, t in rows}
    return [
        SuggestionPublic(
            id=s.id or 0,
            source=papers[s.source_id],
            target=papers[s.target_id],
            relation=s.relation,
            found_in=s.found_in,
            evidence=s.evidence,
            state=s.state,
        )
        for s in found
    ]


@router.get("/suggestions", response_model=SuggestionList)
def get_suggestions(
    session: SessionDep,
    paper_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this paper's (either end)")
    ] = None,
    state: Annotated[
        SuggestionState | None, Query(description="pending (default), accepted or dismissed")
    ] = SuggestionState.pending,
) -> SuggestionList:
    """Relations the papers themselves suggest, for the whole library or one paper."""
    if paper_id is not None:
        get_paper(session, paper_id)
    items = _public(session, list_suggestions(session, paper_id=paper_id, state=state))
    return SuggestionList(items=items, total=len(items), pending=count_pending(session))


@router.post("/suggestions/refresh", response_model=RefreshReport)
def refresh(session: SessionDep) -> RefreshReport:
    """Look through the whole library for new suggestions."""
    added = refresh_suggestions(session)
    session.commit()
    return RefreshReport(added=added, pending=count_pending(session))


@router.post("/suggestions/{suggestion_id}/accept", response_model=SuggestionPublic)
def accept(suggestion_id: SuggestionId, session: SessionDep) -> SuggestionPublic:
    """Add the suggested relation between the two papers."""
    found = decide_suggestion(session, suggestion_id, accept=True)
    session.commit()
    return _public(session, [found])[0]


@router.post("/suggestions/{suggestion_id}/dismiss", response_model=SuggestionPublic)
def dismiss(suggestion_id: SuggestionId, session: SessionDep) -> SuggestionPublic:
    """Drop the suggestion; it is never suggested again."""
    found = decide_suggestion(session, suggestion_id, accept=False)
    session.commit()
    return _public(session, [found])[0]
