"""Reading the KPI records of a quarter (and of the previous one) from the store: set-based Core
queries over selected columns.

Counts and sums are grouped by component in the database (tickets, JUnit totals, feedback, drift,
resolved items); only what a median needs row by row (incident durations, computed in SQL as
seconds) and the few coverage reports, models and open items come back one row each. At 100,000
incidents and 20,000 tickets a quarter reads in a fraction of a second (benchmarks/backlog_bench.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Float, case, cast, func, select
from sqlalchemy.orm import Session

from mldebt.domain.debt import ACTIVE_STATUSES, DebtStatus
from mldebt.metrics.kpis.period import Period
from mldebt.metrics.kpis.records import (
    ComponentInfo,
    CoverageReport,
    DriftCount,
    FeedbackTotals,
    JUnitTotals,
    ModelRetrains,
    OpenItem,
    QuarterData,
    ResolvedIntervals,
    ResolvedItems,
    TicketCount,
)
from mldebt.store.debt_tables import DebtItemChangeRow, DebtItemRow
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, TicketRow
from mldebt.store.models import ChangeRow, ComponentRow, DriftRunRow, PipelineTestReportRow, RetrainRequestRow

ACTIVE = tuple(str(s) for s in ACTIVE_STATUSES)
SUCCEEDED_RETRAIN = "succeeded"  # service.retrain's status of a request whose command or webhook succeeded


def load_quarters(session: Session, periods: list[Period], now: dt.datetime) -> list[QuarterData]:
    """Every record the KPIs of each period read, in one session (one consistent view). The incident
    intervals, the largest table, are read once for all the periods."""
    conn = session.connection()
    components = _components(conn)
    models = _models(conn)
    intervals = _intervals(conn, periods)
    found = []
    for period, resolved in zip(periods, intervals, strict=True):
        found.append(QuarterData(
            period, components=components, intervals=resolved, models=models, tickets=_tickets(conn, period),
            junit=_junit(conn, period), coverage=_coverage(conn, period),
            resolved_items=_resolved_items(conn, period), feedback=_feedback(conn, period),
            open_items=_open_items(conn, period, now), drift=_drift(conn, period)))
    return found


def _window(column: Any, period: Period) -> Any:
    return (column >= period.start) & (column < period.as_of)


def _components(conn: Connection) -> dict[str, ComponentInfo]:
    query = select(ComponentRow.name, ComponentRow.kind, ComponentRow.customer_facing, ComponentRow.retired_at)
    return {name: ComponentInfo(name, kind, bool(facing), retired) for name, kind, facing, retired in
            conn.execute(query)}


def _seconds(conn: Connection, start: Any, end: Any) -> Any:
    """end - start in seconds, computed by the database (no datetime parsing in Python per row)."""
    if conn.dialect.name == "sqlite":
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
    return cast(func.extract("epoch", end - start), Float)


def _intervals(conn: Connection, periods: list[Period]) -> list[list[ResolvedIntervals]]:
    """The durations of the intervals resolved in each period, per component, from one scan (a CASE
    says which period an interval is in). Rows, not a GROUP BY: SQLite then walks incidents by their
    component index and looks every interval up, several times slower than one scan."""
    interval = IncidentIntervalRow
    which = case(*((_window(interval.resolved_at, p), i) for i, p in enumerate(periods)), else_=-1)
    span = (interval.resolved_at >= min(p.start for p in periods)) & (
        interval.resolved_at < max(p.as_of for p in periods))
    query = (select(which, IncidentRow.component, _seconds(conn, interval.opened_at, interval.resolved_at))
             .join(IncidentRow, IncidentRow.id == interval.incident_id)
             .where(IncidentRow.component.is_not(None), span))
    grouped: list[dict[str, list[float]]] = [{} for _ in periods]
    for index, component, seconds in conn.execute(query).all():
        if index >= 0:
            grouped[index].setdefault(component, []).append(seconds / 3600.0 if seconds > 0 else 0.0)
    return [[ResolvedIntervals(name, hours) for name, hours in per.items()] for per in grouped]


def _models(conn: Connection) -> list[ModelRetrains]:
    days: dict[int, set[dt.date]] = {}
    models = list(conn.execute(select(ComponentRow.id, ComponentRow.name, ComponentRow.retired_at,
                                         ComponentRow.last_retrained, ComponentRow.spec)
                                  .where(ComponentRow.kind == "model")))
    by_name = {name: model_id for model_id, name, *_ in models}
    for model_id, _, _, last, spec in models:
        found = days.setdefault(model_id, set())
        found.update(d for d in (last, _date(spec.get("trained_at") if isinstance(spec, dict) else None)) if d)
    changes = (select(ChangeRow.component_id, ChangeRow.date).join(ComponentRow)
               .where(ComponentRow.kind == "model", ChangeRow.kind == "retrain"))
    for model_id, day in conn.execute(changes):
        days.setdefault(model_id, set()).add(day)
    runs = select(RetrainRequestRow.component, RetrainRequestRow.decided_at).where(
        RetrainRequestRow.status == SUCCEEDED_RETRAIN, RetrainRequestRow.decided_at.is_not(None))
    for component, decided in conn.execute(runs):
        if component in by_name and decided is not None:
            days[by_name[component]].add(decided.date())
    return [ModelRetrains(name, retired, tuple(sorted(days[model_id]))) for model_id, name, retired, *_ in models]


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _tickets(conn: Connection, period: Period) -> list[TicketCount]:
    query = (select(TicketRow.component, func.count()).where(_window(TicketRow.created_at, period))
             .group_by(TicketRow.component))
    return [TicketCount(component, int(n)) for component, n in conn.execute(query)]


def _junit(conn: Connection, period: Period) -> list[JUnitTotals]:
    r = PipelineTestReportRow
    sums = [func.coalesce(func.sum(column), 0) for column in (r.tests, r.failures, r.errors, r.skipped)]
    query = (select(r.component, func.count(), *sums).where(r.kind == "junit", _window(r.recorded_at, period))
             .group_by(r.component))
    return [JUnitTotals(row[0], *(int(n or 0) for n in row[1:])) for row in conn.execute(query)]


def _coverage(conn: Connection, period: Period) -> list[CoverageReport]:
    r = PipelineTestReportRow
    query = (select(r.id, r.component, r.recorded_at, r.lines_valid, r.lines_covered, r.line_rate)
             .where(r.kind == "coverage", r.component.is_not(None), _window(r.recorded_at, period)))
    return [CoverageReport(row_id, str(component), recorded_at, valid, covered, rate)
            for row_id, component, recorded_at, valid, covered, rate in conn.execute(query)]


def _resolved_items(conn: Connection, period: Period) -> list[ResolvedItems]:
    query = (select(DebtItemRow.component, DebtItemRow.fixed_by, func.count())
             .where(_window(DebtItemRow.resolved_at, period))
             .group_by(DebtItemRow.component, DebtItemRow.fixed_by))
    return [ResolvedItems(component, fixed_by, int(n)) for component, fixed_by, n in conn.execute(query)]


def _feedback(conn: Connection, period: Period) -> list[FeedbackTotals]:
    query = (select(FeedbackRow.component, func.count(), func.sum(FeedbackRow.score))
             .where(FeedbackRow.component.is_not(None), FeedbackRow.score.is_not(None),
                    _window(FeedbackRow.created_at, period))
             .group_by(FeedbackRow.component))
    return [FeedbackTotals(str(component), int(n), float(total or 0.0))
            for component, n, total in conn.execute(query)]


def _drift(conn: Connection, period: Period) -> list[DriftCount]:
    drifted = func.sum(case((DriftRunRow.dataset_drift.is_(True), 1), else_=0))
    query = (select(DriftRunRow.component, func.count(), drifted).where(_window(DriftRunRow.created_at, period))
             .group_by(DriftRunRow.component))
    return [DriftCount(component, int(n), int(d or 0)) for component, n, d in conn.execute(query)]


# OpenItem's fields first, in its order, then what the status at a past moment needs.
_ITEM_COLUMNS = (DebtItemRow.component, DebtItemRow.effort_low_hours, DebtItemRow.effort_high_hours,
                 DebtItemRow.interest_low, DebtItemRow.interest_high, DebtItemRow.interest_hours,
                 DebtItemRow.currency, DebtItemRow.first_seen_at, DebtItemRow.id, DebtItemRow.status,
                 DebtItemRow.resolved_at)
_OPEN_ITEM_FIELDS = len(OpenItem._fields)


def _open_items(conn: Connection, period: Period, now: dt.datetime) -> list[OpenItem]:
    """Items active at `period.as_of`: by their status now while the quarter runs; for a past quarter,
    by the status their history records at its end (`debt_item_changes`, which nothing rewrites)."""
    at = period.as_of
    if at >= now:
        # `<=`: an item created at the very moment asked about (a rebuild scored "as of now") is open then
        current = conn.execute(select(*_ITEM_COLUMNS).where(DebtItemRow.status.in_(ACTIVE),
                                                            DebtItemRow.created_at <= at)).all()
        return [OpenItem._make(row[:_OPEN_ITEM_FIELDS]) for row in current]
    rows = conn.execute(select(*_ITEM_COLUMNS).where(DebtItemRow.created_at < at)).all()
    statuses = _statuses_at(conn, at)
    found = []
    for row in rows:
        status = statuses.get(row.id) or _status_without_history(row.status, row.resolved_at, at)
        if status in ACTIVE:
            found.append(OpenItem._make(row[:_OPEN_ITEM_FIELDS]))
    return found


def _statuses_at(conn: Connection, at: dt.datetime) -> dict[int, str]:
    """item id -> the last status its history set before `at` (the `created` entry records the first);
    the database extracts `changes.status[1]`, so only status changes come back."""
    status = DebtItemChangeRow.changes[("status", 1)].as_string()
    query = (select(DebtItemChangeRow.item_id, status)
             .where(DebtItemChangeRow.at < at, status.is_not(None))
             .order_by(DebtItemChangeRow.item_id, DebtItemChangeRow.at, DebtItemChangeRow.id))
    return {item_id: value for item_id, value in conn.execute(query).all()}


def _status_without_history(status: str, resolved_at: dt.datetime | None, at: dt.datetime) -> str:
    """An item written without history: resolved after `at` means it was still open then."""
    if status == DebtStatus.RESOLVED and resolved_at is not None and resolved_at >= at:
        return str(DebtStatus.OPEN)
    return status
