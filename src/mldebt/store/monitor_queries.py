"""Reads of the monitoring tables for `mldebt monitor list`, `mldebt monitor noise` and `/monitors`.

Only reads: the scheduler, the monitor kinds and the alerting service write these tables
(`store/monitor_tables.py` says what each column means). Every list is bounded, and no query
loads a run's `detail` (a drift run's detail can be large): the list shows the summary.

`noise` answers "which monitors fire most, and does anyone act on them?" per monitor key over a
period [since, now). A *firing* is a run whose status is `breach` while the key's previous
conclusive run (`ok` or `breach`; `error`, `running` and `abandoned` runs do not change an alert's
state) was not a breach: a monitor breaching on 100 runs in a row fired once, not 100 times,
exactly as its alert goes from resolved to firing once. A firing *led to action* when, before the
key's next firing (or `now`), its alert was acknowledged, a retrain of its component started, or
a debt item of its component was resolved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from mldebt.domain.alerts import AlertStatus, MonitorStatus
from mldebt.store.base import as_aware
from mldebt.store.debt_tables import DebtItemChangeRow, DebtItemRow
from mldebt.store.models import RetrainRequestRow
from mldebt.store.monitor_tables import AlertDeliveryRow, AlertRow, MonitorRunRow, MonitorScheduleRow

S, R, A, D = MonitorScheduleRow, MonitorRunRow, AlertRow, AlertDeliveryRow
MAX_RUNS = 500  # runs one `recent_runs` call returns at most
MAX_ALERTS = 500  # alerts one `alerts_view` call returns at most
CONCLUSIVE = (str(MonitorStatus.OK), str(MonitorStatus.BREACH))
"""Run statuses that say whether a monitor holds; an error or an unfinished run says nothing."""
DEBT_RESOLUTIONS = ("resolved", "auto-resolved")
"""`debt_item_changes.action` of a resolution: by a person (service.debt_edit) or a rebuild
(service.backlog's AUTO_RESOLVED); the store cannot import the service, so the names are repeated."""
RESEND = "resend"
"""A delivery kind left out of the noise counts: Alertmanager's keep-alive of a still-firing alert,
which Alertmanager deduplicates, so no person sees it again."""


@dataclass(frozen=True)
class ScheduleView:
    """A declared monitor (not removed from the inventory) with its last run."""

    key: str
    component: str
    monitor: str
    kind: str
    every: dt.timedelta
    enabled: bool
    next_due_at: dt.datetime
    last_run_id: int | None
    last_status: str | None
    last_summary: str | None
    last_value: float | None
    last_threshold: float | None
    last_finished_at: dt.datetime | None
    last_evidence_url: str | None


@dataclass(frozen=True)
class RunView:
    """One monitor run without its detail."""

    id: int
    key: str
    component: str
    kind: str
    due_at: dt.datetime
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    trigger: str
    value: float | None
    threshold: float | None
    summary: str | None
    evidence_url: str | None


@dataclass(frozen=True)
class ChannelDelivery:
    """The latest message of one alert on one channel."""

    channel: str
    channel_kind: str
    kind: str  # firing | resolved | resend | digest
    status: str  # sent | failed | suppressed | folded | pending
    created_at: dt.datetime
    sent_at: dt.datetime | None
    attempts: int
    http_status: int | None
    reason: str | None


@dataclass(frozen=True)
class AlertView:
    """An alert's state, its acknowledgement, and its latest delivery per channel (by channel name)."""

    id: int
    key: str
    component: str
    monitor: str
    kind: str
    severity: str
    status: str
    summary: str | None
    generator_url: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    first_fired_at: dt.datetime
    last_evaluated_at: dt.datetime
    fire_count: int
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    deliveries: tuple[ChannelDelivery, ...]


@dataclass(frozen=True)
class NoiseRow:
    """One monitor key over a period: how often it fired, what was sent, and how often someone acted.

    `acknowledged`, `retrained` and `debt_resolved` count firings followed by that action (before the
    key's next firing); `acted` counts firings followed by any of them, so `action_rate` = acted /
    fired is at most 1 (None when it never fired). The delivery counts are messages, per channel.
    """

    key: str
    component: str
    monitor: str
    fired: int
    notified: int  # deliveries sent (firing and resolved messages)
    folded: int  # deliveries folded into a digest (over the fatigue budget)
    suppressed: int  # deliveries held back (cooldown, duplicate)
    failed: int  # deliveries that failed after their retries
    acknowledged: int
    retrained: int
    debt_resolved: int
    acted: int
    action_rate: float | None


def schedules(session: Session, component: str | None = None) -> list[ScheduleView]:
    """The declared monitors (of `component`), by component and monitor, each with its last run.

    The last run is the schedule's `last_run_id`; its status and finish time fall back to the
    schedule's own `last_status` / `last_finished_at` when that run row is gone (or not linked yet).
    """
    query = (select(S.key, S.component, S.monitor, S.kind, S.every_seconds, S.enabled, S.next_due_at,
                    S.last_run_id, func.coalesce(R.status, S.last_status), R.summary, R.value, R.threshold,
                    func.coalesce(R.finished_at, S.last_finished_at), R.evidence_url)
             .outerjoin(R, R.id == S.last_run_id)
             .where(S.removed_at.is_(None))
             .order_by(S.component, S.monitor, S.key))
    if component is not None:
        query = query.where(S.component == component)
    return [ScheduleView(str(r[0]), str(r[1]), str(r[2]), str(r[3]), dt.timedelta(seconds=int(r[4])), bool(r[5]),
                         as_aware(r[6]), r[7], r[8], r[9], r[10], r[11], as_aware(r[12]), r[13])
            for r in session.execute(query)]


def recent_runs(session: Session, key: str | None = None, limit: int = 50) -> list[RunView]:
    """The latest runs (of monitor `key`), newest first by start; `limit` is clipped to 1..MAX_RUNS."""
    query = (select(R.id, R.monitor_key, R.component, R.kind, R.due_at, R.started_at, R.finished_at, R.status,
                    R.trigger, R.value, R.threshold, R.summary, R.evidence_url)
             .order_by(R.started_at.desc(), R.id.desc())
             .limit(max(1, min(limit, MAX_RUNS))))
    if key is not None:
        query = query.where(R.monitor_key == key)
    return [RunView(int(r[0]), str(r[1]), str(r[2]), str(r[3]), as_aware(r[4]), as_aware(r[5]), as_aware(r[6]),
                    str(r[7]), str(r[8]), r[9], r[10], r[11], r[12]) for r in session.execute(query)]


def alerts_view(session: Session, status: str | None = None, limit: int = MAX_ALERTS) -> list[AlertView]:
    """Alerts (of `status`: firing | resolved), firing first, then the latest firing first."""
    firing_first = case((A.status == str(AlertStatus.FIRING), 0), else_=1)
    query = (select(A.id, A.key, A.component, A.monitor, A.kind, A.severity, A.status, A.annotations,
                    A.generator_url, A.starts_at, A.ends_at, A.first_fired_at, A.last_evaluated_at, A.fire_count,
                    A.acknowledged_at, A.acknowledged_by)
             .order_by(firing_first, A.starts_at.desc(), A.id.desc())
             .limit(max(1, min(limit, MAX_ALERTS))))
    if status is not None:
        query = query.where(A.status == status)
    rows = list(session.execute(query))
    latest = _latest_deliveries(session, [int(r[0]) for r in rows])
    return [AlertView(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]), _summary(r[7]),
                      r[8], as_aware(r[9]), as_aware(r[10]), as_aware(r[11]), as_aware(r[12]), int(r[13] or 0),
                      as_aware(r[14]), r[15], tuple(latest.get(int(r[0]), ())))
            for r in rows]


