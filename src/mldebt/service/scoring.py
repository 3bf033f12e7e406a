"""Scoring the backlog: risk, interest (cost of delay per week) and CD3 priority of every active item.

PLACEHOLDER (the scoring helper replaces the body): the interface below is the contract the
backlog rebuild calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from mldebt.domain.costs import CostRates
from mldebt.domain.finding import Severity
from mldebt.store.debt_tables import DebtItemRow


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


def score_items(session: Session, items: Sequence[DebtItemRow], rates: CostRates,
                now: dt.datetime) -> dict[int, ItemScore]:
    """Scores of `items` (by id), from the evidence in the store over `rates.window_days` before `now`."""
    scores = {}
    for item in items:
        risk = float(Severity(item.severity).rank)
        scores[item.id] = ItemScore(risk, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, rates.currency, {})
    return scores
