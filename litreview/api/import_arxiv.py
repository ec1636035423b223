"""``POST /api/import/arxiv``: add papers by arXiv id or URL, one result per input.

The arXiv client is one per application (``app.state.arxiv_fetcher``), so the spacing between
requests holds across concurrent API calls. Tests point it elsewhere by giving ``create_app`` an
``arxiv_transport`` (an ``httpx.MockTransport``) or by setting ``LITREVIEW_ARXIV_API_URL`` to a
local server.
"""

from __future__ import annotations

import threading
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from litreview.api.deps import SessionDep
from litreview.config import Settings
from litreview.errors import InvalidInput
from litreview.importers.arxiv_fetch import ArxivFetcher, fetcher_for
from litreview.library.arxiv import add_arxiv, count_outcomes

router = APIRouter(tags=["import"])
MAX_IDS = 2000
_fetcher_lock = threading.Lock()


class ArxivImportIn(BaseModel):
    """What to add: arXiv ids or abs/pdf URLs, tags for every paper, an area path."""

    ids: list[str] = Field(
        ..., description="arXiv ids or URLs, e.g. 2305.01610, arXiv:hep-th/9901001v2"
    )
    tags: list[str] = Field(default_factory=list, description="Tags given to every paper.")
    area: str | None = Field(
        default=None, description="Area path, names joined by '/'; missing areas are created."
    )


class ArxivImportItem(BaseModel):
    input: str
    arxiv_id: str | None
    status: str = Field(description="added, updated, merged, unchanged or failed")
    paper_id: int | None
    key: str | None
    version: int | None = Field(default=None, description="The arXiv version stored")
    message: str


class ArxivImportOut(BaseModel):
    items: list[ArxivImportItem]
    total: int
    counts: dict[str, int]


def get_arxiv_fetcher(request: Request) -> ArxivFetcher:
    """The application's arXiv client, made on first use."""
    state = request.app.state
    with _fetcher_lock:
        fetcher: ArxivFetcher | None = getattr(state, "arxiv_fetcher", None)
        if fetcher is None:
            settings: Settings = state.settings
            transport: httpx.BaseTransport | None = getattr(state, "arxiv_transport", None)
            fetcher = fetcher_for(settings, httpx.Client(transport=transport))
            state.arxiv_fetcher = fetcher
    return fetcher


FetcherDep = Annotated[ArxivFetcher, Depends(get_arxiv_fetcher)]


@router.post("/import/arxiv", response_model=ArxivImportOut)
def import_arxiv(body: ArxivImportIn, session: SessionDep, fetcher: FetcherDep) -> ArxivImportOut:
    """Fetch the papers from arXiv and store them (newer versions update arXiv metadata)."""
    ids = [text for text in body.ids if text.strip()]
    if not ids:
        raise InvalidInput("give at least one arXiv id or URL", field="ids")
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"at most {MAX_IDS} ids per request, got {len(ids)}", field="ids")
    area = body.area if body.area and body.area.strip() else None
    outcomes = add_arxiv(session, fetcher, ids, tags=body.tags, area_path=area)
    session.commit()
    items = [
        ArxivImportItem(
            input=o.input,
            arxiv_id=o.arxiv_id,
            status=o.status.value,
            paper_id=o.paper_id,
            key=o.key,
            version=o.version,
            message=o.message,
        )
        for o in outcomes
    ]
    return ArxivImportOut(items=items, total=len(items), counts=count_outcomes(outcomes))
