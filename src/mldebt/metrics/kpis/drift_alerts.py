"""Drift alerts: stored drift runs of the quarter whose verdict was dataset drift, per component."""

from __future__ import annotations

from collections import defaultdict

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, ratio
from mldebt.metrics.kpis.records import DriftCount, QuarterData


def _measure(rows: list[DriftCount]) -> Measure:
    runs, drifted = sum(r.runs for r in rows), sum(r.drifted for r in rows)
    return Measure(drifted, {"runs": runs, "share": ratio(drifted, runs)})


def compute(data: QuarterData) -> KpiResult:
    per: dict[str, list[DriftCount]] = defaultdict(list)
    for row in data.drift:
        per[row.component].append(row)
    return KpiResult(_measure(data.drift), {name: _measure(rows) for name, rows in per.items()})


SPEC = KpiSpec(
    id="drift_alerts", name="Drift alerts", unit="alerts", direction=Direction.LOWER_IS_BETTER,
    definition="Drift runs stored in the quarter with dataset drift (value), of all stored drift runs.",
    compute=compute)
