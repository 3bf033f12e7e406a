"""Share of the inventory's models retrained in the quarter.

A model counts when it is in the inventory at the end of the quarter (not retired by then); it was
retrained when a change-log `retrain` entry, its `trained_at` or a retrain request that succeeded
falls in the quarter.
"""

from __future__ import annotations

import datetime as dt

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, ratio
from mldebt.metrics.kpis.records import ModelRetrains, QuarterData


def _in_quarter(model: ModelRetrains, data: QuarterData) -> list[str]:
    """The model's (re)training days inside the quarter (up to today while it runs), oldest first."""
    start = data.period.start.date()
    last = data.period.end.date() - dt.timedelta(days=1) if data.period.complete else data.period.as_of.date()
    return sorted({d.isoformat() for d in model.trained_on if start <= d <= last})


def compute(data: QuarterData) -> KpiResult:
    models = [m for m in data.models if m.retired_at is None or m.retired_at >= data.period.as_of]
    per: dict[str, Measure] = {}
    for model in models:
        days = _in_quarter(model, data)
        per[model.name] = Measure(1.0 if days else 0.0, {"last_retrained": days[-1] if days else None})
    retrained = sum(1 for m in per.values() if m.value)
    return KpiResult(Measure(ratio(retrained, len(models)), {"models": len(models), "retrained": retrained}), per)


SPEC = KpiSpec(
    id="models_retrained_share", name="Models retrained in the quarter", unit="share",
    direction=Direction.HIGHER_IS_BETTER,
    definition="Models of the inventory not retired at the end of the quarter that were retrained in it "
               "(change-log retrain entry, trained_at, or a succeeded retrain request) / those models.",
    compute=compute)
