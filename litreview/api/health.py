"""``GET /api/health``: is the server up, and which schema and how many papers it has."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import col

from litreview import __version__
from litreview.api.deps import SessionDep
from litreview.models import Paper

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    papers: int


@router.get("/health", response_model=Health)
def health(session: SessionDep) -> Health:
    count = session.execute(sa.select(sa.func.count(col(Paper.id)))).scalar_one()
    return Health(status="ok", version=__version__, papers=count)
