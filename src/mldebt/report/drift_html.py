"""The drift report as one standalone HTML file: a Jinja2 template and an inline SVG bar chart per
column (reference vs current shares, drawn from the engine's histogram data by the shared chart
module `mldebt.report.charts`, with its data table), columns sorted by effect size. No JavaScript,
no external assets: it can be mailed or attached to a ticket. Every
value is escaped by the shared environment (`mldebt.report.environment`): the chart geometry is
numbers, and labels and titles are text the template escapes, never markup built here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mldebt.drift.report import Chart, DriftReport
from mldebt.report.charts import ChartGeometry, bar_chart, line_chart
from mldebt.report.drift_chunk_charts import estimate_charts
from mldebt.report.environment import template_environment


def column_chart(chart: Chart, name: str, index: int) -> ChartGeometry:
    """Reference vs current share per bin or category of one column, as a grouped bar chart."""
    return bar_chart(f"reference and current distribution of {name}", chart.labels,
                     {"reference": chart.reference, "current": chart.current},
                     x_label="bin or category", y_label="share of rows", key=f"col-{index}-chart")


def multivariate_chart(result: dict[str, Any]) -> ChartGeometry:
    """The reconstruction error of the reference chunks then the current chunks, with both thresholds."""
    chunks = result["reference_chunks"] + result["current_chunks"]
    labels = [f"{'ref' if c['period'] == 'reference' else 'cur'} {c['index']}" for c in chunks]
    return line_chart("reconstruction error per chunk", labels, {
        "reference": [c["error"] if c["period"] == "reference" else None for c in chunks],
        "current": [c["error"] if c["period"] == "current" else None for c in chunks],
        "upper threshold": [result["upper_threshold"]] * len(chunks),
        "lower threshold": [result["lower_threshold"]] * len(chunks)},
        x_label="chunk", y_label="mean reconstruction error", key="multivariate-chart")


def render_drift_html(report: DriftReport, reference: str, current: str, component: str | None = None) -> str:
    columns = sorted(report.columns, key=lambda c: (c.method is None, -(c.effect or 0.0)))
    return template_environment().get_template("drift.html.j2").render(
        report=report, columns=columns, charts={c.name: column_chart(c.chart, c.name, i)
                                         for i, c in enumerate(columns, 1) if c.chart},
        estimate_charts=estimate_charts(report.estimated_performance) if report.estimated_performance else [],
        multivariate_chart=multivariate_chart(report.multivariate) if report.multivariate else None,
        reference=reference, current=current, component=component,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
