"""Recurring failures: the same problem (fingerprint) or the same culprit, N times within a window.

A failure that keeps coming back is the interest technical debt charges. Counted over the window
that ends at `now` (default: 3 openings within 30 days). Each recurrence is one Finding per
component and identity, with the occurrences as evidence; when it stops recurring, the next sync
marks the finding fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mldebt.domain.finding import UNASSIGNED, Finding, Severity

RULE_ID = "INC001"
SOURCE = "incidents"


@dataclass(frozen=True)
class RecurrencePolicy:
    occurrences: int = 3
    window_days: int = 30

    def __post_init__(self) -> None:
        if self.occurrences < 2 or self.window_days < 1:
            raise ValueError("a recurrence needs at least 2 occurrences in a window of at least 1 day")


@dataclass(frozen=True)
class Occurrence:
    incident_id: int
    fingerprint: str
    culprit: str | None
    component: str | None
    category: str
    title: str
    opened_at: dt.datetime


def recurring_failures(occurrences: Iterable[Occurrence], now: dt.datetime,
                       policy: RecurrencePolicy | None = None) -> list[Finding]:
    policy = policy or RecurrencePolicy()
    start = now - dt.timedelta(days=policy.window_days)
    recent = [o for o in occurrences if start <= o.opened_at <= now]
    groups: dict[tuple[str, str, str], list[Occurrence]] = {}
    for o in recent:
        component = o.component or UNASSIGNED
        groups.setdefault((component, "fingerprint", o.fingerprint), []).append(o)
        if o.culprit:
            groups.setdefault((component, "culprit", o.culprit), []).append(o)
    findings = []
    covered: set[frozenset[tuple[int, dt.datetime]]] = set()
    ordered = sorted(groups.items(), key=lambda item: (item[0][1] != "fingerprint", item[0]))
    for (component, kind, identity), members in ordered:
        if len(members) < policy.occurrences:
            continue
        ids = frozenset((m.incident_id, m.opened_at) for m in members)
        if kind == "culprit" and ids in covered:
            continue  # same occurrences as a fingerprint recurrence: one finding is enough
        covered.add(ids)
        findings.append(_finding(component, kind, identity, members, policy))
    return findings


def _finding(component: str, kind: str, identity: str, members: list[Occurrence], policy: RecurrencePolicy) -> Finding:
    members = sorted(members, key=lambda o: o.opened_at)
    count = len(members)
    severity = Severity.HIGH if count >= 2 * policy.occurrences else Severity.MEDIUM
    what = members[-1].title if kind == "fingerprint" else f"culprit {identity}"
    evidence: dict[str, Any] = {
        "kind": kind, "identity": identity, "occurrences": count, "window_days": policy.window_days,
        "categories": sorted({m.category for m in members}),
        "incidents": [{"incident_id": m.incident_id, "opened_at": m.opened_at.isoformat(), "title": m.title}
                      for m in members],
    }
    return Finding.create(
        RULE_ID, severity, component,
        f"recurring failure: {what} ({count} times in {policy.window_days} days)",
        identity=(kind, identity), evidence=evidence, source=SOURCE, effort_minutes=240,
    )
