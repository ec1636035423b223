"""API routes: export (being written)."""

from fastapi import APIRouter

router = APIRouter()
