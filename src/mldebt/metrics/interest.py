"""Interest: what a debt item costs per week while it stays, in money and hours.

The store observes costs per component: hours of open incidents, support tickets, orders put at
risk, orders of dissatisfied shoppers. Each observed cost is a `Pool`, priced with the inventory's
rates and converted to a weekly rate over the evidence window (and over the recent window, which
gives the range). A pool is then SHARED among the active debt items it is evidence against, in
proportion to `severity weight x relevance x relation x lifecycle weight`, so the interest of all
items adds up to the observed cost: one incident is never charged in full to each of ten items.
(Debt in a deprecated component claims a fifth: the remedy for the harm a retiring component
does is to move off it, which is its dependants' debt, not polishing its code.)

- relevance: how likely the signal is caused by this debt. 1 when the signal's category points at
  the item's category (a `model-error` incident at `model` debt, see
  `domain.debt_groups.INCIDENT_CATEGORY_TO_DEBT`) or names its root cause (`SYMPTOMS`: a
  `retraining-delay` incident names the overdue retrain); 0 for the other debt of that category
  when the signal names its causes (a named cause is the cause: the retrain-delay alert is no
  evidence against an unseeded random split), 0.02 otherwise (a latency incident says little about
  a hard-coded threshold). A signal without a category (tickets, orders, poll answers, `other`
  incidents) counts fully against every kind of debt but governance and documentation (0.02): a
  missing model card does not make a shopper complain.
- relation: 1 for the component's own items, 0.5 for the items of the components it depends on
  directly (a chatbot's "intent model returned no prediction" is evidence against the model's debt);
  together they take at most half of a pool (`UPSTREAM_CAP`).
- a pool that points at a kind of debt none of its candidates is (a data-quality incident where
  the backlog holds only code debt) is claimed only at the best relevance among them (0.02).

On top of the shared costs, debt in code that changes often slows every change (engineering drag,
CodeScene's hotspot argument): each change of a file costs 10% of the fix's effort, spread over the
item's findings, at the engineer-hour rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mldebt.domain.costs import CostRates
from mldebt.domain.debt_groups import INCIDENT_CATEGORY_TO_DEBT
from mldebt.metrics.observations import FeedbackStats, IncidentStats, RevenueStats, TicketStats
from mldebt.metrics.priority import severity_weight

RECENT_DAYS = 30  # the recent window: its weekly rate against the full window's gives the range
MISMATCH_RELEVANCE = 0.02  # debt of another kind than the signal points at; paperwork for an untyped signal
RELATION_WEIGHTS: dict[str, float] = {"own": 1.0, "upstream": 0.5}
UPSTREAM_CAP = 0.5  # the most of a pool the items of the component's dependencies take together
PAPERWORK_CATEGORIES = frozenset({"governance", "documentation"})  # debt no shopper or pager notices
SIBLING_RELEVANCE = 0.0  # debt of the pointed-at kind when the signal names other root causes (`SYMPTOMS`)
SYMPTOMS: dict[str, frozenset[str]] = {
    # incident category -> the root causes (`domain.debt_groups` groups) it is a direct symptom of
    "retraining-delay": frozenset({"retrain-overdue"}),
    "data-quality": frozenset({"data-quality", "data-drift", "depends-on-retiring"}),
    "false-positives": frozenset({"hard-coded-thresholds", "model-quality"}),
    "api-mismatch": frozenset({"deprecated-bigcommerce-api", "deprecated-api"}),
}
"""Signals that name their causes: a retrain-delay alert is the overdue retrain's, not any model debt's."""
DRAG_SHARE_PER_CHANGE = 0.1  # each change of a file with the debt costs 10% of the fix's effort
CHURN_PERIOD_WEEKS = 365.0 / 7.0  # the scanner counts changes over 12 months (`scan.hotspots.DEFAULT_SINCE`)


@dataclass(frozen=True)
class Windows:
    """The evidence window (`costs.window_days`) and the recent window inside it, in days."""

    days: int
    recent_days: int

    @classmethod
    def of(cls, window_days: int) -> Windows:
        return cls(window_days, min(RECENT_DAYS, window_days))

    @property
    def weeks(self) -> float:
        return self.days / 7.0

    @property
    def recent_weeks(self) -> float:
        return self.recent_days / 7.0


PoolSource = IncidentStats | TicketStats | RevenueStats | FeedbackStats


@dataclass(frozen=True)
class Pool:
    """One observed cost of one component, per week, to be shared among the items it is evidence for."""

    kind: str  # incidents | tickets | revenue_at_risk | dissatisfied_orders
    component: str
    category: str | None  # the incident or ticket category; None: it does not point at a kind of debt
    per_week: float  # money
    recent_per_week: float
    source: PoolSource
    hours_per_week: float = 0.0  # people's hours (open incidents)
    recent_hours_per_week: float = 0.0
    rate: dict[str, float] = field(default_factory=dict)

    @cached_property
    def label(self) -> str:
        kind = self.kind.replace("_", " ")
        return f"{self.component} {kind} ({self.category})" if self.category else f"{self.component} {kind}"

    @cached_property
    def head(self) -> dict[str, Any]:
        """The pool's own fields of a breakdown part (computed once: many items share a pool)."""
        return {"kind": self.kind, "component": self.component, "category": self.category,
                "pool_per_week": round(self.per_week, 2), "pool_recent_per_week": round(self.recent_per_week, 2)}

    @cached_property
    def observed(self) -> dict[str, Any]:
        """The counts behind the money, for the breakdown (computed once: many items share a pool)."""
        s = self.source
        if isinstance(s, IncidentStats):
            mean = s.mean_hours_to_resolve
            return {"incidents": s.incidents, "intervals": s.intervals, "hours": round(s.hours, 2),
                    "recent_intervals": s.recent_intervals, "recent_hours": round(s.recent_hours, 2),
                    "resolved": s.resolved, "mean_hours_to_resolve": None if mean is None else round(mean, 2),
                    "incident_ids": list(s.sample_ids)}
        if isinstance(s, TicketStats):
            return {"tickets": s.tickets, "recent_tickets": s.recent_tickets, "ticket_ids": list(s.sample_ids)}
        if isinstance(s, RevenueStats):
            return {"orders": s.orders, "revenue": round(s.revenue, 2), "recent_orders": s.recent_orders,
                    "recent_revenue": round(s.recent_revenue, 2), "order_ids": list(s.sample_orders)}
        return {"responses": s.responses, "scored": s.scored,
                "mean_score": None if s.mean_score is None else round(s.mean_score, 4),
                "previous_mean_score": None if s.previous_mean is None else round(s.previous_mean, 4),
                "dissatisfied": s.dissatisfied, "dissatisfied_order_value": round(s.dissatisfied_value, 2),
                "recent_dissatisfied": s.recent_dissatisfied,
                "recent_dissatisfied_order_value": round(s.recent_dissatisfied_value, 2)}


