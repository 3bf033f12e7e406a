"""`/inventory`: every component with its health; `/inventory/{name}`: one component and all the evidence about it.

Thin: the data comes from `service.inventory_view` / `service.component_view`; this module adds the
pager, the drift chart (`report.charts.line_chart`) and the dependency graph's layout
(`report.dependency_graph.layout`), and renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from mldebt.metrics.money import format_money_range
from mldebt.report.charts import line_chart
from mldebt.report.dependency_graph import inventory_href, layout
from mldebt.service.component_view import LIMITS, component_page
from mldebt.service.inventory_view import KIND_NAMES, check_kind, inventory_page
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render
from mldebt.web.pages.paging import PER_PAGE, PageNumber, Pager

router = APIRouter(include_in_schema=False)


def now() -> dt.datetime:
    """The page's clock (tests set it to the demo's date)."""
    return dt.datetime.now(dt.UTC)


@router.get("/inventory", response_class=HTMLResponse)
def inventory(request: Request, user: AsPageViewer, page: PageNumber = 1,
              kind: Annotated[str | None, Query(max_length=20)] = None,
              unhealthy: Annotated[bool, Query()] = False) -> HTMLResponse:
    chosen = check_kind(kind or None)
    rows, total = inventory_page(context(request).store, now(), chosen, unhealthy, limit=PER_PAGE,
                                 offset=(page - 1) * PER_PAGE)
    pager = Pager.of("/inventory", page, total, {"kind": chosen, "unhealthy": "1" if unhealthy else None})
    for row in rows:
        row["href"] = inventory_href(row["name"])
        interest = row["interest"]
        row["interest_text"] = format_money_range(interest["low"], interest["high"], interest["currency"])
    return render(request, "inventory.html.j2", user, title="Inventory", rows=rows, pager=pager, kinds=KIND_NAMES,
                  kind=chosen, unhealthy=unhealthy)


@router.get("/inventory/{name:path}", response_class=HTMLResponse)  # a stored name may hold a "/"
def component(request: Request, user: AsPageViewer, name: str) -> HTMLResponse:
    data = component_page(context(request).store, name, now())
    graph = layout(data["name"], data.pop("depends_on"))
    runs = list(reversed(data["drift"]["rows"]))  # oldest first along the x axis
    drift_chart = line_chart(f"Drift share of the latest {len(runs)} runs", [r["created_at"][:10] for r in runs],
                             {"drift share": [r["drift_share"] for r in runs]}, x_label="run (date)",
                             y_label="share of columns drifted", key="drift-history")
    data["drift"]["table"] = data["drift"]["rows"][:LIMITS["drift_runs"]]
    for item in data["debt"]["rows"]:
        interest = item["interest"]
        item["interest_text"] = format_money_range(interest["low"], interest["high"], interest["currency"])
    return render(request, "inventory_component.html.j2", user, title=data["name"], c=data, graph=graph,
                  drift_chart=drift_chart, limits=LIMITS)
