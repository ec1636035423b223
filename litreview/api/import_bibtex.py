"""API routes: import_bibtex (being written)."""

from fastapi import APIRouter

router = APIRouter()
