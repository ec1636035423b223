"""API routes: tags (being written)."""

from fastapi import APIRouter

router = APIRouter()
