"""Governance audits: where each of a model's fairness, explainability and privacy reviews stands.

An audit is due `cadence_days` after its last review (the model's `governance.cadence_days`, default
365). As of a day it is `ok`, `due-soon` (due within `DUE_SOON_DAYS`, so a review can be booked before
it lapses), `overdue` (its due day has passed: on the due day itself it is still due-soon) or
`missing` (never recorded). `domain.health` turns the missing and overdue audits of production models
into findings (INV006, INV007); the board report lists them (`overdue_reviews`) and the ML Test Score
shows whether a model is reviewed.

Apart from `domain.health` for the same reason as `domain.staleness`: it reads any object with a
`governance` (a parsed inventory entry, or one rebuilt from a stored component's spec).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from mldebt.domain.monitoring import AUDIT_KINDS, DEFAULT_AUDIT_CADENCE_DAYS, Governance

DUE_SOON_DAYS = 30


class AuditState(StrEnum):
    OK = "ok"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"
    MISSING = "missing"

    @property
    def is_current(self) -> bool:
        """Reviewed within its cadence (ok or due soon): nothing is owed yet."""
        return self in (AuditState.OK, AuditState.DUE_SOON)


@dataclass(frozen=True)
class AuditStatus:
    """One audit of one model as of a day. `days_to_due` is negative once it is overdue (-3: three
    days late); `due` and `days_to_due` are None for a missing audit."""

    kind: str
    state: AuditState
    cadence_days: int
    last: dt.date | None = None
    reviewer: str | None = None
    due: dt.date | None = None
    days_to_due: int | None = None

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_to_due) if self.days_to_due is not None else 0


def audit_statuses(governance: Governance | None, as_of: dt.date) -> list[AuditStatus]:
    """Every audit kind (in `AUDIT_KINDS` order) of a model with `governance` (None: none recorded)."""
    cadence = governance.cadence_days if governance is not None else DEFAULT_AUDIT_CADENCE_DAYS
    audits = governance.audits() if governance is not None else dict.fromkeys(AUDIT_KINDS)
    found = []
    for kind in AUDIT_KINDS:
        audit = audits[kind]
        if audit is None:
            found.append(AuditStatus(kind, AuditState.MISSING, cadence))
            continue
        due = audit.date + dt.timedelta(days=cadence)
        days = (due - as_of).days
        state = AuditState.OVERDUE if days < 0 else AuditState.DUE_SOON if days <= DUE_SOON_DAYS else AuditState.OK
        found.append(AuditStatus(kind, state, cadence, audit.date, audit.reviewer, due, days))
    return found


def days_text(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def governance_of(spec: Mapping[str, Any]) -> Governance | None:
    """The `governance` of a stored component's spec (its inventory entry as JSON); None when absent or
    unreadable (a spec stored by an older version)."""
    raw = spec.get("governance")
    if not isinstance(raw, dict):
        return None
    try:
        return Governance.model_validate(raw)
    except ValidationError:
        return None


def reviewed_line(statuses: Iterable[AuditStatus]) -> str:
    """`reviewed`, or `not reviewed: fairness missing, privacy overdue since 2026-05-01` (the ML Test
    Score's governance line)."""
    owed = [s for s in statuses if not s.state.is_current]
    if not owed:
        return "reviewed"
    return "not reviewed: " + ", ".join(
        f"{s.kind} missing" if s.due is None else f"{s.kind} overdue since {s.due.isoformat()}" for s in owed)


def overdue_reviews(models: Iterable[tuple[str, Governance | None]], as_of: dt.date) -> list[dict[str, str]]:
    """The board report's rows `{component, what, due}` for each missing or overdue audit of `models`
    (name, governance), most overdue first (missing ones, never done, before any overdue one)."""
    rows: list[tuple[tuple[int, int], str, str, str]] = []
    for name, governance in models:
        for status in audit_statuses(governance, as_of):
            if status.state == AuditState.MISSING:
                rows.append(((0, 0), name, f"{status.kind} review", "never reviewed"))
            elif status.state == AuditState.OVERDUE and status.due is not None:
                rows.append(((1, -status.days_overdue), name, f"{status.kind} review",
                             f"{status.due.isoformat()} ({days_text(status.days_overdue)} overdue)"))
    rows.sort()
    return [{"component": name, "what": what, "due": due} for _, name, what, due in rows]
