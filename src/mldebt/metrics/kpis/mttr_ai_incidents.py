"""MTTR of AI incidents: mean and median hours of the outage intervals resolved in the quarter.

An interval counts in the quarter it was resolved in (an outage that opened in September and was
fixed in October is October's repair). Only incidents linked to a component count: an unlinked
alert is not known to be an AI system's.
"""

from __future__ import annotations

from collections import defaultdict

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, mean, median, rounded
from mldebt.metrics.kpis.records import QuarterData


def _measure(hours: list[float]) -> Measure:
    return Measure(rounded(mean(hours)), {"median_hours": rounded(median(hours)), "resolved_intervals": len(hours)})


def compute(data: QuarterData) -> KpiResult:
    per: dict[str, list[float]] = defaultdict(list)
    for group in data.intervals:
        per[group.component].extend(group.hours)
    return KpiResult(_measure([h for hours in per.values() for h in hours]),
                     {name: _measure(hours) for name, hours in per.items()})


SPEC = KpiSpec(
    id="mttr_ai_incidents", name="MTTR of AI incidents", unit="hours", direction=Direction.LOWER_IS_BETTER,
    definition="Mean (value) and median hours from opening to resolution of the intervals of incidents linked "
               "to a component, resolved in the quarter.",
    compute=compute)
