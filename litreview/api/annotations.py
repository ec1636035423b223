"""API routes: annotations (being written)."""

from fastapi import APIRouter

router = APIRouter()
