"""Open debt and its age: the debt items active (open, planned, in progress) at the end of the
quarter, or now while it runs; their effort, their interest as last scored, and their median age
(days since the debt was first seen)."""

from __future__ import annotations

from collections import Counter, defaultdict

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, median, rounded
from mldebt.metrics.kpis.records import OpenItem, QuarterData


def _measure(items: list[OpenItem], data: QuarterData) -> Measure:
    at = data.period.as_of
    ages = [max(0.0, (at - i.first_seen_at).total_seconds() / 86400.0) for i in items]
    currencies = Counter(i.currency for i in items)
    return Measure(len(items), {
        "effort_low_hours": rounded(sum(i.effort_low_hours for i in items), 1),
        "effort_high_hours": rounded(sum(i.effort_high_hours for i in items), 1),
        "interest_low": rounded(sum(i.interest_low for i in items)),
        "interest_high": rounded(sum(i.interest_high for i in items)),
        "interest_hours": rounded(sum(i.interest_hours for i in items), 1),
        "currency": currencies.most_common(1)[0][0] if currencies else None,
        "median_age_days": rounded(median(ages), 1)})


def compute(data: QuarterData) -> KpiResult:
    per: dict[str, list[OpenItem]] = defaultdict(list)
    for item in data.open_items:
        per[item.component].append(item)
    return KpiResult(_measure(data.open_items, data), {name: _measure(items, data) for name, items in per.items()})


SPEC = KpiSpec(
    id="open_debt", name="Open debt", unit="items", direction=Direction.LOWER_IS_BETTER,
    definition="Debt items active at the end of the quarter (or now): count (value), effort low-high hours, "
               "interest low-high per week and hours per week as last scored, median age in days.",
    compute=compute)
