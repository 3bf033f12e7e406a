"""What the store observed about a component over the evidence window, as plain records.

`service.evidence` fills them with a few aggregate queries; `metrics.interest` prices them and
`metrics.debt_score` turns them into likelihood signals. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass

DISSATISFIED_BELOW = 0.5  # a poll score under this is a dissatisfied shopper


@dataclass(frozen=True)
class IncidentStats:
    """Incident intervals of one component and category that overlap the window."""

    component: str
    category: str
    incidents: int  # distinct incidents
    intervals: int  # intervals opened in the window
    recent_intervals: int
    hours: float  # open hours inside the window (an interval still open counts up to now)
    recent_hours: float
    resolved: int  # intervals resolved in the window ...
    resolved_hours: float  # ... and their whole durations
    sample_ids: tuple[int, ...] = ()  # the latest and the first incident's id

    @property
    def mean_hours_to_resolve(self) -> float | None:
        return self.resolved_hours / self.resolved if self.resolved else None


@dataclass(frozen=True)
class TicketStats:
    """AI-linked tickets (linked to this component) of one category created in the window."""

    component: str
    category: str
    tickets: int
    recent_tickets: int
    sample_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RevenueStats:
    """Orders put at risk (named by a linked ticket, refunded, cancelled, disputed ...), each counted once."""

    component: str
    orders: int
    revenue: float
    recent_orders: int
    recent_revenue: float
    sample_orders: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackStats:
    """Poll answers about this component: the window, its recent part and the window before it."""

    component: str
    responses: int
    scored: int
    mean_score: float | None
    previous_mean: float | None  # of the window before (None: no scored answers then)
    dissatisfied: int  # answers scoring below DISSATISFIED_BELOW
    dissatisfied_value: float  # their order value
    recent_dissatisfied: int
    recent_dissatisfied_value: float

    @property
    def dissatisfied_share(self) -> float:
        return self.dissatisfied / self.scored if self.scored else 0.0

    @property
    def drop(self) -> float:
        if self.mean_score is None or self.previous_mean is None:
            return 0.0
        return max(0.0, self.previous_mean - self.mean_score)


@dataclass(frozen=True)
class DriftStats:
    """The drift runs of one component in the window: the latest verdict and the unbroken drifted streak."""

    component: str
    runs: int
    latest_run_id: int
    latest_drifted: bool
    latest_share: float
    streak_runs: int  # consecutive drifted runs ending with the latest (0 when it did not drift)
    streak_days: float  # from the first run of the streak to now
    streak_run_ids: tuple[int, ...] = ()
