"""Scoring the backlog: risk, interest (cost of delay per week) and CD3 priority of every active item.

The backlog rebuild calls `score_items` inside its transaction with the active items. Evidence is
read once for all of them (`service.evidence`), the money a component's incidents, tickets, orders
and poll answers cost is shared among the items it is evidence against (so the interest of all
items adds up to what was observed), and each item is scored by the pure functions of
`metrics.priority`, `metrics.interest` and `metrics.debt_score`. `docs/prioritization.md` explains
every formula with a worked example.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from mldebt.domain.costs import CostRates
from mldebt.domain.debt import MAX_EFFORT_HOURS
from mldebt.domain.debt_groups import root_cause
from mldebt.metrics.debt_score import DebtScore, ScoringContext, score_debt
from mldebt.metrics.interest import DebtFacts, Windows, pools, share_pools
from mldebt.metrics.priority import ComponentProfile
from mldebt.service.evidence import EvidencedItem, gather
from mldebt.store.base import as_aware


@dataclass(frozen=True)
class ItemScore:
    risk: float
    interest_low: float
    interest_high: float
    interest_hours: float
    priority: float
    priority_low: float
    priority_high: float
    currency: str
    breakdown: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> dict[str, Any]:
        """The `debt_items` score columns this score fills."""
        return {"risk": self.risk, "interest_low": self.interest_low, "interest_high": self.interest_high,
                "interest_hours": self.interest_hours, "priority": self.priority,
                "priority_low": self.priority_low, "priority_high": self.priority_high,
                "currency": self.currency, "breakdown": self.breakdown}

    @classmethod
    def of(cls, score: DebtScore, context: ScoringContext) -> ItemScore:
        i, p = score.interest, score.priority
        return cls(score.risk, i.low, i.high, i.hours_per_week, p.value, p.low, p.high, context.rates.currency,
                   score.breakdown(context))


def score_items(session: Session, items: Sequence[EvidencedItem], rates: CostRates,
                now: dt.datetime) -> dict[int, ItemScore]:
    """Scores of `items` (by id), from the evidence in the store over `rates.window_days` before `now`."""
    if not items:
        return {}
    now = as_aware(now)
    windows = Windows.of(rates.window_days)
    evidence = gather(session, items, windows, now)
    profiles = {item.component: evidence.profiles.get(item.component) or ComponentProfile(item.component)
                for item in items}
    facts = [DebtFacts(item.id, item.component, item.category, item.severity, _hours(item.effort_low_hours),
                       max(_hours(item.effort_low_hours), _hours(item.effort_high_hours)), evidence.churn(item.id),
                       profiles[item.component].lifecycle_weight, _group(item)) for item in items]
    shares = share_pools(pools(evidence.incidents, evidence.tickets, evidence.revenue, evidence.feedback, rates,
                               windows), facts, evidence.depends_on)
    context = ScoringContext(rates, windows, now)
    scores = {}
    for fact in facts:
        score = score_debt(fact, profiles[fact.component], shares[fact.id], evidence.drift.get(fact.component),
                           rates, windows)
        scores[fact.id] = ItemScore.of(score, context)
    return scores


def _group(item: EvidencedItem) -> str | None:
    """The item's root cause, from its first rule id (None for an item added by hand)."""
    rules = [r for r in (item.rule_ids or ()) if isinstance(r, str)]
    return root_cause(rules[0]).group if rules else None


def _hours(value: object) -> float:
    """An effort as scoring reads it: finite hours between 0 and MAX_EFFORT_HOURS, whatever a row holds."""
    number = float(value) if isinstance(value, int | float) else 0.0
    return min(MAX_EFFORT_HOURS, number) if math.isfinite(number) and number > 0 else 0.0
