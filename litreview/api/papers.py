"""API routes: papers (being written)."""

from fastapi import APIRouter

router = APIRouter()
