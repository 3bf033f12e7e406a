"""Risk and priority of a debt item: impact x likelihood, and CD3 (cost of delay / duration).

Pure functions over plain records; `docs/prioritization.md` gives every formula with a worked
example, and every constant below appears in an item's breakdown.

- Impact says how much it matters when this debt hurts: the severity, how exposed the component is
  (customer facing, revenue critical), its lifecycle (deprecated code hurts fewer people) and how
  many components depend on it (the blast radius in the inventory graph).
- Likelihood says how likely it is to hurt now, from the evidence: each signal (incident
  frequency, time to resolve, drift, tickets, satisfaction, churn) is turned into a probability
  `p = x / (x + half)` (half: the value at which the signal alone gives even odds), and the
  signals are combined as independent causes (noisy-or) on top of a small base rate.
- Risk = impact x likelihood: the tie-breaker of the backlog.
- Priority = CD3: interest (money per week) / effort (hours), the money form of weighted shortest
  job first. Its range divides the low interest by the high effort and the high interest by the
  low effort.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mldebt.domain.graph import dependents

SEVERITY_WEIGHTS: dict[str, float] = {"info": 0.5, "low": 1.0, "medium": 2.0, "high": 4.0, "critical": 8.0}
LIFECYCLE_WEIGHTS: dict[str, float] = {"production": 1.0, "experimental": 0.3, "deprecated": 0.2, "legacy": 0.2}
RETIRED_WEIGHT = 0.2  # a component gone from the inventory carries no new traffic, like a deprecated one
UNKNOWN_LIFECYCLE_WEIGHT = 1.0  # a component the inventory does not know: assume it matters
DEPENDANT_STEP = 0.1  # each component that depends on it (transitively) adds 10% ...
DEPENDANT_CAP = 10  # ... up to ten of them (x2 at most)
BASE_LIKELIHOOD = 0.05  # debt without evidence can still hurt: 1 in 20
MIN_EFFORT_HOURS = 0.5  # CD3 divides by effort; nothing takes less than half an hour
NAMES_SHOWN = 5  # dependants named in a breakdown (all are counted)


def severity_weight(severity: str) -> float:
    """Doubling per severity step: a critical item weighs sixteen informational ones."""
    return SEVERITY_WEIGHTS.get(severity, SEVERITY_WEIGHTS["medium"])


@dataclass(frozen=True)
class ComponentProfile:
    """What impact reads of a component (a stand-in profile when the inventory does not know it)."""

    name: str
    in_inventory: bool = False
    lifecycle: str | None = None
    customer_facing: bool = False
    revenue_critical: bool = False
    retired: bool = False
    depends_on: tuple[str, ...] = ()
    dependants: tuple[str, ...] = ()  # every component that depends on it, directly or not

    @property
    def lifecycle_weight(self) -> float:
        if self.retired:
            return RETIRED_WEIGHT
        if self.lifecycle is None:
            return UNKNOWN_LIFECYCLE_WEIGHT
        return LIFECYCLE_WEIGHTS.get(self.lifecycle, UNKNOWN_LIFECYCLE_WEIGHT)


def transitive_dependants(graph: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """For each name, every component that depends on it through any path (itself excluded), sorted."""
    direct = dependents(graph)
    result: dict[str, tuple[str, ...]] = {}
    for name in direct:
        seen: set[str] = set()
        frontier = list(direct.get(name, ()))
        while frontier:
            node = frontier.pop()
            if node in seen or node == name:
                continue
            seen.add(node)
            frontier.extend(direct.get(node, ()))
        result[name] = tuple(sorted(seen))
    return result


@dataclass(frozen=True)
class Impact:
    value: float
    severity: str
    severity_weight: float
    exposure: float
    lifecycle_weight: float
    dependants_factor: float
    profile: ComponentProfile

    def to_dict(self) -> dict[str, Any]:
        p = self.profile
        return {"value": round(self.value, 4), "severity": self.severity, "severity_weight": self.severity_weight,
                "exposure": self.exposure, "customer_facing": p.customer_facing,
                "revenue_critical": p.revenue_critical, "lifecycle": p.lifecycle, "retired": p.retired,
                "in_inventory": p.in_inventory, "lifecycle_weight": self.lifecycle_weight,
                "dependants": len(p.dependants), "dependant_names": list(p.dependants[:NAMES_SHOWN]),
                "dependants_factor": round(self.dependants_factor, 4)}


def impact(severity: str, profile: ComponentProfile) -> Impact:
    """severity weight x (1 + customer facing + revenue critical) x lifecycle weight x (1 + 0.1 x dependants, max 2)."""
    weight = severity_weight(severity)
    exposure = 1.0 + float(profile.customer_facing) + float(profile.revenue_critical)
    factor = 1.0 + DEPENDANT_STEP * min(len(profile.dependants), DEPENDANT_CAP)
    value = weight * exposure * profile.lifecycle_weight * factor
    return Impact(value, severity, weight, exposure, profile.lifecycle_weight, factor, profile)


@dataclass(frozen=True)
class SignalSpec:
    """How one kind of evidence becomes a probability: `p = x / (x + half)`."""

    name: str
    unit: str
    half: float
    meaning: str


SIGNALS: dict[str, SignalSpec] = {s.name: s for s in (
    SignalSpec("incident_frequency", "intervals/week", 1.0,
               "incident intervals opened per week, weighted by relevance to the item"),
    SignalSpec("time_to_resolve", "hours", 4.0, "mean hours to resolve the relevant incidents (the worst source)"),
    SignalSpec("drift_share", "share", 0.5, "share of columns drifted in the component's latest drift run"),
    SignalSpec("drift_duration", "days", 14.0, "days the component's data has been drifting without a break"),
    SignalSpec("ticket_volume", "tickets/week", 5.0, "AI-linked support tickets per week, weighted by relevance"),
    SignalSpec("dissatisfaction", "share", 0.25, "share of poll answers scoring below 0.5"),
    SignalSpec("satisfaction_drop", "score", 0.1, "drop of the mean poll score from the window before"),
    SignalSpec("churn", "changes/week", 0.5, "commits per week touching the item's files (hotspot churn)"),
)}
"""The one table of likelihood signals; a new signal is a row here and a line in the evidence."""


@dataclass(frozen=True)
class Signal:
    name: str
    value: float  # x, in the spec's unit
    sources: tuple[str, ...] = ()  # where x came from ("order-bot-nlp incidents (model-error)", ...)

    @property
    def spec(self) -> SignalSpec:
        return SIGNALS[self.name]

    @property
    def probability(self) -> float:
        x = max(0.0, self.value)
        return x / (x + self.spec.half) if x > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        return {"name": self.name, "value": round(self.value, 4), "unit": spec.unit, "half": spec.half,
                "p": round(self.probability, 4), "sources": list(self.sources)}


def likelihood(signals: Iterable[Signal], base: float = BASE_LIKELIHOOD) -> float:
    """1 - (1 - base) x prod(1 - p_i): each signal an independent way for the debt to hurt."""
    survive = 1.0 - base
    for signal in signals:
        survive *= 1.0 - signal.probability
    return 1.0 - survive


@dataclass(frozen=True)
class Priority:
    value: float
    low: float
    high: float
    effort_low: float
    effort_high: float

    @property
    def effort_mid(self) -> float:
        return (self.effort_low + self.effort_high) / 2.0

    def to_dict(self) -> dict[str, Any]:
        return {"value": round(self.value, 4), "low": round(self.low, 4), "high": round(self.high, 4),
                "effort_low_hours": self.effort_low, "effort_high_hours": self.effort_high,
                "effort_mid_hours": self.effort_mid}


def cd3(interest: float, interest_low: float, interest_high: float, effort_low: float,
        effort_high: float) -> Priority:
    """Cost of delay divided by duration, in money per week per hour of work (efforts floored at 0.5 h)."""
    low_hours = max(MIN_EFFORT_HOURS, effort_low)
    high_hours = max(low_hours, effort_high)
    mid = (low_hours + high_hours) / 2.0
    return Priority(interest / mid, interest_low / high_hours, interest_high / low_hours, low_hours, high_hours)
