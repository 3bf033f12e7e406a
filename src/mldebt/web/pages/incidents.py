"""`/incidents`: the weekly timeline, MTTR by component and category, recurring failures, the list.

Thin: `service.incident_view` reads the data; this module turns it into charts and the template.
The filters (component, category, source, status) narrow the list only; a bad value is a 400
naming it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from mldebt.report.charts import MAX_ROWS, ChartGeometry, hbar_chart, line_chart
from mldebt.service import incident_view as view
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render
from mldebt.web.pages.paging import PageNumber, Pager

router = APIRouter(include_in_schema=False)
Filter = Annotated[str | None, Query(max_length=200)]


def duration_text(minutes: float | None) -> str:
    """A duration without false precision: minutes under an hour, hours under two days, else days."""
    if minutes is None:
        return ""
    if minutes < 60:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


def timeline_chart(data: view.Timeline) -> ChartGeometry:
    return line_chart("Incidents opened per week, by category", data.labels,
                      {name: [float(v) for v in values] for name, values in data.chart_series().items()},
                      x_label="week (Monday)", y_label="incidents", key="incident-timeline")


def mttr_chart(rows: list[view.MttrRow]) -> ChartGeometry:
    timed = sorted((r for r in rows if r.median_minutes is not None),
                   key=lambda r: (-(r.median_minutes or 0.0), r.group))
    title = "Median MTTR per component" + (f" (the {MAX_ROWS} slowest)" if len(timed) > MAX_ROWS else "")
    return hbar_chart(title, [r.group for r in timed[:MAX_ROWS]],
                      [round((r.median_minutes or 0.0) / 60, 2) for r in timed[:MAX_ROWS]], x_label="hours",
                      key="mttr-per-component")


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, user: AsPageViewer, component: Filter = None, category: Filter = None,
                   source: Filter = None, status: Filter = None, page: PageNumber = 1) -> HTMLResponse:
    where = view.incident_filter(component, category, source, status)
    now = dt.datetime.now(dt.UTC)
    store = context(request).store
    timeline = view.timeline(store, now)
    mttr = view.mttr_tables(store, now)
    recurring = view.recurring_failures(store)
    params = {"component": where.component, "category": where.category, "source": where.source,
              "status": where.status}
    slot = Pager.of("/incidents", page, 0)  # where the page starts; the total comes with the rows
    total, rows = view.incident_list(store, where, slot.offset, slot.per_page)
    pager = Pager.of("/incidents", page, total, params)
    return render(request, "incidents.html.j2", user, title="Incidents", timeline=timeline,
                  timeline_chart=timeline_chart(timeline), mttr=mttr, mttr_chart=mttr_chart(mttr.by_component),
                  recurring=recurring, rows=rows, pager=pager, where=where, weeks=view.WEEKS, mttr_days=view.MTTR_DAYS,
                  components=view.component_choices(store), categories=view.CATEGORIES, sources=view.SOURCES,
                  statuses=view.STATUSES, duration=duration_text)
