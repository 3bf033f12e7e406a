"""Satisfaction drops: shoppers rate an AI feature worse than they did, or worse than a floor.

Poll answers are already scores in [0, 1] (`domain.feedback.score_answer`). Per component, the
mean score over the last `window_days` (ending at `now`) is compared with a floor and with the
mean of the `window_days` before it. A component needs `min_responses` scored answers in the last
window to be judged at all (a handful of angry answers is noise, not a trend), and as many in the
window before for a drop to count. One Finding `FB001` per component, whose evidence holds both
means, the counts, the share of low scores and the order value of the dissatisfied shoppers (what
the cost model prices); when satisfaction recovers, the next sync marks it fixed.

Severity follows the size of the problem, the larger of the drop and the shortfall below the floor:
>= 0.25 high, >= 0.1 medium, else low.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mldebt.domain.finding import Finding, Severity

RULE_ID = "FB001"
SOURCE = "feedback"
MAX_LISTED = 20
SEVERITY_STEPS = ((0.25, Severity.HIGH), (0.1, Severity.MEDIUM))


@dataclass(frozen=True)
class SatisfactionPolicy:
    """When a component's satisfaction is a problem (defaults: below 0.6, or down 0.1, on >= 20 answers)."""

    floor: float = 0.6
    min_drop: float = 0.1
    min_responses: int = 20
    window_days: int = 30
    low_score: float = 0.25  # a score at or below this is a dissatisfied shopper (1-2 stars, "dissatisfied")

    def __post_init__(self) -> None:
        for name in ("floor", "min_drop", "low_score"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], not {value!r}")
        if self.min_responses < 1 or self.window_days < 1:
            raise ValueError("a satisfaction window needs at least 1 response and 1 day")


@dataclass(frozen=True)
class ScoredResponse:
    """One scored poll answer tied to a component (a `FeedbackRow` reduced to what the rule reads)."""

    response_id: str
    component: str
    score: float
    created_at: dt.datetime
    order_value: float | None = None


@dataclass(frozen=True)
class WindowStats:
    responses: int
    mean: float | None
    low_share: float | None
    low_order_value: float

    def to_dict(self) -> dict[str, Any]:
        return {"responses": self.responses, "mean": _round(self.mean), "low_score_share": _round(self.low_share),
                "low_score_order_value": round(self.low_order_value, 2)}


def window_stats(responses: list[ScoredResponse], low_score: float) -> WindowStats:
    if not responses:
        return WindowStats(0, None, None, 0.0)
    low = [r for r in responses if r.score <= low_score]
    return WindowStats(len(responses), statistics.fmean(r.score for r in responses), len(low) / len(responses),
                       sum(r.order_value or 0.0 for r in low))


def satisfaction_drops(responses: Iterable[ScoredResponse], now: dt.datetime,
                       policy: SatisfactionPolicy | None = None) -> list[Finding]:
    """One finding per component whose recent satisfaction is below the floor or dropped; sorted by component."""
    policy = policy or SatisfactionPolicy()
    window = dt.timedelta(days=policy.window_days)
    current_start, previous_start = now - window, now - 2 * window
    current: dict[str, list[ScoredResponse]] = {}
    previous: dict[str, list[ScoredResponse]] = {}
    for r in responses:
        if current_start < r.created_at <= now:
            current.setdefault(r.component, []).append(r)
        elif previous_start < r.created_at <= current_start:
            previous.setdefault(r.component, []).append(r)
    findings = []
    for component in sorted(current):
        now_stats = window_stats(current[component], policy.low_score)
        before = window_stats(previous.get(component, []), policy.low_score)
        finding = _judge(component, current[component], now_stats, before, now, policy)
        if finding is not None:
            findings.append(finding)
    return findings


def _judge(component: str, members: list[ScoredResponse], now_stats: WindowStats, before: WindowStats,
           now: dt.datetime, policy: SatisfactionPolicy) -> Finding | None:
    if now_stats.responses < policy.min_responses or now_stats.mean is None:
        return None
    shortfall = policy.floor - now_stats.mean
    comparable = before.responses >= policy.min_responses and before.mean is not None
    drop = before.mean - now_stats.mean if comparable and before.mean is not None else None
    reasons = []
    if shortfall > 0:
        reasons.append("below-floor")
    if drop is not None and drop >= policy.min_drop - 1e-9:
        reasons.append("dropped")
    if not reasons:
        return None
    gap = max(shortfall, drop or 0.0)
    severity = next((s for step, s in SEVERITY_STEPS if gap >= step - 1e-9), Severity.LOW)
    low = sorted((r for r in members if r.score <= policy.low_score), key=lambda r: (r.created_at, r.response_id),
                 reverse=True)
    evidence: dict[str, Any] = {
        "reasons": reasons, "window_days": policy.window_days, "floor": policy.floor, "min_drop": policy.min_drop,
        "low_score": policy.low_score, "window_end": now.isoformat(), "current": now_stats.to_dict(),
        "previous": before.to_dict(), "drop": _round(drop), "shortfall": _round(max(shortfall, 0.0)),
        "low_score_responses": [r.response_id for r in low[:MAX_LISTED]],
    }
    was = f" from {before.mean:.2f}" if drop is not None and before.mean is not None else ""
    message = (f"satisfaction with {component} is {now_stats.mean:.2f}{was} over the last {policy.window_days} days "
               f"({now_stats.responses} responses, {now_stats.low_share or 0.0:.0%} dissatisfied; floor "
               f"{policy.floor:g})")
    return Finding.create(RULE_ID, severity, component, message, identity=("satisfaction",), evidence=evidence,
                          source=SOURCE)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
