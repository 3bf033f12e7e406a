"""Which monitors are noisy: how often each fired in a period, what reached people, what was acted on.

A *firing* is a run with status `breach` whose previous decisive run (ok or breach; errors and
abandoned runs decide nothing) was `ok` or absent: the same rule by which `service.alerting` opens
a firing, read from `monitor_runs` so that every firing of the period is counted, not only the
alert's current one. A firing lasts, for "what followed it", until the monitor's next firing (or the
end of the period), and counts as *acted on* when, within that span:

- it was acknowledged (the alert keeps its last acknowledgement: an earlier firing acknowledged
  before a later one was also acknowledged counts only the later);
- a retrain of the component started (`retrain_requests.started_at`; for a dataset, also a retrain
  of a model whose `training_data` is that dataset);
- a debt item of the component was resolved (a `resolved` or `auto-resolved` entry in its history).

`action_rate` = acted / fired: a monitor that fires often and is rarely acted on needs tuning.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from mldebt.domain.alerts import MonitorStatus
from mldebt.store.debt_tables import DebtItemChangeRow, DebtItemRow
from mldebt.store.models import ComponentRow, RetrainRequestRow
from mldebt.store.monitor_tables import AlertDeliveryRow, AlertRow, MonitorRunRow

DECISIVE = (MonitorStatus.OK.value, MonitorStatus.BREACH.value)
RESOLVED_ACTIONS = ("resolved", "auto-resolved")


@dataclass(frozen=True)
class MonitorNoise:
    """One monitor over [since, now). Delivery counts are per alert and channel (an alert grouped
    with others in one message counts once for each of them); `sent` counts firing and resolve
    notifications that reached a channel (Alertmanager resends are not counted)."""

    key: str  # component/monitor
    component: str
    monitor: str
    fired: int
    sent: int
    folded: int
    suppressed: int
    failed: int
    acknowledged: int  # firings acknowledged
    retrained: int  # firings followed by a retrain of the component
    debt_resolved: int  # firings followed by a resolved debt item of the component
    acted: int  # firings followed by at least one of the three

    @property
    def action_rate(self) -> float | None:
        """acted / fired; None when it did not fire."""
        return self.acted / self.fired if self.fired else None


def noise(session: Session, since: dt.datetime, now: dt.datetime) -> list[MonitorNoise]:
    """Every monitor that fired or had a delivery in [since, now), noisiest first (most firings,
    then most notifications sent, then key)."""
    firings = _firings(session, since, now)
    counts = _delivery_counts(session, since, now)
    keys = sorted(set(firings) | set(counts))
    if not keys:
        return []
    alerts = {row.key: row for row in session.scalars(select(AlertRow).where(AlertRow.key.in_(keys)))}
    components = {_component(key, alerts) for key in keys}
    retrains = _retrain_starts(session, components, since, now)
    resolutions = _debt_resolutions(session, components, since, now)
    result = []
    for key in keys:
        component = _component(key, alerts)
        starts = firings.get(key, [])
        spans = list(zip(starts, [*starts[1:], now][:len(starts)], strict=True))
        ack = alerts[key].acknowledged_at if key in alerts else None
        acked = [ack is not None and start <= ack < end for start, end in spans]
        retrained = [_any_in(retrains.get(component, []), start, end) for start, end in spans]
        resolved = [_any_in(resolutions.get(component, []), start, end) for start, end in spans]
        by_status = counts.get(key, {})
        result.append(MonitorNoise(
            key=key, component=component, monitor=alerts[key].monitor if key in alerts else key.split("/", 1)[-1],
            fired=len(starts), sent=by_status.get("sent", 0), folded=by_status.get("folded", 0),
            suppressed=by_status.get("suppressed", 0), failed=by_status.get("failed", 0),
            acknowledged=sum(acked), retrained=sum(retrained), debt_resolved=sum(resolved),
            acted=sum(a or r or d for a, r, d in zip(acked, retrained, resolved, strict=True))))
    return sorted(result, key=lambda n: (-n.fired, -n.sent, n.key))


def _component(key: str, alerts: dict[str, AlertRow]) -> str:
    return alerts[key].component if key in alerts else key.split("/", 1)[0]


def _any_in(times: list[dt.datetime], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a sorted list of times has one in [start, end)."""
    i = bisect.bisect_left(times, start)
    return i < len(times) and times[i] < end


