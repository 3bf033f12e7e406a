"""`/scan`: open findings by rule and by component, hotspot files, the ML Test Score per component, the
latest scan runs and the open findings list, filtered by rule, component, source and severity.

The page only draws: the data (and the check of each filter) comes from `service.scan_view`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from mldebt.report.charts import ChartGeometry, hbar_chart
from mldebt.service.scan_view import check_filters, scan_overview
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render
from mldebt.web.pages.paging import PER_PAGE, PageNumber, Pager

router = APIRouter(include_in_schema=False)

Filter = Annotated[str | None, Query(max_length=100)]


def rule_chart(rules: list[dict[str, Any]]) -> ChartGeometry:
    return hbar_chart("Open findings by rule", [r["key"] for r in rules], [r["findings"] for r in rules],
                      x_label="open findings", y_label="rule", key="scan-by-rule")


def score_chart(scores: list[dict[str, Any]]) -> ChartGeometry:
    return hbar_chart("ML Test Score per component (final = weakest section)", [s["component"] for s in scores],
                      [s["final"] for s in scores], x_label="final score (0 to 7)", y_label="component",
                      key="scan-test-score")


def filter_link(filters: dict[str, str | None], **change: str) -> str:
    """`/scan` with the current filters and `change` (a rule, a component) applied."""
    kept = {name: value for name, value in {**filters, **change}.items() if value}
    return f"/scan?{urlencode(kept)}" if kept else "/scan"


@router.get("/scan", response_class=HTMLResponse)
def scan_page(request: Request, user: AsPageViewer, rule: Filter = None, component: Filter = None,
              source: Filter = None, severity: Filter = None, page: PageNumber = 1) -> HTMLResponse:
    where = check_filters(rule, component, source, severity)
    data = scan_overview(context(request).store, where, PER_PAGE, (page - 1) * PER_PAGE)
    pager = Pager.of("/scan", page, data["total"], data["filters"])

    def link(**change: str) -> str:
        return filter_link(data["filters"], **change)

    return render(request, "scan_page.html.j2", user, title="Scan", data=data, pager=pager, link=link,
                  rule_chart=rule_chart(data["rules"]), score_chart=score_chart(data["test_scores"]))
