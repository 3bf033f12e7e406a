"""One item's score from its evidence: likelihood signals, risk, interest, CD3, and the breakdown that shows them.

The breakdown is the explanation a reader checks a ranking against: every number that went into
the score, where it came from (counts, sample ids, the rates used and which of them are defaults)
and a few sentences (`reasons`) naming the largest costs. Raw values stay in the score columns;
the breakdown rounds for reading (money to cents, shares and probabilities to 4 decimals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from mldebt.domain.costs import CostRates
from mldebt.metrics.interest import (
    MISMATCH_RELEVANCE,
    DebtFacts,
    Drag,
    Interest,
    Share,
    Windows,
    drag,
    interest,
)
from mldebt.metrics.money import format_money, format_money_range
from mldebt.metrics.observations import DriftStats, FeedbackStats, IncidentStats, TicketStats
from mldebt.metrics.priority import (
    BASE_LIKELIHOOD,
    ComponentProfile,
    Impact,
    Priority,
    Signal,
    cd3,
    impact,
    likelihood,
)

BREAKDOWN_VERSION = 1
MODEL_DOC = "docs/prioritization.md"  # where every formula and constant of this version is explained
MAX_PARTS = 6  # shares listed one by one in a breakdown; the rest are summed
MAX_REASONS = 3
DRIFT_CATEGORIES = frozenset({"data", "model"})  # the debt that drifting inputs point at


def item_signals(item: DebtFacts, shares: Sequence[Share], drift_stats: DriftStats | None,
                 windows: Windows) -> list[Signal]:
    """The likelihood signals of one item; each input is scaled by how strongly its source is linked to it
    (`Share.link`: relevance x relation). Counts become rates per week of the evidence window."""
    weeks = windows.weeks
    # one pass over the shares (an item can have hundreds); sums keep the shares' order
    frequency: list[float] = []
    frequency_labels: list[str] = []
    resolve: list[tuple[float, str]] = []
    volume: list[float] = []
    volume_labels: list[str] = []
    unhappy: list[tuple[float, str]] = []
    drops: list[tuple[float, str]] = []
    for share in shares:
        source = share.pool.source
        if isinstance(source, IncidentStats):
            link = share.link
            frequency.append(link * source.intervals)
            if source.intervals > 0:
                frequency_labels.append(share.pool.label)
            resolve.append((link * (source.mean_hours_to_resolve or 0.0), share.pool.label))
        elif isinstance(source, TicketStats):
            link = share.link
            volume.append(link * source.tickets)
            if source.tickets > 0:
                volume_labels.append(share.pool.label)
        elif isinstance(source, FeedbackStats):
            link = share.link
            unhappy.append((link * source.dissatisfied_share, share.pool.label))
            drops.append((link * source.drop, share.pool.label))
    signals = [
        Signal("incident_frequency", sum(frequency) / weeks, tuple(dict.fromkeys(frequency_labels))),
        _worst("time_to_resolve", resolve),
        Signal("ticket_volume", sum(volume) / weeks, tuple(dict.fromkeys(volume_labels))),
        _worst("dissatisfaction", unhappy),
        _worst("satisfaction_drop", drops),
    ]
    drift_share = drift_days = 0.0
    drift_sources: tuple[str, ...] = ()
    if drift_stats is not None and drift_stats.latest_drifted:
        rel = 1.0 if item.category in DRIFT_CATEGORIES else MISMATCH_RELEVANCE
        drift_share, drift_days = rel * drift_stats.latest_share, rel * drift_stats.streak_days
        drift_sources = tuple(f"drift run {i}" for i in drift_stats.streak_run_ids)
    signals.append(Signal("drift_share", drift_share, drift_sources[-1:]))
    signals.append(Signal("drift_duration", drift_days, drift_sources))
    churn = item.churn
    signals.append(Signal("churn", churn.changes_per_week if churn else 0.0, churn.files if churn else ()))
    return signals


def _worst(name: str, candidates: list[tuple[float, str]]) -> Signal:
    best = max(candidates, default=(0.0, ""))
    return Signal(name, best[0], (best[1],) if best[0] > 0 else ())


@dataclass(frozen=True)
class ScoringContext:
    """What every breakdown of one scoring run shares (computed once, not per item)."""

    rates: CostRates
    windows: Windows
    as_of: dt.datetime

    @cached_property
    def as_of_text(self) -> str:
        return self.as_of.isoformat()

    @cached_property
    def rate_values(self) -> dict[str, Any]:
        return self.rates.model_dump()

    @cached_property
    def defaults_used(self) -> list[str]:
        return self.rates.defaults_used()


@dataclass(frozen=True)
class DebtScore:
    item: DebtFacts
    impact: Impact
    signals: tuple[Signal, ...]
    likelihood: float
    shares: tuple[Share, ...]
    drag: Drag
    interest: Interest
    priority: Priority

    @property
    def risk(self) -> float:
        return self.impact.value * self.likelihood

    def breakdown(self, context: ScoringContext) -> dict[str, Any]:
        i, p = self.interest, self.priority
        currency = context.rates.currency
        ordered = sorted(self.shares, key=lambda s: (-s.per_week, -s.fraction, s.pool.label))
        rest = ordered[MAX_PARTS:]
        return {
            "version": BREAKDOWN_VERSION, "model": MODEL_DOC,  # the moment is the item's `scored_at`
            "window_days": context.windows.days, "recent_days": context.windows.recent_days, "currency": currency,
            "summary": self.summary(currency), "reasons": self.reasons(currency, ordered),
            "impact": self.impact.to_dict(),
            "likelihood": {"value": round(self.likelihood, 4), "base": BASE_LIKELIHOOD,
                           "signals": [s.to_dict() for s in self.signals if s.value > 0],
                           "without_evidence": [s.name for s in self.signals if s.value <= 0]},
            "risk": round(self.risk, 4),
            "interest": {
                "per_week": round(i.per_week, 2), "low": round(i.low, 2), "high": round(i.high, 2),
                "hours_per_week": round(i.hours_per_week, 3), "text": format_money_range(i.low, i.high, currency),
                "shared_per_week": round(i.signals_per_week, 2),
                "shared_recent_per_week": round(i.signals_recent_per_week, 2),
                "drag": self.drag.to_dict(context.rates.engineer_hour),
                "parts": [s.to_dict() for s in ordered[:MAX_PARTS]],
                "parts_omitted": len(rest), "omitted_per_week": round(sum(s.per_week for s in rest), 2)},
            "priority": p.to_dict(),
            "rates": context.rate_values, "defaults_used": context.defaults_used,
        }

    def summary(self, currency: str) -> str:
        i, p = self.interest, self.priority
        return (f"{format_money_range(i.low, i.high, currency)} interest, "
                f"{format_money_range(p.low, p.high, currency, per='week per hour')} of effort; "
                f"risk {self.risk:.2g} (impact {self.impact.value:.3g} x likelihood {self.likelihood:.2f})")

    def reasons(self, currency: str, ordered: Sequence[Share] | None = None) -> list[str]:
        """The largest costs in words, largest first (`ordered`: the shares by money, largest first)."""
        ranked = ordered if ordered is not None else sorted(self.shares, key=lambda s: -s.per_week)
        found: list[tuple[float, Share | None]] = [(s.per_week, s) for s in ranked[:MAX_REASONS] if s.per_week > 0]
        if self.interest.drag_per_week > 0:
            found.append((self.interest.drag_per_week, None))
        found.sort(key=lambda pair: -pair[0])
        if not found:
            return ["no incidents, tickets, at-risk orders, dissatisfied answers or churn point at it"]
        return [self._reason(share, currency) for _, share in found[:MAX_REASONS]]

    def _reason(self, share: Share | None, currency: str) -> str:
        if share is None:
            return (f"churn: its files change {self.drag.changes_per_week:.2g} times a week -> "
                    f"{self.drag.hours_mid:.2g} h/week of drag, "
                    f"{format_money(self.interest.drag_per_week, currency, 'week')}")
        pool_money = format_money(share.pool.per_week, currency, "week")
        return (f"{share.pool.label}: {_observed_text(share, currency)}, {share.fraction:.0%} of {pool_money} -> "
                f"{format_money(share.per_week, currency, 'week')}")


def _observed_text(share: Share, currency: str) -> str:
    s = share.pool.source
    if isinstance(s, IncidentStats):
        return f"{s.intervals} incident interval(s), {s.hours:.2g} h open"
    if isinstance(s, TicketStats):
        return f"{s.tickets} ticket(s)"
    if isinstance(s, FeedbackStats):
        return (f"{s.dissatisfied} of {s.scored} answers dissatisfied, "
                f"{format_money(s.dissatisfied_value, currency)} of orders")
    return f"{s.orders} order(s) at risk, {format_money(s.revenue, currency)}"


def score_debt(item: DebtFacts, profile: ComponentProfile, shares: Sequence[Share], drift_stats: DriftStats | None,
               rates: CostRates, windows: Windows) -> DebtScore:
    """Impact, likelihood, interest and CD3 of one item from its shares of the pools and its own evidence."""
    signals = tuple(item_signals(item, shares, drift_stats, windows))
    item_drag = drag(item)
    owed = interest(shares, item_drag, rates.engineer_hour)
    priority = cd3(owed.per_week, owed.low, owed.high, item.effort_low, item.effort_high)
    return DebtScore(item, impact(item.severity, profile), signals, likelihood(signals), tuple(shares), item_drag,
                     owed, priority)