def incident_pool(s: IncidentStats, rates: CostRates, w: Windows) -> Pool:
    hours, recent = s.hours / w.weeks, s.recent_hours / w.recent_weeks
    return Pool("incidents", s.component, s.category, hours * rates.incident_hour, recent * rates.incident_hour,
                s, hours, recent, {"incident_hour": rates.incident_hour})


def ticket_pool(s: TicketStats, rates: CostRates, w: Windows) -> Pool:
    return Pool("tickets", s.component, s.category, s.tickets / w.weeks * rates.ticket_handling,
                s.recent_tickets / w.recent_weeks * rates.ticket_handling, s,
                rate={"ticket_handling": rates.ticket_handling})


def revenue_pool(s: RevenueStats, rates: CostRates, w: Windows) -> Pool:
    return Pool("revenue_at_risk", s.component, None, s.revenue / w.weeks * rates.ai_revenue_share,
                s.recent_revenue / w.recent_weeks * rates.ai_revenue_share, s,
                rate={"ai_revenue_share": rates.ai_revenue_share})


def dissatisfaction_pool(s: FeedbackStats, rates: CostRates, w: Windows) -> Pool:
    loss = rates.dissatisfied_order_loss
    return Pool("dissatisfied_orders", s.component, None, s.dissatisfied_value / w.weeks * loss,
                s.recent_dissatisfied_value / w.recent_weeks * loss, s, rate={"dissatisfied_order_loss": loss})


def pools(incidents: Iterable[IncidentStats], tickets: Iterable[TicketStats], revenue: Iterable[RevenueStats],
          feedback: Iterable[FeedbackStats], rates: CostRates, w: Windows) -> list[Pool]:
    """Every observed cost as a weekly pool (pools of no money are kept: they still carry likelihood)."""
    found = [incident_pool(s, rates, w) for s in incidents]
    found += [ticket_pool(s, rates, w) for s in tickets]
    found += [revenue_pool(s, rates, w) for s in revenue]
    found += [dissatisfaction_pool(s, rates, w) for s in feedback]
    return found


