"""`/`: the overview. KPI tiles of the current quarter against the last one, open debt and its
interest over the last 26 weeks, the top of the backlog, the latest drift alerts and incidents."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mldebt.metrics.money import format_money_range
from mldebt.report.charts import ChartGeometry, line_chart
from mldebt.service.debt_view import backlog_page
from mldebt.service.kpi_cache import KpiCache
from mldebt.service.overview_view import DebtWeek, debt_over_time, drift_alerts, recent_incidents
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render

router = APIRouter(include_in_schema=False)
TOP_ITEMS = 5
DEFAULT_CURRENCY = "USD"


def debt_charts(weeks: list[DebtWeek], currency: str) -> tuple[ChartGeometry, ChartGeometry]:
    """Open items per week, and their weekly interest (low and high end) priced at today's rates."""
    labels = [w.ends.isoformat() for w in weeks]
    items = line_chart("Open debt items at the end of each week", labels, {"open items": [w.items for w in weeks]},
                       x_label="week ending", y_label="items", key="open-debt-items")
    interest = line_chart(
        f"Its weekly interest at current rates ({currency})", labels,
        {"low estimate": [w.interest_low for w in weeks], "high estimate": [w.interest_high for w in weeks]},
        x_label="week ending", y_label=f"{currency} per week", key="open-debt-interest")
    return items, interest


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, user: AsPageViewer) -> HTMLResponse:
    now = dt.datetime.now(dt.UTC)
    ctx = context(request)
    store = ctx.store
    kpis = (ctx.kpis or KpiCache(store)).get()  # computed at most once a minute: half a second at 100k incidents
    items, total = backlog_page(store, limit=TOP_ITEMS, now=now)
    weeks = debt_over_time(store, now)
    currency = items[0]["interest"]["currency"] if items else DEFAULT_CURRENCY  # one inventory, one currency
    items_chart, interest_chart = debt_charts(weeks, currency)
    for item in items:
        item["interest_text"] = format_money_range(item["interest"]["low"], item["interest"]["high"],
                                                   item["interest"]["currency"])
    last = weeks[-1]
    return render(request, "overview.html.j2", user, title="Overview", report=kpis.report,
                  kpis_at=kpis.computed_at.strftime("%Y-%m-%d %H:%M UTC"), items=items, total=total,
                  items_chart=items_chart, interest_chart=interest_chart, week_count=len(weeks),
                  open_now=last.items, interest_now=format_money_range(last.interest_low, last.interest_high, currency),
                  alerts=drift_alerts(store), incidents=recent_incidents(store))
