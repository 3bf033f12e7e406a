"""`/feedback`: satisfaction per AI feature over time, this quarter against the last, the latest negative answers.

Thin: `service.feedback_view` reads the data; this module turns it into a chart and the template.
The component filter narrows the negative answers; a bad value is a 4xx naming it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from mldebt.report.charts import ChartGeometry, line_chart
from mldebt.service import feedback_view as view
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render
from mldebt.web.pages.paging import PageNumber, Pager

router = APIRouter(include_in_schema=False)
MAX_ANSWER = 300  # characters of an answer shown (the rest is cut with an ellipsis)


def trend_chart(trend: view.Trend) -> ChartGeometry:
    return line_chart("Satisfaction per AI feature, weekly mean score", trend.labels, trend.series,
                      x_label="week (Monday)", y_label="mean score (0-1)", key="satisfaction-trend")


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(request: Request, user: AsPageViewer,
                  component: Annotated[str | None, Query(max_length=200)] = None,
                  page: PageNumber = 1) -> HTMLResponse:
    chosen = view.component_filter(component)
    now = dt.datetime.now(dt.UTC)
    store = context(request).store
    trend = view.satisfaction_trend(store, now)
    quarters = view.satisfaction_by_quarter(store, now)
    slot = Pager.of("/feedback", page, 0)  # where the page starts; the total comes with the rows
    total, answers = view.negative_answers(store, chosen, slot.offset, slot.per_page)
    pager = Pager.of("/feedback", page, total, {"component": chosen})
    return render(request, "feedback.html.j2", user, title="Feedback", trend=trend, trend_chart=trend_chart(trend),
                  quarters=quarters, answers=answers, pager=pager, component=chosen,
                  components=view.component_choices(store), weeks=view.WEEKS, low_score=view.LOW_SCORE,
                  max_answer=MAX_ANSWER)
