"""API routes: import_arxiv (being written)."""

from fastapi import APIRouter

router = APIRouter()
