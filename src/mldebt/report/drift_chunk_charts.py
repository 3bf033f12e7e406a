"""Charts over chunks for the drift report: per estimated metric (CBPE) the estimate with its
confidence band, the realized value where labels arrived and the alert thresholds. Drawn as line
charts by the one chart module (`mldebt.report.charts`), each with its data table, from the
JSON-ready dict the engine returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mldebt.report.charts import ChartGeometry, line_chart


def _labels(chunks: Sequence[Mapping[str, Any]]) -> list[str]:
    return [f"rows {c['start_row']}-{c['end_row'] - 1}" for c in chunks]


def estimate_charts(estimated: Mapping[str, Any]) -> list[ChartGeometry]:
    """One chart per metric: estimate, band (lower, upper), realized, thresholds (lower, upper)."""
    chunks = estimated.get("chunks") or []
    charts = []
    for metric in estimated.get("metrics") or []:
        low, high = (estimated.get("thresholds") or {}).get(metric) or (None, None)
        series: dict[str, list[float | None]] = {
            "estimated": [c["estimated"].get(metric) for c in chunks],
            "band lower": [c["lower"].get(metric) for c in chunks],
            "band upper": [c["upper"].get(metric) for c in chunks],
            "realized": [c["realized"].get(metric) for c in chunks],
            "threshold lower": [low] * len(chunks),
            "threshold upper": [high] * len(chunks),
        }
        if not any(v is not None for v in series["realized"]):
            del series["realized"]
        charts.append(line_chart(f"estimated {metric} per chunk", _labels(chunks), series, x_label="chunk",
                                 y_label=metric, key=f"cbpe-{metric}-chart"))
    return charts
