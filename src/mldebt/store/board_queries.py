"""The board report's queries: what a quarter holds, debt open at a moment, the burn-down, what was paid
down, and where failures come from.

Each is one bounded statement that aggregates in the database (GROUP BY, EXISTS, LIMIT): the report
reads sums and counts, never the rows of a large table. A debt item *appears* at the earlier of
`first_seen_at` (when its evidence was first seen) and `created_at` (when it entered the backlog):
the scanner dates a finding by the clock of the scan, which can be later than the moment the backlog
was built from it. Accepted debt is left out of open debt, as on the dashboard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from mldebt.domain.debt import ACTIVE_STATUSES, DebtStatus
from mldebt.store.base import as_aware
from mldebt.store.debt_tables import DebtItemRow, ReviewSnapshotRow
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, TicketRow
from mldebt.store.models import ComponentRow, DriftRunRow, FindingRow, PipelineTestReportRow, ScanRunRow

UNLINKED = "(unlinked)"  # incidents that name no component (as in `mldebt incidents` and the KPIs)
ACTIVE = [str(s) for s in ACTIVE_STATUSES]
MAX_MOMENTS = 20  # a quarter has at most 14 week ends
D = DebtItemRow
appeared = case((D.first_seen_at <= D.created_at, D.first_seen_at), else_=D.created_at)
not_accepted = D.status != str(DebtStatus.ACCEPTED)


def _between(column: Any, start: dt.datetime, end: dt.datetime) -> Any:
    """start <= column < end (NULL is outside)."""
    return (column >= start) & (column < end)


def has_records(session: Session, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether anything was recorded in [start, end): incident openings, tickets, poll answers, findings, scans,
    drift runs, CI reports, debt that appeared or was resolved, or debt still open at `end`."""
    checks = [
        exists().where(_between(IncidentIntervalRow.opened_at, start, end)),
        exists().where(_between(TicketRow.created_at, start, end)),
        exists().where(_between(FeedbackRow.created_at, start, end)),
        exists().where(_between(FindingRow.first_seen_at, start, end)),
        exists().where(_between(ScanRunRow.started_at, start, end)),
        exists().where(_between(DriftRunRow.created_at, start, end)),
        exists().where(_between(PipelineTestReportRow.recorded_at, start, end)),
        exists().where(_between(appeared, start, end)),
        exists().where(_between(D.resolved_at, start, end)),
        exists().where(appeared < end, not_accepted, (D.resolved_at.is_(None)) | (D.resolved_at >= end)),
    ]
    return any(bool(session.scalar(select(check))) for check in checks)


@dataclass(frozen=True)
class OpenDebt:
    items: int
    interest_low: float  # per week, as last scored
    interest_high: float
    currency: str | None  # the most common currency of those items; None without items


def _open_at(moment: dt.datetime) -> tuple[Any, ...]:
    """Items that had appeared by `moment` and were not resolved by then (accepted debt aside)."""
    return (appeared <= moment, not_accepted, D.resolved_at.is_(None) | (D.resolved_at > moment))


def open_debt_at(session: Session, moment: dt.datetime) -> OpenDebt:
    """Items that had appeared by `moment` and were not resolved by then (accepted debt aside)."""
    where = _open_at(moment)
    rows = session.execute(select(D.currency, func.count(), func.sum(D.interest_low), func.sum(D.interest_high))
                           .where(*where).group_by(D.currency).order_by(func.count().desc(), D.currency)).all()
    return OpenDebt(sum(int(n) for _, n, _, _ in rows), sum(float(low or 0.0) for _, _, low, _ in rows),
                    sum(float(high or 0.0) for _, _, _, high in rows), str(rows[0][0]) if rows else None)


@dataclass(frozen=True)
class BurnDown:
    opened: list[int]  # per week: items that appeared in it
    resolved: list[int]  # items resolved in it
    open_at_end: list[int]  # items open at its end


def _bucket(column: Any, moments: Sequence[dt.datetime]) -> Any:
    """The index of the first moment at or after `column` (len(moments) when none is, or it is NULL)."""
    return case(*((column <= moment, i) for i, moment in enumerate(moments)), else_=len(moments))


def burn_down(session: Session, start: dt.datetime, week_ends: Sequence[dt.datetime]) -> BurnDown:
    """Per week ending at each of `week_ends` (ascending, after `start`): opened, resolved, open at its end.

    One GROUP BY on (the week an item appeared, the week it was resolved); Python adds up at most
    (weeks + 2)^2 groups. Week k covers (week_ends[k-1], week_ends[k]] (the first starts after `start`)."""
    if not 0 < len(week_ends) <= MAX_MOMENTS or list(week_ends) != sorted(week_ends):
        raise ValueError(f"between 1 and {MAX_MOMENTS} week ends in ascending order")
    moments = [start, *week_ends]
    seen = _bucket(appeared, moments).label("seen")
    gone = _bucket(D.resolved_at, moments).label("gone")
    rows = session.execute(select(seen, gone, func.count()).where(not_accepted).group_by(seen, gone)).all()
    weeks = len(week_ends)
    opened, resolved, still_open = [0] * weeks, [0] * weeks, [0] * weeks
    for first, last, count in rows:
        first, last, n = int(first), int(last), int(count)
        if 1 <= first <= weeks:
            opened[first - 1] += n
        if 1 <= last <= weeks:
            resolved[last - 1] += n
        for k in range(max(first, 1), min(last, weeks + 1)):  # open at moment k: appeared by it, resolved after
            still_open[k - 1] += n
    return BurnDown(opened, resolved, still_open)