def _firings(session: Session, since: dt.datetime, now: dt.datetime) -> dict[str, list[dt.datetime]]:
    """Per monitor key, the start times of the firings in [since, now), ascending."""
    window = and_(MonitorRunRow.status.in_(DECISIVE), MonitorRunRow.started_at >= since,
                  MonitorRunRow.started_at < now)
    runs = session.execute(select(MonitorRunRow.monitor_key, MonitorRunRow.status, MonitorRunRow.started_at)
                           .where(window).order_by(MonitorRunRow.monitor_key, MonitorRunRow.started_at,
                                                   MonitorRunRow.id)).all()
    before = (select(MonitorRunRow.monitor_key, func.max(MonitorRunRow.started_at).label("at"))
              .where(MonitorRunRow.status.in_(DECISIVE), MonitorRunRow.started_at < since)
              .group_by(MonitorRunRow.monitor_key).subquery())
    previous = session.execute(
        select(MonitorRunRow.monitor_key, MonitorRunRow.status)
        .join(before, and_(MonitorRunRow.monitor_key == before.c.monitor_key, MonitorRunRow.started_at == before.c.at))
        .where(MonitorRunRow.status.in_(DECISIVE)).order_by(MonitorRunRow.id)).all()
    breached = {key: status == MonitorStatus.BREACH for key, status in previous}  # the last one of a tie wins
    starts: dict[str, list[dt.datetime]] = defaultdict(list)
    for key, status, started_at in runs:
        is_breach = status == MonitorStatus.BREACH
        if is_breach and not breached.get(key, False):
            starts[key].append(started_at)
        breached[key] = is_breach
    return dict(starts)


def _delivery_counts(session: Session, since: dt.datetime, now: dt.datetime) -> dict[str, dict[str, int]]:
    """Per alert key, deliveries by status in [since, now); `sent` only of firings and resolves."""
    query = (select(AlertDeliveryRow.alert_key, AlertDeliveryRow.status, AlertDeliveryRow.kind, func.count())
             .where(AlertDeliveryRow.alert_key.is_not(None), AlertDeliveryRow.created_at >= since,
                    AlertDeliveryRow.created_at < now)
             .group_by(AlertDeliveryRow.alert_key, AlertDeliveryRow.status, AlertDeliveryRow.kind))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, status, kind, n in session.execute(query):
        if key is None or (status == "sent" and kind not in ("firing", "resolved")):
            continue
        counts[key][status] += int(n)
    return {key: dict(by_status) for key, by_status in counts.items()}


def _retrain_starts(session: Session, components: set[str], since: dt.datetime,
                    now: dt.datetime) -> dict[str, list[dt.datetime]]:
    """Per alerting component, the sorted start times of retrains of it (or of models trained on it)."""
    trained_on: dict[str, set[str]] = defaultdict(set)  # model -> the alerting components it stands for
    for name in components:
        trained_on[name].add(name)
    for name, spec in session.execute(select(ComponentRow.name, ComponentRow.spec).where(ComponentRow.kind == "model")):
        data = (spec or {}).get("training_data")
        if data in components:
            trained_on[name].add(data)
    query = select(RetrainRequestRow.component, RetrainRequestRow.started_at).where(
        RetrainRequestRow.component.in_(sorted(trained_on)), RetrainRequestRow.started_at >= since,
        RetrainRequestRow.started_at < now)
    starts: dict[str, list[dt.datetime]] = defaultdict(list)
    for model, started_at in session.execute(query):
        if started_at is None:
            continue
        for component in trained_on[model]:
            starts[component].append(started_at)
    return {component: sorted(times) for component, times in starts.items()}


def _debt_resolutions(session: Session, components: set[str], since: dt.datetime,
                      now: dt.datetime) -> dict[str, list[dt.datetime]]:
    query = (select(DebtItemRow.component, DebtItemChangeRow.at).join(DebtItemRow)
             .where(DebtItemRow.component.in_(sorted(components)), DebtItemChangeRow.action.in_(RESOLVED_ACTIONS),
                    DebtItemChangeRow.at >= since, DebtItemChangeRow.at < now))
    times: dict[str, list[dt.datetime]] = defaultdict(list)
    for component, at in session.execute(query):
        times[component].append(at)
    return {component: sorted(values) for component, values in times.items()}
