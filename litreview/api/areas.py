"""API routes: areas (being written)."""

from fastapi import APIRouter

router = APIRouter()