def _summary(annotations: Any) -> str | None:
    value = annotations.get("summary") if isinstance(annotations, dict) else None
    return str(value) if value is not None else None


def _latest_deliveries(session: Session, alert_ids: Sequence[int]) -> dict[int, list[ChannelDelivery]]:
    """Per alert, its latest delivery on each channel, by channel name."""
    if not alert_ids:
        return {}
    rank = func.row_number().over(partition_by=(D.alert_id, D.channel), order_by=(D.created_at.desc(), D.id.desc()))
    ranked = (select(D.alert_id, D.channel, D.channel_kind, D.kind, D.status, D.created_at, D.sent_at, D.attempts,
                     D.http_status, D.reason, rank.label("rank"))
              .where(D.alert_id.in_(list(alert_ids))).subquery())
    query = select(*(c for c in ranked.c if c.key != "rank")).where(ranked.c.rank == 1).order_by(
        ranked.c.alert_id, ranked.c.channel)
    found: dict[int, list[ChannelDelivery]] = defaultdict(list)
    for r in session.execute(query):
        found[int(r[0])].append(ChannelDelivery(str(r[1]), str(r[2]), str(r[3]), str(r[4]), as_aware(r[5]),
                                                as_aware(r[6]), int(r[7] or 0), r[8], r[9]))
    return found


