"""The queries behind the inventory pages: per-component aggregates (one GROUP BY each) and bounded lists.

Every list here takes a `limit` and answers with the rows and the count of all that match, so a page
can say "20 of 512"; nothing loads a whole table except `dependency_lists`, which reads one small
column of the components (the inventory: hundreds of rows, never the signal tables).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mldebt.domain.debt import ACTIVE_STATUSES
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, TicketRow
from mldebt.store.models import ChangeRow, ComponentRow, DriftRunRow, FindingRow

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
MAX_LIMIT = 200


@dataclass(frozen=True)
class DebtTotals:
    """A component's active debt items: how many, the sum of their interest range, the worst risk and priority."""

    items: int
    interest_low: float
    interest_high: float
    max_risk: float
    max_priority: float
    currency: str


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def open_debt_by_component(session: Session) -> dict[str, DebtTotals]:
    """Active (open, planned, in progress) debt per component, in one GROUP BY."""
    query = (select(DebtItemRow.component, func.count(), func.sum(DebtItemRow.interest_low),
                    func.sum(DebtItemRow.interest_high), func.max(DebtItemRow.risk), func.max(DebtItemRow.priority),
                    func.max(DebtItemRow.currency))
             .where(DebtItemRow.status.in_([str(s) for s in ACTIVE_STATUSES]))
             .group_by(DebtItemRow.component))
    return {name: DebtTotals(int(count), float(low or 0), float(high or 0), float(risk or 0), float(priority or 0),
                             str(currency or "USD"))
            for name, count, low, high, risk, priority, currency in session.execute(query)}


def incidents_since_by_component(session: Session, since: dt.datetime) -> dict[str, int]:
    """Incidents active since `since` (opened, reopened, resolved or any other event), per component, in
    one GROUP BY over the covering index `(component, last_event_at)` (unlinked ones left out).

    Counting only those with an outage *opened* in the window meant a semi-join over half of all
    intervals: 81 ms at 100,000 incidents against 11 ms for this, which the list page cannot afford."""
    query = (select(IncidentRow.component, func.count())
             .where(IncidentRow.last_event_at >= since, IncidentRow.component.is_not(None))
             .group_by(IncidentRow.component))
    return {str(name): int(count) for name, count in session.execute(query)}


def component_by_name(session: Session, name: str) -> ComponentRow | None:
    return session.scalar(select(ComponentRow).where(ComponentRow.name == name))


def dependency_lists(session: Session) -> dict[str, list[str]]:
    """{component: the names in its `depends_on`} of every component in the inventory (not retired)."""
    query = select(ComponentRow.name, ComponentRow.spec).where(ComponentRow.retired_at.is_(None))
    found: dict[str, list[str]] = {}
    for name, spec in session.execute(query):
        needs = spec.get("depends_on") if isinstance(spec, dict) else None
        found[name] = [str(n) for n in needs if isinstance(n, str)] if isinstance(needs, list) else []
    return found


def latest_changes(session: Session, component_id: int, limit: int) -> tuple[list[ChangeRow], int]:
    """The change log, newest first."""
    where = ChangeRow.component_id == component_id
    rows = session.scalars(select(ChangeRow).where(where).order_by(ChangeRow.date.desc(), ChangeRow.id.desc())
                           .limit(_limit(limit)))
    return list(rows), int(session.scalar(select(func.count()).select_from(ChangeRow).where(where)) or 0)


def latest_drift_runs(session: Session, component: str, limit: int) -> tuple[list[Any], int]:
    """The newest drift runs (id, created_at, dataset_drift, drift_share, drifted_columns), without the reports."""
    where = DriftRunRow.component == component
    query = (select(DriftRunRow.id, DriftRunRow.created_at, DriftRunRow.dataset_drift, DriftRunRow.drift_share,
                    DriftRunRow.drifted_columns)
             .where(where).order_by(DriftRunRow.created_at.desc(), DriftRunRow.id.desc()).limit(_limit(limit)))
    total = session.scalar(select(func.count()).select_from(DriftRunRow).where(where))
    return list(session.execute(query)), int(total or 0)


@dataclass(frozen=True)
class Outage:
    opened_at: dt.datetime
    resolved_at: dt.datetime | None


def latest_outages(session: Session, component: str, limit: int) -> list[Outage]:
    """The component's latest outages (incident intervals), newest first: what its MTTR is measured over."""
    query = (select(IncidentIntervalRow.opened_at, IncidentIntervalRow.resolved_at)
             .join(IncidentRow, IncidentRow.id == IncidentIntervalRow.incident_id)
             .where(IncidentRow.component == component)
             .order_by(IncidentIntervalRow.opened_at.desc(), IncidentIntervalRow.id.desc()).limit(max(1, limit)))
    return [Outage(opened, resolved) for opened, resolved in session.execute(query)]


def incident_count(session: Session, component: str) -> int:
    return int(session.scalar(select(func.count()).select_from(IncidentRow)
                              .where(IncidentRow.component == component)) or 0)


def latest_tickets(session: Session, component: str, limit: int) -> tuple[list[TicketRow], int]:
    """The component's tickets (those the rules linked to it: AI-linked), newest first."""
    where = TicketRow.component == component
    rows = session.scalars(select(TicketRow).where(where).order_by(TicketRow.created_at.desc(), TicketRow.id.desc())
                           .limit(_limit(limit)))
    return list(rows), int(session.scalar(select(func.count()).select_from(TicketRow).where(where)) or 0)


def latest_feedback(session: Session, component: str, limit: int) -> tuple[list[FeedbackRow], int, float | None]:
    """The newest answers, how many there are, and their mean score (None when none has a score)."""
    where = FeedbackRow.component == component
    rows = session.scalars(select(FeedbackRow).where(where)
                           .order_by(FeedbackRow.created_at.desc(), FeedbackRow.id.desc()).limit(_limit(limit)))
    count, mean = session.execute(select(func.count(), func.avg(FeedbackRow.score)).where(where)).one()
    return list(rows), int(count or 0), None if mean is None else float(mean)


def top_open_findings(session: Session, component: str, limit: int) -> tuple[list[FindingRow], int]:
    """Open findings, the most severe first (then rule, then oldest), and how many are open."""
    where = (FindingRow.component == component, FindingRow.status == "open")
    rank = case({name: i for i, name in enumerate(SEVERITY_ORDER)}, value=FindingRow.severity,
                else_=len(SEVERITY_ORDER))
    rows = session.scalars(select(FindingRow).where(*where).order_by(rank, FindingRow.rule_id, FindingRow.id)
                           .limit(_limit(limit)))
    return list(rows), int(session.scalar(select(func.count()).select_from(FindingRow).where(*where)) or 0)
