"""Support tickets linked to AI errors: tickets created in the quarter that the inventory's `sources`
rules link to a component, and their share of all the quarter's tickets."""

from __future__ import annotations

from collections import Counter

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, ratio
from mldebt.metrics.kpis.records import QuarterData


def compute(data: QuarterData) -> KpiResult:
    every = sum(t.tickets for t in data.tickets)
    per: Counter[str] = Counter()
    for count in data.tickets:
        if count.component is not None:
            per[count.component] += count.tickets
    linked = sum(per.values())
    total = Measure(linked, {"all_tickets": every, "share": ratio(linked, every)})
    return KpiResult(total, {name: Measure(n, {"share": ratio(n, every)}) for name, n in per.items()})


SPEC = KpiSpec(
    id="ai_linked_tickets", name="Support tickets linked to AI errors", unit="tickets",
    direction=Direction.LOWER_IS_BETTER,
    definition="Tickets created in the quarter linked to a component (value), and their share of all tickets "
               "created in the quarter.",
    compute=compute)