def noise(session: Session, since: dt.datetime, now: dt.datetime) -> list[NoiseRow]:
    """Per monitor key that fired or had a message in [since, now): firings, messages and actions;
    the most firings first (then the most messages, then by key). See the module docstring."""
    firings, components = _firings(session, since, now)
    counts, delivery_components = _delivery_counts(session, since, now)
    components = {**delivery_components, **components}
    actions = _Actions.read(session, firings, components, now)
    rows = [_noise_row(key, components[key], firings.get(key, []), counts.get(key, {}), actions, now)
            for key in sorted(set(firings) | set(counts))]
    return sorted(rows, key=lambda r: (-r.fired, -r.notified, r.key))


def _firings(session: Session, since: dt.datetime, now: dt.datetime) -> tuple[dict[str, list[dt.datetime]],
                                                                              dict[str, str]]:
    """The start times of each key's firings in [since, now), oldest first, and each key's component."""
    previous = func.lag(R.status).over(partition_by=R.monitor_key, order_by=(R.started_at, R.id))
    lagged = (select(R.monitor_key, R.component, R.status, R.started_at, R.id, previous.label("previous"))
              .where(R.status.in_(CONCLUSIVE), R.started_at >= since, R.started_at < now).subquery())
    breach = str(MonitorStatus.BREACH)
    query = (select(lagged.c.monitor_key, lagged.c.component, lagged.c.started_at, lagged.c.previous)
             .where(lagged.c.status == breach, or_(lagged.c.previous.is_(None), lagged.c.previous != breach))
             .order_by(lagged.c.monitor_key, lagged.c.started_at, lagged.c.id))
    firings: dict[str, list[dt.datetime]] = defaultdict(list)
    components: dict[str, str] = {}
    for key, component, started_at, before in session.execute(query):
        # The period's first conclusive run of a key has no previous one in the period: look before it.
        if before is None and _status_before(session, str(key), since) == breach:
            continue
        firings[str(key)].append(as_aware(started_at))
        components[str(key)] = str(component)
    return dict(firings), components


def _status_before(session: Session, key: str, since: dt.datetime) -> str | None:
    """The status of the key's last conclusive run started before `since` (one index range scan)."""
    return session.scalar(select(R.status)
                          .where(R.monitor_key == key, R.status.in_(CONCLUSIVE), R.started_at < since)
                          .order_by(R.started_at.desc(), R.id.desc()).limit(1))


