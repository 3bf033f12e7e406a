"""What `/metrics` reads of the store: eight aggregate queries into a `StoreSnapshot`, cached briefly.

The work per scrape is bounded by the number of groups (components x categories), never by the
number of rows read into Python: every query aggregates in the database. `CachedSnapshot` keeps a
snapshot for `ttl` seconds and lets one caller at a time refresh it, so that many Prometheus servers
(or a scrape storm) cost one set of queries per `ttl`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mldebt.domain.debt import ACTIVE_STATUSES
from mldebt.metrics.exposition import (
    DebtGroup,
    DriftLatest,
    FindingGroup,
    IncidentGroup,
    SatisfactionGroup,
    StoreSnapshot,
)
from mldebt.store.database import Store
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, RawEventRow, TicketRow
from mldebt.store.models import DriftRunRow, FindingRow

SATISFACTION_DAYS = 30
CACHE_SECONDS = 10.0


def _seconds_between(session: Session, start: Any, end: Any) -> Any:
    """`end - start` in seconds as an SQL expression of the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _debt(session: Session) -> tuple[DebtGroup, ...]:
    d = DebtItemRow
    query = (select(d.component, d.category, d.currency, func.count(), func.sum(d.effort_low_hours),
                    func.sum(d.effort_high_hours), func.sum(d.interest_low), func.sum(d.interest_high),
                    func.max(d.priority))
             .where(d.status.in_([s.value for s in ACTIVE_STATUSES]))
             .group_by(d.component, d.category, d.currency))
    return tuple(DebtGroup(c, cat, cur, n, float(lo or 0), float(hi or 0), float(il or 0), float(ih or 0),
                           float(top or 0)) for c, cat, cur, n, lo, hi, il, ih, top in session.execute(query))


def _incidents(session: Session) -> tuple[IncidentGroup, ...]:
    i, o = IncidentRow, IncidentIntervalRow
    duration = _seconds_between(session, o.opened_at, o.resolved_at)
    # Outages summed per incident first, then per component: a join of every outage row with its
    # incident, grouped by component, took 2.5 times as long on 100,000 incidents (SQLite).
    per_incident = (select(o.incident_id, func.count().label("n"), func.sum(duration).label("total"))
                    .where(o.resolved_at.is_not(None)).group_by(o.incident_id).subquery())
    resolved = (select(i.component, func.sum(per_incident.c.n), func.sum(per_incident.c.total))
                .join(per_incident, per_incident.c.incident_id == i.id).where(i.component.is_not(None))
                .group_by(i.component))
    means: dict[str, tuple[int, float | None]] = {
        str(c): (int(n), float(total) / int(n)) for c, n, total in session.execute(resolved) if n}
    open_query = (select(i.component, func.count()).where(i.component.is_not(None), i.resolved_at.is_(None))
                  .group_by(i.component))
    opened: dict[str, int] = {str(c): n for c, n in session.execute(open_query)}
    groups = []
    for component in sorted(set(means) | set(opened)):
        n, mean = means.get(component, (0, None))
        groups.append(IncidentGroup(component, n, None if mean is None else round(mean, 3),
                                    opened.get(component, 0)))
    return tuple(groups)


def _drift(session: Session) -> tuple[DriftLatest, ...]:
    r = DriftRunRow
    latest = select(func.max(r.id)).group_by(r.component).scalar_subquery()
    query = select(r.component, r.drift_share, r.dataset_drift).where(r.id.in_(latest)).order_by(r.component)
    return tuple(DriftLatest(c, float(share), bool(drifted)) for c, share, drifted in session.execute(query))


def _satisfaction(session: Session, since: dt.datetime) -> tuple[SatisfactionGroup, ...]:
    f = FeedbackRow
    query = (select(f.component, func.count(f.score), func.avg(f.score))
             .where(f.component.is_not(None), f.score.is_not(None), f.created_at >= since).group_by(f.component))
    return tuple(SatisfactionGroup(str(c), n, float(mean)) for c, n, mean in session.execute(query))


def _findings(session: Session) -> tuple[FindingGroup, ...]:
    f = FindingRow
    query = (select(f.component, f.source, f.rule_id, func.count()).where(f.status == "open")
             .group_by(f.component, f.source, f.rule_id))
    return tuple(FindingGroup(c, s, rule, n) for c, s, rule, n in session.execute(query))


def _counts(session: Session, *columns: Any) -> dict[Any, int]:
    rows = session.execute(select(*columns, func.count()).group_by(*columns))
    return {tuple(row[:-1]) if len(columns) > 1 else row[0]: row[-1] for row in rows}


def read_snapshot(store: Store, now: dt.datetime | None = None) -> StoreSnapshot:
    """One consistent read (one transaction) of everything `/metrics` exports."""
    now = now or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with store.session() as session:
        return StoreSnapshot(
            taken_at=now, debt=_debt(session), incidents=_incidents(session), drift=_drift(session),
            satisfaction=_satisfaction(session, now - dt.timedelta(days=SATISFACTION_DAYS)),
            findings=_findings(session), deliveries=_counts(session, RawEventRow.source, RawEventRow.status),
            tickets=_counts(session, TicketRow.source), incidents_by_source=_counts(session, IncidentRow.source),
            satisfaction_window_days=SATISFACTION_DAYS, seconds=time.perf_counter() - started)

class CachedSnapshot:
    """The store's snapshot, read at most once per `ttl` seconds whoever asks (thread-safe)."""

    def __init__(self, store: Store, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic,
                 reader: Callable[[Store], StoreSnapshot] = read_snapshot) -> None:
        self.store = store
        self.ttl = ttl
        self._clock = clock
        self._reader = reader
        self._lock = threading.Lock()
        self._value: StoreSnapshot | None = None
        self._read_at = 0.0
        self.reads = 0

    def __call__(self) -> StoreSnapshot:
        with self._lock:  # a second scrape during a read waits for it instead of reading again
            if self._value is None or self._clock() - self._read_at >= self.ttl:
                self._value = self._reader(self.store)
                self._read_at = self._clock()
                self.reads += 1
            return self._value