def relevance(debt_category: str, signal_category: str | None, group: str | None = None) -> float:
    """How much of a signal's cost this kind of debt explains: 1, SIBLING_RELEVANCE or MISMATCH_RELEVANCE.

    1 when the signal names the item's root cause (`SYMPTOMS`) or, for a signal that names none,
    points at its debt category; SIBLING_RELEVANCE (none: a named cause is the cause) for debt of
    the right category when the signal names other root causes; MISMATCH_RELEVANCE otherwise. A
    signal that points at no kind in particular (tickets, poll answers, orders, incidents of
    category `other`) is evidence against debt that changes what the software does, not against
    missing paperwork: governance and documentation debt get MISMATCH_RELEVANCE from it."""
    mapped = INCIDENT_CATEGORY_TO_DEBT.get(signal_category or "") if signal_category != "other" else None
    if mapped is None:
        return MISMATCH_RELEVANCE if debt_category in PAPERWORK_CATEGORIES else 1.0
    named = SYMPTOMS.get(str(signal_category))
    if named and group in named:
        return 1.0
    if str(mapped) != debt_category:
        return MISMATCH_RELEVANCE
    return SIBLING_RELEVANCE if named else 1.0


@dataclass(frozen=True)
class Churn:
    """How often the item's files change: the mean change count over its findings (0 for a finding without one)."""

    mean_changes: float
    findings: int  # findings looked at (the item's kept evidence)
    files: tuple[str, ...] = ()  # the most changed files, for the breakdown
    max_changes: int = 0

    @property
    def changes_per_week(self) -> float:
        return self.mean_changes / CHURN_PERIOD_WEEKS


@dataclass(frozen=True)
class DebtFacts:
    """What interest and likelihood read of a debt item."""

    id: int
    component: str
    category: str
    severity: str
    effort_low: float
    effort_high: float
    churn: Churn | None = None
    lifecycle_weight: float = 1.0  # of its component (`metrics.priority.LIFECYCLE_WEIGHTS`)
    group: str | None = None  # its root cause (`domain.debt_groups`), None for an item added by hand


@dataclass(frozen=True)
class Share:
    """An item's part of one pool."""

    pool: Pool
    relation: str  # own | upstream
    relevance: float
    weight: float  # severity weight x relevance x relation weight x lifecycle weight
    fraction: float  # weight / the pool's total weight

    @property
    def link(self) -> float:
        """How strongly the pool is evidence against this item (relevance x relation), severity aside."""
        return self.relevance * RELATION_WEIGHTS[self.relation]

    @property
    def per_week(self) -> float:
        return self.fraction * self.pool.per_week

    @property
    def recent_per_week(self) -> float:
        return self.fraction * self.pool.recent_per_week

    @property
    def hours_per_week(self) -> float:
        return self.fraction * self.pool.hours_per_week

    def to_dict(self) -> dict[str, Any]:
        pool, fraction = self.pool, self.fraction  # the properties' products, without three property calls
        return {**pool.head, "relation": self.relation, "relevance": self.relevance,
                "weight": round(self.weight, 4), "share": round(fraction, 4),
                "per_week": round(fraction * pool.per_week, 2),
                "recent_per_week": round(fraction * pool.recent_per_week, 2),
                "hours_per_week": round(fraction * pool.hours_per_week, 3), "observed": pool.observed}


def share_pools(all_pools: Iterable[Pool], items: Sequence[DebtFacts],
                depends_on: Mapping[str, Sequence[str]]) -> dict[int, list[Share]]:
    """Each pool split among its component's items and those of its direct dependencies, by weight.

    share = weight / ((max(own, upstream) + upstream) / best relevance). The dependencies' items
    together never take more than UPSTREAM_CAP of a pool (the evidence against them is indirect),
    and a pool no candidate is relevant to is claimed only at the best relevance among them: in
    both cases the rest stays unallocated, pointing at debt the backlog does not hold. A pool whose
    candidates all weigh 0 (only other debt of the kind whose named cause is absent) is charged to nobody."""
    by_component: dict[str, list[DebtFacts]] = {}
    for item in items:
        by_component.setdefault(item.component, []).append(item)
    shares: dict[int, list[Share]] = {item.id: [] for item in items}
    relevances: dict[tuple[str, str | None, str | None], float] = {}
    base = {item.id: severity_weight(item.severity) * item.lifecycle_weight for item in items}
    # pools of one component and category (its incidents, tickets, orders, poll answers) split alike: once each
    splits: dict[tuple[str, str | None], list[tuple[DebtFacts, str, float, float, float]]] = {}
    for pool in all_pools:
        split = splits.get((pool.component, pool.category))
        if split is None:
            split = splits[(pool.component, pool.category)] = _split(pool.component, pool.category, by_component,
                                                                     depends_on, relevances, base)
        for item, relation, rel, weight, fraction in split:
            shares[item.id].append(Share(pool, relation, rel, weight, fraction))
    return shares


