"""Satisfaction per AI feature: the mean poll score (0 to 1) of the answers linked to each AI
feature in the quarter; the total is the mean over all those answers (each answer weighs the same)."""

from __future__ import annotations

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, rounded
from mldebt.metrics.kpis.records import QuarterData


def compute(data: QuarterData) -> KpiResult:
    features = set(data.ai_features())
    rows = [r for r in data.feedback if r.component in features and r.responses > 0]
    responses = sum(r.responses for r in rows)
    total = Measure(rounded(sum(r.score_sum for r in rows) / responses, 3) if responses else None,
                    {"responses": responses, "features": len(rows)})
    per = {r.component: Measure(rounded(r.score_sum / r.responses, 3), {"responses": r.responses}) for r in rows}
    return KpiResult(total, per)


SPEC = KpiSpec(
    id="satisfaction_by_feature", name="Satisfaction per AI feature", unit="score 0-1",
    direction=Direction.HIGHER_IS_BETTER,
    definition="Mean score of the scored poll answers created in the quarter and linked to an AI feature "
               "(a component of kind feature, or customer facing), per feature and over all.",
    compute=compute)
