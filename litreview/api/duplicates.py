"""Possible duplicates: the pairs with why, merging a pair field by field, "not a duplicate"."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from litreview.api.deps import SessionDep
from litreview.api.schemas import ERROR_RESPONSES, MAX_ID, Id, PaperPublic
from litreview.library.duplicates import (
    DuplicatePair,
    dismiss_pair,
    get_pair,
    list_pairs,
    merge_pair,
)
from litreview.library.merge_papers import CHOOSABLE
from litreview.library.views import load_paper_summaries
from litreview.models import DuplicateStatus

router = APIRouter(tags=["duplicates"], responses=ERROR_RESPONSES)

PairId = Annotated[int, Path(ge=1, le=MAX_ID, description="The pair's id")]


class DuplicatePublic(BaseModel):
    id: int
    reason: str
    status: DuplicateStatus
    a: PaperPublic
    b: PaperPublic


class DuplicateList(BaseModel):
    items: list[DuplicatePublic]
    total: int
    fields: list[str] = Field(description="The fields a merge lets one choose, in order")


class MergeIn(BaseModel):
    keep: Id | None = Field(
        default=None, description="The paper that stays (default: the pair's first)"
    )
    fields: dict[str, Id] = Field(
        default_factory=dict,
        description="Field -> id of the paper to take it from (others: the kept paper's, "
        "its empty fields filled)",
    )


def _public(session: Session, pairs: list[DuplicatePair]) -> list[DuplicatePublic]:
    ids = {i for p in pairs for i in (p.paper_a_id, p.paper_b_id)}
    views = {
        v.paper.id: PaperPublic.from_view(v) for v in load_paper_summaries(session, sorted(ids))
    }
    return [
        DuplicatePublic(
            id=p.id,
            reason=p.reason,
            status=p.status,
            a=views[p.paper_a_id],
            b=views[p.paper_b_id],
        )
        for p in pairs
    ]


@router.get("/duplicates", response_model=DuplicateList)
def list_duplicates(
    session: SessionDep,
    status: Literal["open", "dismissed", "all"] = Query("open", description="Which pairs"),
) -> DuplicateList:
    """Pairs of papers that look alike (same title, years within one, a family name in common)."""
    pairs = list_pairs(session, None if status == "all" else DuplicateStatus(status))
    return DuplicateList(items=_public(session, pairs), total=len(pairs), fields=list(CHOOSABLE))


@router.post("/duplicates/{pair_id}/merge", response_model=PaperPublic)
def merge_duplicate(pair_id: PairId, body: MergeIn, session: SessionDep) -> PaperPublic:
    """Merge the pair into one paper: chosen fields, the rest filled; the other key an alias."""
    paper_id = merge_pair(session, pair_id, keep=body.keep, take=body.fields)
    session.commit()
    return PaperPublic.from_view(load_paper_summaries(session, [paper_id])[0])


@router.post("/duplicates/{pair_id}/dismiss", response_model=DuplicatePublic)
def dismiss_duplicate(pair_id: PairId, session: SessionDep) -> DuplicatePublic:
    """Not a duplicate: remembered, the pair is not proposed again."""
    get_pair(session, pair_id)
    pair = dismiss_pair(session, pair_id)
    session.commit()
    return _public(session, [pair])[0]
