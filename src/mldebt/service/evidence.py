"""The evidence scoring needs, read from the store in a few set-based queries.

One query per kind of evidence, aggregated per component (and category) in the database, never a
query per item or per component: scoring thousands of items over a hundred thousand incidents must
take well under a second. Everything is bounded by the evidence window before `now` (rows after
`now` are ignored, so an `--as-of` in the past scores what was known then).

- components: lifecycle, exposure, `depends_on` (-> transitive dependants, upstream sharing);
- incident intervals overlapping the window: count opened, open hours clipped to the window,
  resolved intervals and their durations, per incident, summed per (component, category);
- tickets per (component, category) and their latest ids;
- orders at risk: orders named by linked tickets and order events that put revenue at risk
  (`service.signals.order_at_risk`), each order counted once per component;
- poll answers per component: mean score, dissatisfied answers and their order value, the window
  before (for the drop);
- drift runs in the window, per component in time order (latest verdict, drifted streak);
- the change counts (`changes`, written by the scanner's hotspot pass) of the items' open findings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Float, and_, case, cast, extract, func, literal, or_, select
from sqlalchemy.orm import Session

from mldebt.domain.debt import EvidenceKind
from mldebt.metrics.interest import Churn, Windows
from mldebt.metrics.observations import (
    DISSATISFIED_BELOW,
    DriftStats,
    FeedbackStats,
    IncidentStats,
    RevenueStats,
    TicketStats,
)
from mldebt.metrics.priority import ComponentProfile, transitive_dependants
from mldebt.service.signals import order_at_risk
from mldebt.store.base import as_aware
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, StoreEventRow, TicketRow
from mldebt.store.models import ComponentRow, DriftRunRow, FindingRow

SAMPLE_IDS = 5  # ids shown per source in a breakdown
SAMPLE_FILES = 3
MAX_DEPENDS_ON = 200
MAX_CHANGES = 1_000_000
_EPOCH_JULIAN_DAY = 2440587.5


@dataclass(frozen=True)
class ScoringEvidence:
    profiles: dict[str, ComponentProfile]
    depends_on: dict[str, tuple[str, ...]]
    incidents: list[IncidentStats]
    tickets: list[TicketStats]
    revenue: list[RevenueStats]
    feedback: list[FeedbackStats]
    drift: dict[str, DriftStats]
    changes: dict[int, tuple[str, int]]  # open finding id -> (file, change count > 0)
    refs: dict[int, list[int]]  # item id -> the finding ids of its kept evidence

    def churn(self, item_id: int) -> Churn | None:
        """Mean change count over the item's kept findings, 0 for one without changes (None: no finding)."""
        refs = self.refs.get(item_id, ())
        if not refs:
            return None
        seen = [self.changes[ref] for ref in refs if ref in self.changes]
        if not seen:
            return Churn(0.0, len(refs))
        files: dict[str, int] = {}
        for file, count in seen:
            if file and count > 0:
                files[file] = max(files.get(file, 0), count)
        top = sorted(files, key=lambda f: (-files[f], f))[:SAMPLE_FILES]
        return Churn(sum(count for _, count in seen) / len(refs), len(refs), tuple(top),
                     max(count for _, count in seen))


