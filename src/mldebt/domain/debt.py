"""`DebtItem`: one root cause of technical debt, the unit the backlog ranks and a team pays down.

Findings say what a detector saw; a debt item says what to fix. Fifty unpinned requirements of
one service are one item (pin and lock that service) with fifty pieces of evidence, so the
backlog counts decisions, not lines. An item's `key` is a fingerprint of its root cause
(component + group, see `debt_groups`), so a rescan finds the same item again instead of adding one.

Effort is a range of hours: remediation estimates are uncertain, and a backlog that prints
"12 h 5 min" claims a precision nobody has.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mldebt.domain.finding import Severity

MAX_EFFORT_HOURS = 10_000.0  # five person-years: beyond it an estimate is a typo
MAX_EVIDENCE_KEPT = 50  # evidence entries stored on an item; `evidence_count` keeps the whole number


class DebtCategory(StrEnum):
    CODE = "code"
    DATA = "data"
    MODEL = "model"
    INFRASTRUCTURE = "infrastructure"
    DEPENDENCIES = "dependencies"
    TESTS = "tests"
    DOCUMENTATION = "documentation"
    GOVERNANCE = "governance"


class DebtSource(StrEnum):
    SCAN = "scan"
    DRIFT = "drift"
    INVENTORY = "inventory"
    INCIDENT = "incident"
    FEEDBACK = "feedback"
    MANUAL = "manual"


# The `source` a detector writes on its findings -> the debt source of the items built from them.
FINDING_SOURCES: dict[str, DebtSource] = {
    "scan": DebtSource.SCAN,
    "drift": DebtSource.DRIFT,
    "inventory": DebtSource.INVENTORY,
    "incidents": DebtSource.INCIDENT,
    "feedback": DebtSource.FEEDBACK,
}


class DebtStatus(StrEnum):
    OPEN = "open"
    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    RESOLVED = "resolved"
    ACCEPTED = "accepted"

    @property
    def is_active(self) -> bool:
        """Still owed: counted in open debt, its interest accrues."""
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES = (DebtStatus.OPEN, DebtStatus.PLANNED, DebtStatus.IN_PROGRESS)


class FixedBy(StrEnum):
    AUTOMATED = "automated"  # an automatic action closed it: an auto-retrain, a bot's pull request
    MANUAL = "manual"  # a person did


class EvidenceKind(StrEnum):
    FINDING = "finding"
    INCIDENT = "incident"
    TICKET = "ticket"
    FEEDBACK = "feedback"
    DRIFT_RUN = "drift_run"
    ORDER = "order"
    RETRAIN = "retrain"
    CHANGE = "change"


@dataclass(frozen=True)
class Evidence:
    """One thing the item rests on: a finding, an incident, a ticket, a poll answer, a drift run, an order."""

    kind: EvidenceKind
    ref: str  # the id in its own table (finding id, incident id, ...) or the outside id (order number)
    summary: str
    at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "ref": self.ref, "summary": self.summary,
                "at": self.at.isoformat() if self.at else None}


@dataclass(frozen=True)
class EffortRange:
    """Remediation effort as a range of hours (low <= high)."""

    low_hours: float
    high_hours: float

    def __post_init__(self) -> None:
        for value in (self.low_hours, self.high_hours):
            if not math.isfinite(value) or value < 0 or value > MAX_EFFORT_HOURS:
                raise ValueError(f"effort must be between 0 and {MAX_EFFORT_HOURS:g} hours, not {value!r}")
        if self.low_hours > self.high_hours:
            raise ValueError(f"effort low ({self.low_hours:g} h) is above high ({self.high_hours:g} h)")

    @property
    def mid_hours(self) -> float:
        """The midpoint, the one number CD3 divides by (the range's ends give its bounds)."""
        return (self.low_hours + self.high_hours) / 2.0

    def to_dict(self) -> dict[str, float]:
        return {"low_hours": self.low_hours, "high_hours": self.high_hours}


def round_half_hours(hours: float) -> float:
    """Estimates are shown to the half hour, never finer; nothing takes less than half an hour."""
    return max(0.5, math.ceil(hours * 2.0 - 1e-9) / 2.0)


@dataclass(frozen=True)
class DebtDraft:
    """An item as the evidence defines it, before the store gives it an id, a status and a history."""

    key: str
    title: str
    category: DebtCategory
    component: str
    source: DebtSource
    severity: Severity
    effort: EffortRange
    evidence: tuple[Evidence, ...] = ()
    evidence_count: int = 0
    rule_ids: tuple[str, ...] = ()
    first_seen_at: dt.datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