def _split(component: str, category: str | None, by_component: Mapping[str, Sequence[DebtFacts]],
           depends_on: Mapping[str, Sequence[str]], relevances: dict[tuple[str, str | None, str | None], float],
           base: Mapping[int, float]) -> list[tuple[DebtFacts, str, float, float, float]]:
    """(item, relation, relevance, weight, fraction) of every item a pool of `component` and `category` charges."""
    upstream = sorted(set(depends_on.get(component, ())) - {component})
    candidates = [(item, "own") for item in by_component.get(component, ())]
    candidates += [(item, "upstream") for dep in upstream for item in by_component.get(dep, ())]
    weighted = []
    own = theirs = best = 0.0
    for item, relation in candidates:
        key = (item.category, category, item.group)
        rel = relevances.get(key)
        if rel is None:
            rel = relevances[key] = relevance(*key)
        weight = base[item.id] * rel * RELATION_WEIGHTS[relation]
        weighted.append((item, relation, rel, weight))
        if rel > best:
            best = rel
        if relation == "own":
            own += weight
        else:
            theirs += weight
    total = (max(own, theirs * (1.0 - UPSTREAM_CAP) / UPSTREAM_CAP) + theirs) / min(1.0, best or 1.0)
    if total <= 0:
        return []  # nobody to charge: the cost stays unallocated (no item claims it)
    # a zero share charges nothing and explains nothing
    return [(item, relation, rel, weight, weight / total) for item, relation, rel, weight in weighted if weight > 0]


@dataclass(frozen=True)
class Drag:
    """Engineering hours per week lost to working around the debt in files that change."""

    changes_per_week: float
    hours_low: float
    hours_mid: float
    hours_high: float

    def to_dict(self, engineer_hour: float) -> dict[str, Any]:
        return {"changes_per_week": round(self.changes_per_week, 4), "share_per_change": DRAG_SHARE_PER_CHANGE,
                "hours_per_week": round(self.hours_mid, 3), "hours_low": round(self.hours_low, 3),
                "hours_high": round(self.hours_high, 3), "per_week": round(self.hours_mid * engineer_hour, 2)}


def drag(item: DebtFacts) -> Drag:
    """DRAG_SHARE_PER_CHANGE x effort x changes per week, for the low, mid and high effort."""
    per_week = item.churn.changes_per_week if item.churn else 0.0
    rate = DRAG_SHARE_PER_CHANGE * per_week
    mid = (item.effort_low + item.effort_high) / 2.0
    return Drag(per_week, rate * item.effort_low, rate * mid, rate * item.effort_high)


@dataclass(frozen=True)
class Interest:
    per_week: float  # the point estimate: the full window's rate + drag at the mid effort
    low: float
    high: float
    hours_per_week: float  # people's hours: shared incident hours + drag hours
    signals_per_week: float  # the shared costs over the full window ...
    signals_recent_per_week: float  # ... and over the recent window
    drag_per_week: float


def interest(shares: Sequence[Share], item_drag: Drag, engineer_hour: float) -> Interest:
    """Range: the lower and the higher of the full and recent windows' rates, drag at low and high effort."""
    full = sum(s.per_week for s in shares)
    recent = sum(s.recent_per_week for s in shares)
    drag_mid = item_drag.hours_mid * engineer_hour
    low = min(full, recent) + item_drag.hours_low * engineer_hour
    high = max(full, recent) + item_drag.hours_high * engineer_hour
    hours = sum(s.hours_per_week for s in shares) + item_drag.hours_mid
    return Interest(full + drag_mid, low, high, hours, full, recent, drag_mid)
