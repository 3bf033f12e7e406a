"""Automated vs manual fix rate: of the debt items resolved in the quarter, the share that an
automatic action closed (`fixed_by: automated`: an auto-retrain, a bot's pull request)."""

from __future__ import annotations

from collections import defaultdict

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, ratio
from mldebt.metrics.kpis.records import QuarterData, ResolvedItems

AUTOMATED = "automated"
MANUAL = "manual"


def _measure(rows: list[ResolvedItems]) -> Measure:
    resolved = sum(r.items for r in rows)
    automated = sum(r.items for r in rows if r.fixed_by == AUTOMATED)
    manual = sum(r.items for r in rows if r.fixed_by == MANUAL)
    return Measure(ratio(automated, resolved), {"resolved": resolved, "automated": automated, "manual": manual,
                                                "unrecorded": resolved - automated - manual})


def compute(data: QuarterData) -> KpiResult:
    per: dict[str, list[ResolvedItems]] = defaultdict(list)
    for row in data.resolved_items:
        per[row.component].append(row)
    return KpiResult(_measure(data.resolved_items), {name: _measure(rows) for name, rows in per.items()})


SPEC = KpiSpec(
    id="automated_fix_rate", name="Automated fix rate", unit="share", direction=Direction.HIGHER_IS_BETTER,
    definition="Debt items resolved in the quarter with fixed_by automated / all debt items resolved in the "
               "quarter (the rest are manual fixes, or unrecorded).",
    compute=compute)
