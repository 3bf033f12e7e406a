"""The plain records the KPIs are computed from: what the store hands over for one quarter.

The service fills one `QuarterData` with set-based queries (counts and sums grouped by component
where the KPI needs no more); every KPI reads the fields it needs. What an *AI feature* is, and
which components hold *retraining code*, is decided here, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from mldebt.metrics.kpis.period import Period

AI_FEATURE_KIND = "feature"
RETRAINING_KINDS = ("model", "pipeline")  # the code that trains and retrains models


@dataclass(frozen=True)
class ComponentInfo:
    name: str
    kind: str
    customer_facing: bool
    retired_at: dt.datetime | None = None

    @property
    def is_ai_feature(self) -> bool:
        """What a customer meets: a component of kind `feature`, or any customer-facing component."""
        return self.kind == AI_FEATURE_KIND or self.customer_facing

    @property
    def holds_retraining_code(self) -> bool:
        return self.kind in RETRAINING_KINDS


@dataclass(frozen=True)
class ResolvedIntervals:
    """The hours from opening to resolution of one component's incident intervals resolved in the
    quarter (incidents linked to a component only)."""

    component: str
    hours: list[float]


@dataclass(frozen=True)
class ModelRetrains:
    """A model of the inventory and every day it is known to have been (re)trained."""

    name: str
    retired_at: dt.datetime | None
    trained_on: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class TicketCount:
    component: str | None  # None: the inventory's rules link the ticket to no component
    tickets: int


@dataclass(frozen=True)
class JUnitTotals:
    """The JUnit reports of one component recorded in the quarter, summed."""

    component: str | None
    reports: int
    tests: int
    failures: int
    errors: int
    skipped: int


@dataclass(frozen=True)
class CoverageReport:
    report_id: int
    component: str
    recorded_at: dt.datetime
    lines_valid: int | None
    lines_covered: int | None
    line_rate: float | None


@dataclass(frozen=True)
class ResolvedItems:
    component: str
    fixed_by: str | None
    items: int


@dataclass(frozen=True)
class FeedbackTotals:
    component: str
    responses: int  # scored answers only
    score_sum: float


class OpenItem(NamedTuple):
    component: str
    effort_low_hours: float
    effort_high_hours: float
    interest_low: float
    interest_high: float
    interest_hours: float
    currency: str
    first_seen_at: dt.datetime


@dataclass(frozen=True)
class DriftCount:
    component: str
    runs: int
    drifted: int


@dataclass
class QuarterData:
    period: Period
    components: dict[str, ComponentInfo] = field(default_factory=dict)
    intervals: list[ResolvedIntervals] = field(default_factory=list)
    models: list[ModelRetrains] = field(default_factory=list)
    tickets: list[TicketCount] = field(default_factory=list)
    junit: list[JUnitTotals] = field(default_factory=list)
    coverage: list[CoverageReport] = field(default_factory=list)
    resolved_items: list[ResolvedItems] = field(default_factory=list)
    feedback: list[FeedbackTotals] = field(default_factory=list)
    open_items: list[OpenItem] = field(default_factory=list)
    drift: list[DriftCount] = field(default_factory=list)

    def ai_features(self) -> list[str]:
        """The AI features of the inventory during the quarter (not retired before it began)."""
        start = self.period.start
        return sorted(name for name, info in self.components.items()
                      if info.is_ai_feature and (info.retired_at is None or info.retired_at >= start))
