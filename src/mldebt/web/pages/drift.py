"""`/drift` and `/drift/{run}`: drift runs per component, drift share over each component's latest
runs, the latest runs, and one run's columns with reference vs current charts.

The page only draws: the data comes from `service.drift_view`; a column's chart is the drift
report's own (`report.drift_html.column_chart`), so the dashboard and the HTML report draw alike.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from mldebt.drift.report import Chart
from mldebt.report.charts import ChartGeometry, line_chart
from mldebt.report.drift_html import column_chart
from mldebt.service.drift_view import MAX_COMPONENT_NAME, drift_overview, drift_run_view
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render
from mldebt.web.pages.paging import PER_PAGE, PageNumber, Pager

router = APIRouter(include_in_schema=False)
MAX_RUN_ID = 2**31 - 1  # drift_runs.id is an INTEGER: a larger number names no run

ComponentFilter = Annotated[str | None, Query(max_length=MAX_COMPONENT_NAME, description="Only this component")]


def window_chart(window: dict[str, Any], index: int) -> ChartGeometry:
    """A component's drift share over its latest runs (x = run date)."""
    runs = window["runs"]
    return line_chart(f"Drift share of {window['component']} over its latest {len(runs)} runs",
                      [r["date"] for r in runs], {"drift share": [r["drift_share"] for r in runs]},
                      x_label="run date", y_label="share of columns drifted", key=f"drift-window-{index}")


@router.get("/drift", response_class=HTMLResponse)
def drift_page(request: Request, user: AsPageViewer, component: ComponentFilter = None,
               page: PageNumber = 1) -> HTMLResponse:
    offset = (page - 1) * PER_PAGE
    data = drift_overview(context(request).store, component, PER_PAGE, offset)
    pager = Pager.of("/drift", page, data["total"], {"component": data["component"]})
    charts = [window_chart(w, i) for i, w in enumerate(data["windows"], 1)]
    return render(request, "drift_page.html.j2", user, title="Drift", data=data, pager=pager, charts=charts)


@router.get("/drift/{run}", response_class=HTMLResponse)
def drift_run_page(request: Request, user: AsPageViewer,
                   run: Annotated[int, Path(ge=1, le=MAX_RUN_ID, description="A drift run's id")]) -> HTMLResponse:
    data = drift_run_view(context(request).store, run)
    charts = [(c, column_chart(Chart(c["chart"]["labels"], c["chart"]["reference"], c["chart"]["current"]),
                                c["name"], c["index"])) for c in data["charted"]]
    return render(request, "drift_run.html.j2", user, title=f"Drift run {run}", data=data, charts=charts)
