"""REST API of the KPIs and the frozen quarterly reviews: `/api/v1/kpis`, `/api/v1/reviews`.

Read-only (viewers): the same `compute_kpis` and review reads as `mldebt kpis` and `mldebt reviews`.
Freezing a review stays a command (`mldebt review`): it cannot be undone, so it is not one HTTP call.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from mldebt.service.kpis import compute_kpis, default_quarter
from mldebt.service.review import get_review, list_reviews
from mldebt.web.auth import Caller, viewer
from mldebt.web.context import context

router = APIRouter(prefix="/api/v1", tags=["kpis"])
AsViewer = Annotated[Caller, Depends(viewer)]
QUARTER = Query(None, min_length=6, max_length=6, description="YYYYQN, e.g. 2026Q4 (default: the current quarter)")


@router.get("/kpis", summary="Every KPI of a quarter with the previous quarter's value and whether the change is good")
def kpis(request: Request, _: AsViewer, quarter: str | None = QUARTER) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return compute_kpis(context(request).store, quarter or default_quarter(now), now).to_dict()


@router.get("/reviews", summary="Frozen quarterly reviews, oldest first (without their backlog)")
def reviews(request: Request, _: AsViewer) -> list[dict[str, Any]]:
    return list_reviews(context(request).store)


@router.get("/reviews/{quarter}", summary="One frozen quarterly review: its KPIs and backlog as they were")
def review(request: Request, _: AsViewer, quarter: str) -> dict[str, Any]:
    return get_review(context(request).store, quarter)