class EvidencedItem(Protocol):
    """What scoring reads of an item: a `DebtItemRow`, or a new item's stand-in before it is inserted."""

    @property
    def id(self) -> int: ...
    @property
    def component(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def effort_low_hours(self) -> float: ...
    @property
    def effort_high_hours(self) -> float: ...
    @property
    def rule_ids(self) -> list[Any]: ...
    @property
    def evidence(self) -> list[Any]: ...


def finding_refs(item: EvidencedItem) -> list[int]:
    refs: list[int] = []
    for entry in item.evidence or ():
        if isinstance(entry, dict) and entry.get("kind") == str(EvidenceKind.FINDING):
            ref = str(entry.get("ref", ""))
            if ref.isdigit() and len(ref) < 19:
                refs.append(int(ref))
    return refs


def gather(session: Session, items: Sequence[EvidencedItem], windows: Windows, now: dt.datetime) -> ScoringEvidence:
    now = as_aware(now)
    since = now - dt.timedelta(days=windows.days)
    recent = now - dt.timedelta(days=windows.recent_days)
    db = session.connection()  # Core rows: no ORM loading for aggregates
    profiles, depends_on = _components(db)
    refs = {item.id: finding_refs(item) for item in items}
    return ScoringEvidence(
        profiles, depends_on, _incidents(db, since, recent, now), _tickets(db, since, recent, now),
        _revenue(db, since, recent, now), _feedback(db, since, recent, now, windows),
        _drift(db, since, now), _changes(db, {ref for found in refs.values() for ref in found}), refs)


def _components(db: Connection) -> tuple[dict[str, ComponentProfile], dict[str, tuple[str, ...]]]:
    rows = db.execute(select(ComponentRow.name, ComponentRow.lifecycle, ComponentRow.customer_facing,
                                  ComponentRow.revenue_critical, ComponentRow.retired_at, ComponentRow.spec)).all()
    depends_on: dict[str, tuple[str, ...]] = {}
    for name, *_, spec in rows:
        deps = spec.get("depends_on") if isinstance(spec, dict) else None
        clean = [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else []
        depends_on[name] = tuple(dict.fromkeys(clean))[:MAX_DEPENDS_ON]
    live = {name for name, *_, retired, _spec in rows if retired is None}
    reach = transitive_dependants({n: [d for d in depends_on[n] if d in live] for n in live})
    profiles = {name: ComponentProfile(name, True, lifecycle, bool(facing), bool(critical), retired is not None,
                                       depends_on[name], reach.get(name, ()))
                for name, lifecycle, facing, critical, retired, _spec in rows}
    return profiles, depends_on


def _epoch(column: Any, dialect: str) -> Any:
    """Seconds since 1970 of a timestamp column, in SQL (so durations are summed by the database)."""
    if dialect == "postgresql":
        return cast(extract("epoch", column), Float)
    return (func.julianday(column) - _EPOCH_JULIAN_DAY) * 86400.0


def _greatest(a: Any, b: Any, dialect: str) -> Any:
    """The larger of two values per row (SQLite's two-argument `max` is scalar)."""
    return func.greatest(a, b) if dialect == "postgresql" else func.max(a, b)


def _least(a: Any, b: Any, dialect: str) -> Any:
    return func.least(a, b) if dialect == "postgresql" else func.min(a, b)


def _seconds(moment: dt.datetime) -> Any:
    return literal(moment.timestamp(), Float)


def _incidents(db: Connection, since: dt.datetime, recent: dt.datetime, now: dt.datetime) -> list[IncidentStats]:
    dialect = db.dialect.name
    iv, inc = IncidentIntervalRow, IncidentRow
    opened, resolved = _epoch(iv.opened_at, dialect), _epoch(iv.resolved_at, dialect)
    now_s = _seconds(now)
    end = _least(func.coalesce(resolved, now_s), now_s, dialect)  # an open interval runs up to now

    def open_seconds(start: dt.datetime) -> Any:
        return func.sum(_greatest(end - _greatest(opened, _seconds(start), dialect), literal(0.0, Float), dialect))

    started = iv.opened_at <= now  # a condition of every sum, not of the WHERE: see below
    done = and_(iv.resolved_at.is_not(None), iv.resolved_at >= since, iv.resolved_at <= now)
    incident = case((started, inc.id))
    query = (select(inc.component, inc.category, func.count(func.distinct(incident)),
                    func.sum(case((and_(started, iv.opened_at >= since), 1), else_=0)),
                    func.sum(case((and_(started, iv.opened_at >= recent), 1), else_=0)),
                    open_seconds(since), open_seconds(recent),
                    func.sum(case((done, 1), else_=0)),
                    func.sum(case((done, resolved - opened), else_=0.0)),
                    func.min(incident), func.max(incident))
             .join_from(iv, inc, iv.incident_id == inc.id)
             # `opened_at <= now` in the WHERE makes SQLite walk the opened_at index over nearly every
             # row (four times slower than a scan), so it is applied inside the sums instead.
             .where(inc.component.is_not(None), or_(iv.resolved_at.is_(None), iv.resolved_at >= since))
             .group_by(inc.component, inc.category).order_by(inc.component, inc.category))
    stats = []
    for component, category, n, opened_n, recent_n, seconds, recent_seconds, done_n, done_seconds, first, last in (
            db.execute(query)):
        if not n:
            continue  # only intervals opened after `now`
        stats.append(IncidentStats(
            component, category, int(n), int(opened_n or 0), int(recent_n or 0), float(seconds or 0.0) / 3600.0,
            float(recent_seconds or 0.0) / 3600.0, int(done_n or 0), max(0.0, float(done_seconds or 0.0)) / 3600.0,
            tuple(dict.fromkeys((last, first)))))
    return stats


def _tickets(db: Connection, since: dt.datetime, recent: dt.datetime, now: dt.datetime) -> list[TicketStats]:
    t = TicketRow
    window = and_(t.component.is_not(None), t.created_at >= since, t.created_at <= now)
    counts = db.execute(
        select(t.component, t.category, func.count(), func.sum(case((t.created_at >= recent, 1), else_=0)))
        .where(window).group_by(t.component, t.category)).all()
    ranked = (select(t.component, t.category, t.id,
                     func.row_number().over(partition_by=(t.component, t.category),
                                            order_by=(t.created_at.desc(), t.id.desc())).label("rank"))
              .where(window).subquery())
    samples: dict[tuple[str, str], list[int]] = defaultdict(list)
    for component, category, ticket_id in db.execute(
            select(ranked.c.component, ranked.c.category, ranked.c.id).where(ranked.c.rank <= SAMPLE_IDS)
            .order_by(ranked.c.rank)):
        samples[(component, category)].append(ticket_id)
    return [TicketStats(component, category, int(n), int(n_recent or 0),
                        tuple(samples[(component, category)]))
            for component, category, n, n_recent in sorted(counts, key=lambda r: (r[0], r[1]))]


def _revenue(db: Connection, since: dt.datetime, recent: dt.datetime, now: dt.datetime) -> list[RevenueStats]:
    t, e = TicketRow, StoreEventRow
    orders: dict[str, dict[str, tuple[float, dt.datetime]]] = defaultdict(dict)

    def keep(component: str, order_id: str, total: float | None, at: dt.datetime) -> None:
        if not order_id or total is None:
            return
        value = max(0.0, float(total))
        known = orders[component].get(order_id)
        orders[component][order_id] = (max(value, known[0]), max(at, known[1])) if known else (value, at)

    for component, order_id, total, at in db.execute(
            select(t.component, t.order_id, func.max(t.order_total), func.max(t.created_at))
            .where(t.component.is_not(None), t.order_id.is_not(None), t.order_total.is_not(None),
                   t.created_at >= since, t.created_at <= now)
            .group_by(t.component, t.order_id)):
        keep(str(component), str(order_id), total, as_aware(at))
    for component, order_id, scope, data, total, at in db.execute(
            select(e.component, e.resource_id, e.scope, e.data, e.order_total, e.created_at)
            .where(e.component.is_not(None), e.order_total.is_not(None), e.scope.like("store/order/%"),
                   e.created_at >= since, e.created_at <= now)):
        if order_at_risk(scope, data):
            keep(component, str(order_id), total, at)
    stats = []
    for component, by_order in sorted(orders.items()):
        latest = sorted(by_order, key=lambda o: (by_order[o][1], o), reverse=True)
        recent_values = [v for v, at in by_order.values() if at >= recent]
        stats.append(RevenueStats(component, len(by_order), sum(v for v, _ in by_order.values()),
                                  len(recent_values), sum(recent_values), tuple(latest[:SAMPLE_IDS])))
    return stats


def _feedback(db: Connection, since: dt.datetime, recent: dt.datetime, now: dt.datetime,
              windows: Windows) -> list[FeedbackStats]:
    f = FeedbackRow
    before = since - dt.timedelta(days=windows.days)
    scored = f.score.is_not(None)
    unhappy = and_(scored, f.score < DISSATISFIED_BELOW)
    value = case((f.order_value > 0, f.order_value), else_=0.0)
    full, last, prev = f.created_at >= since, f.created_at >= recent, f.created_at < since

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    def total(condition: Any, amount: Any) -> Any:
        return func.sum(case((condition, amount), else_=0.0))

    query = (select(f.component, count(full), count(and_(full, scored)), total(and_(full, scored), f.score),
                    count(and_(full, unhappy)), total(and_(full, unhappy), value),
                    count(and_(last, unhappy)), total(and_(last, unhappy), value),
                    count(and_(prev, scored)), total(and_(prev, scored), f.score))
             .where(f.component.is_not(None), f.created_at >= before, f.created_at <= now)
             .group_by(f.component).order_by(f.component))
    stats = []
    for component, n, n_scored, score_sum, n_bad, bad_value, n_recent_bad, recent_bad_value, n_prev, prev_sum in (
            db.execute(query)):
        if not n:
            continue  # answers only in the window before: nothing about now
        stats.append(FeedbackStats(
            component, int(n), int(n_scored or 0), float(score_sum) / n_scored if n_scored else None,
            float(prev_sum) / n_prev if n_prev else None, int(n_bad or 0), float(bad_value or 0.0),
            int(n_recent_bad or 0), float(recent_bad_value or 0.0)))
    return stats


def _drift(db: Connection, since: dt.datetime, now: dt.datetime) -> dict[str, DriftStats]:
    d = DriftRunRow
    runs: dict[str, list[tuple[int, dt.datetime, bool, float]]] = defaultdict(list)
    for component, run_id, at, drifted, share in db.execute(
            select(d.component, d.id, d.created_at, d.dataset_drift, d.drift_share)
            .where(d.created_at >= since, d.created_at <= now).order_by(d.component, d.created_at, d.id)):
        runs[component].append((run_id, as_aware(at), bool(drifted), min(1.0, max(0.0, float(share or 0.0)))))
    found = {}
    for component, history in runs.items():
        streak = []
        for run in reversed(history):
            if not run[2]:
                break
            streak.append(run)
        streak.reverse()
        latest = history[-1]
        days = (now - streak[0][1]).total_seconds() / 86400.0 if streak else 0.0
        found[component] = DriftStats(component, len(history), latest[0], latest[2], latest[3], len(streak),
                                      max(0.0, days), tuple(r[0] for r in streak[-SAMPLE_IDS:]))
    return found


def _changes_value(dialect: str) -> Any:
    """`evidence.changes` as a number, NULL when absent or not a number (never an error on hostile JSON)."""
    if dialect == "postgresql":
        element = FindingRow.evidence.op("->")("changes")
        return case((func.json_typeof(element) == "number", cast(FindingRow.evidence.op("->>")("changes"), Float)))
    return func.json_extract(FindingRow.evidence, "$.changes")


def _changes(db: Connection, wanted: set[int]) -> dict[int, tuple[str, int]]:
    """(file, change count) of the wanted findings among the open ones in files that changed.

    One scan of the open findings beats a list of tens of thousands of ids; a fixed finding's file
    no longer carries the debt, so it is not read (it counts as no change)."""
    if not wanted:
        return {}
    changes = _changes_value(db.dialect.name)
    query = select(FindingRow.id, FindingRow.file, changes).where(
        FindingRow.status == "open", FindingRow.file.is_not(None), changes > 0)
    return {finding_id: (file, int(min(number, MAX_CHANGES))) for finding_id, file, number in db.execute(query)
            if finding_id in wanted and type(number) in (int, float)}