def _delivery_counts(session: Session, since: dt.datetime, now: dt.datetime) -> tuple[
        dict[str, dict[str, int]], dict[str, str]]:
    """Per alert key, its messages created in [since, now) by status (re-sends and digests left out)."""
    query = (select(D.alert_key, D.component, D.status, func.count())
             .where(D.alert_key.is_not(None), D.kind != RESEND, D.created_at >= since, D.created_at < now)
             .group_by(D.alert_key, D.component, D.status))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    components: dict[str, str] = {}
    for key, component, status, count in session.execute(query):
        counts[str(key)][str(status)] = counts[str(key)].get(str(status), 0) + int(count)
        components[str(key)] = str(component)
    return dict(counts), components


@dataclass(frozen=True)
class _Actions:
    """The moments someone acted, from the earliest firing on: acknowledgements per alert key,
    retrain starts and debt resolutions per component, each sorted."""

    acknowledged: dict[str, dt.datetime]
    retrains: dict[str, list[dt.datetime]]
    resolutions: dict[str, list[dt.datetime]]

    @classmethod
    def read(cls, session: Session, firings: dict[str, list[dt.datetime]], components: dict[str, str],
             now: dt.datetime) -> _Actions:
        if not firings:
            return cls({}, {}, {})
        start = min(times[0] for times in firings.values())
        fired_components = sorted({components[key] for key in firings})
        acknowledged = {str(key): as_aware(at) for key, at in session.execute(
            select(A.key, A.acknowledged_at).where(A.key.in_(sorted(firings)), A.acknowledged_at >= start,
                                                   A.acknowledged_at < now)) if at is not None}
        retrains = _moments(session.execute(
            select(RetrainRequestRow.component, RetrainRequestRow.started_at)
            .where(RetrainRequestRow.component.in_(fired_components), RetrainRequestRow.started_at >= start,
                   RetrainRequestRow.started_at < now)))
        resolutions = _moments(session.execute(
            select(DebtItemRow.component, DebtItemChangeRow.at)
            .join(DebtItemRow, DebtItemRow.id == DebtItemChangeRow.item_id)
            .where(DebtItemRow.component.in_(fired_components), DebtItemChangeRow.action.in_(DEBT_RESOLUTIONS),
                   DebtItemChangeRow.at >= start, DebtItemChangeRow.at < now)))
        return cls(acknowledged, retrains, resolutions)


def _moments(rows: Iterable[Any]) -> dict[str, list[dt.datetime]]:
    found: dict[str, list[dt.datetime]] = defaultdict(list)
    for name, at in rows:
        found[str(name)].append(as_aware(at))
    return {name: sorted(times) for name, times in found.items()}


def _any_between(times: Iterable[dt.datetime], start: dt.datetime, end: dt.datetime) -> bool:
    return any(start <= at < end for at in times)


def _noise_row(key: str, component: str, fired_at: list[dt.datetime], counts: dict[str, int], actions: _Actions,
               now: dt.datetime) -> NoiseRow:
    acknowledged = retrained = resolved = acted = 0
    ack = actions.acknowledged.get(key)
    ends = [*fired_at[1:], now] if fired_at else []  # a firing's window closes at the key's next one
    for start, end in zip(fired_at, ends, strict=True):
        flags = (ack is not None and start <= ack < end,
                 _any_between(actions.retrains.get(component, ()), start, end),
                 _any_between(actions.resolutions.get(component, ()), start, end))
        acknowledged, retrained, resolved = acknowledged + flags[0], retrained + flags[1], resolved + flags[2]
        acted += any(flags)
    monitor = key[len(component) + 1:] if key.startswith(component + "/") else key.rsplit("/", 1)[-1]
    fired = len(fired_at)
    return NoiseRow(key, component, monitor, fired, counts.get("sent", 0), counts.get("folded", 0),
                    counts.get("suppressed", 0), counts.get("failed", 0), acknowledged, retrained, resolved, acted,
                    acted / fired if fired else None)
