"""The drift report as one standalone HTML file: a Jinja2 template and an inline SVG bar chart per
column (reference vs current shares, drawn from the engine's histogram data), columns sorted by
effect size. No JavaScript, no external assets: it can be mailed or attached to a ticket. Every
value is escaped by the shared environment (`mldebt.report.environment`): the chart geometry is
numbers, and labels and titles are text the template escapes, never markup built here.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from mldebt.drift.report import Chart, DriftReport
from mldebt.report.environment import template_environment

WIDTH, HEIGHT, PAD = 560, 160, 24


def bar_chart(chart: Chart) -> dict[str, Any]:
    """Geometry of a grouped bar chart (reference grey, current coloured) for the template."""
    n = max(len(chart.labels), 1)
    top = max([*chart.reference, *chart.current, 1e-9])
    slot = (WIDTH - 2 * PAD) / n
    bars = []
    for i, label in enumerate(chart.labels):
        for j, (share, kind) in enumerate(((chart.reference[i], "ref"), (chart.current[i], "cur"))):
            height = (HEIGHT - 2 * PAD) * share / top
            bars.append({"x": round(PAD + i * slot + j * slot * 0.45 + slot * 0.05, 2), "w": round(slot * 0.4, 2),
                         "y": round(HEIGHT - PAD - height, 2), "h": round(height, 2), "kind": kind,
                         "title": f"{label}: {kind} {share:.1%}"})
    labels = [label[:14] for label in chart.labels]
    # Label every k-th bar when the labels are wider than their slots (about 5.5 px per character).
    step = max(1, math.ceil(max((len(label) for label in labels), default=0) * 5.5 / slot))
    ticks = [{"x": round(PAD + (i + 0.5) * slot, 2), "label": label} for i, label in enumerate(labels) if i % step == 0]
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "ticks": ticks, "base": HEIGHT - PAD}


def render_drift_html(report: DriftReport, reference: str, current: str, component: str | None = None) -> str:
    columns = sorted(report.columns, key=lambda c: (c.method is None, -(c.effect or 0.0)))
    return template_environment().get_template("drift.html.j2").render(
        report=report, columns=columns, charts={c.name: bar_chart(c.chart) for c in columns if c.chart},
        reference=reference, current=current, component=component,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
