"""API routes: relations (being written)."""

from fastapi import APIRouter

router = APIRouter()