@dataclass(frozen=True)
class PaidDown:
    items: int
    interest_low: float  # per week, their last scores
    interest_high: float
    effort_hours: float  # the midpoint of each item's effort range, summed


def paid_down(session: Session, start: dt.datetime, end: dt.datetime) -> PaidDown:
    """The items resolved in (start, end] and still resolved: what paying them down removed."""
    where = (D.status == str(DebtStatus.RESOLVED), D.resolved_at > start, D.resolved_at <= end)
    mid = (D.effort_low_hours + D.effort_high_hours) / 2.0
    n, low, high, effort = session.execute(
        select(func.count(), func.sum(D.interest_low), func.sum(D.interest_high), func.sum(mid)).where(*where)).one()
    return PaidDown(int(n or 0), float(low or 0.0), float(high or 0.0), float(effort or 0.0))


def ageing(session: Session, moment: dt.datetime, bounds_days: Sequence[int]) -> list[int]:
    """Items open at `moment` per age bucket: younger than bounds_days[0], ..., at least bounds_days[-1]."""
    where = _open_at(moment)
    cuts = [moment - dt.timedelta(days=days) for days in bounds_days]
    bucket = case(*((appeared > cut, i) for i, cut in enumerate(cuts)), else_=len(cuts)).label("bucket")
    counts = [0] * (len(cuts) + 1)
    for index, n in session.execute(select(bucket, func.count()).where(*where).group_by(bucket)):
        counts[int(index)] += int(n)
    return counts


def incidents_by(session: Session, start: dt.datetime, end: dt.datetime, by_component: bool,
                 limit: int) -> list[tuple[str, int]]:
    """Incidents opened in [start, end) per category (or component), most first, then by name. Each
    opening counts (an interval: a reopened incident fails again, as MTTR counts it)."""
    key = func.coalesce(IncidentRow.component, UNLINKED) if by_component else IncidentRow.category
    n = func.count().label("n")
    query = (select(key.label("key"), n).select_from(IncidentIntervalRow)
             .join(IncidentRow, IncidentRow.id == IncidentIntervalRow.incident_id)
             .where(_between(IncidentIntervalRow.opened_at, start, end))
             .group_by(key).order_by(n.desc(), key).limit(limit))
    return [(str(name), int(count)) for name, count in session.execute(query)]


def drift_runs_by_component(session: Session, start: dt.datetime, end: dt.datetime, limit: int
                            ) -> list[tuple[str, int, int, dt.datetime]]:
    """(component, runs, runs that found dataset drift, the latest run) of the drift runs in [start, end),
    most alerts first."""
    r = DriftRunRow
    alerts = func.sum(case((r.dataset_drift.is_(True), 1), else_=0)).label("alerts")
    runs = func.count().label("runs")
    query = (select(r.component, runs, alerts, func.max(r.created_at)).where(_between(r.created_at, start, end))
             .group_by(r.component).order_by(alerts.desc(), runs.desc(), r.component).limit(limit))
    return [(str(c), int(n), int(a or 0), as_aware(last)) for c, n, a, last in session.execute(query)]


@dataclass(frozen=True)
class Snapshot:
    quarter: str
    taken_at: dt.datetime
    kpis: dict[str, Any]  # the frozen KPI report (`KpiReport.to_dict`); not the backlog, which may be large


def review_snapshot(session: Session, quarter: str) -> Snapshot | None:
    r = ReviewSnapshotRow
    row = session.execute(select(r.taken_at, r.kpis).where(r.quarter == quarter)).first()
    if row is None:
        return None
    return Snapshot(quarter, as_aware(row[0]), row[1] if isinstance(row[1], dict) else {})


def component_owners(session: Session, names: Sequence[str]) -> dict[str, str]:
    """The inventory's owner of each named component that has one."""
    if not names:
        return {}
    query = select(ComponentRow.name, ComponentRow.owner).where(ComponentRow.name.in_(list(names)),
                                                               ComponentRow.owner.is_not(None))
    return {str(name): str(owner) for name, owner in session.execute(query)}


def production_model_specs(session: Session, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """(name, inventory spec) of the stored production models not retired from the inventory, by name (the
    governance reviews are read from the spec; the inventory has hundreds of rows, `limit` bounds it)."""
    query = (select(ComponentRow.name, ComponentRow.spec)
             .where(ComponentRow.kind == "model", ComponentRow.lifecycle == "production",
                    ComponentRow.retired_at.is_(None))
             .order_by(ComponentRow.name).limit(limit))
    return [(str(name), spec if isinstance(spec, dict) else {}) for name, spec in session.execute(query)]


def scoring_rates(session: Session) -> dict[str, Any] | None:
    """The cost rates the top-ranked active item was last scored with (its breakdown's `rates`), if any."""
    rates = session.scalar(select(D.breakdown["rates"]).where(D.status.in_(ACTIVE))
                           .order_by(D.priority.desc(), D.risk.desc(), D.id).limit(1))
    return rates if isinstance(rates, dict) else None


def top_open_items(session: Session, moment: dt.datetime, limit: int) -> list[DebtItemRow]:
    """The items open at `moment` in backlog order (priority, then risk, highest first, then oldest):
    the page's ids first (a sort of narrow columns), then those rows."""
    ids = list(session.scalars(select(D.id).where(*_open_at(moment))
                               .order_by(D.priority.desc(), D.risk.desc(), D.id).limit(limit)))
    rows = {row.id: row for row in session.scalars(select(D).where(D.id.in_(ids)))} if ids else {}
    return [rows[i] for i in ids]
