"""`/incidents`: a page of the dashboard (placeholder: its routes come with the page)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
