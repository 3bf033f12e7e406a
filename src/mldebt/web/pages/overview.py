"""`/`: the overview. KPI tiles of the current quarter against the last one, and the top of the backlog."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mldebt.service.debt_view import backlog_page
from mldebt.service.kpis import compute_kpis, default_quarter
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render

router = APIRouter(include_in_schema=False)
TOP_ITEMS = 5


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, user: AsPageViewer) -> HTMLResponse:
    now = dt.datetime.now(dt.UTC)
    store = context(request).store
    report = compute_kpis(store, default_quarter(now), now).to_dict()
    items, total = backlog_page(store, limit=TOP_ITEMS, now=now)
    return render(request, "overview.html.j2", user, title="Overview", report=report, items=items, total=total)
