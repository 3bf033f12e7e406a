"""Monitor outcomes -> alert states -> notifications, without flooding anyone.

`handle_outcomes` is the scheduler's `OnOutcomes`: after a batch of monitor runs it
1. in one unit of work: moves each alert key's state (a breach fires it, an ok resolves a firing
   one, an error or a run still going changes nothing), decides per channel what to tell
   (`service.alert_plan`: cooldown, Alertmanager resends, budget and digest, grouping per component)
   and logs the messages as `pending`;
2. with no transaction open: sends each message through its channel (`integrations.alert_channels`,
   retries included), so a slow receiver never holds the database;
3. in another unit: records what each send did (sent or failed, attempts, HTTP status, error).

`resend_active` re-sends firing alerts to Alertmanager between runs (the scheduler's tick), since
Alertmanager resolves an alert it has not heard about for its `resolve_timeout`; `acknowledge`
marks a firing as seen by someone (it then stops repeating after the cooldown, and counts as acted
on in `mldebt monitor noise`).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy.orm import Session

from mldebt.domain.alerts import Alert, AlertStatus, MonitorStatus
from mldebt.domain.monitoring import MonitoringSettings
from mldebt.errors import NotFoundError
from mldebt.integrations.alert_channels import CHANNELS
from mldebt.integrations.alert_channels.base import AlertChannel, SendResult
from mldebt.service.alert_plan import (
    ALERTMANAGER,
    DeliveryRecord,
    Message,
    Plan,
    Want,
    build_messages,
    decide_firing,
    decide_resolve,
    log_decision,
    routes,
)
from mldebt.service.monitors.base import RunOutcome
from mldebt.service.units import Units
from mldebt.store import alerts as repo
from mldebt.store.monitor_tables import AlertRow

__all__ = ["AlertState", "AlertingReport", "DeliveryRecord", "Transition", "acknowledge", "alert_for",
           "alert_from_row", "handle_outcomes", "resend_active"]


@dataclass(frozen=True)
class Transition:
    key: str
    old: str | None  # None: the key had no alert yet
    new: str  # firing | resolved


@dataclass
class AlertingReport:
    """What a batch did: state changes, and one entry per message sent (or not) and per decision
    that sent nothing (suppressed, folded, failed before sending)."""

    transitions: list[Transition] = field(default_factory=list)
    deliveries: list[DeliveryRecord] = field(default_factory=list)


@dataclass(frozen=True)
class AlertState:
    key: str
    component: str
    monitor: str
    status: str
    starts_at: dt.datetime
    fire_count: int
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None


def _absolute(base_url: str, path: str) -> str:
    return path if path.startswith(("http://", "https://")) else base_url.rstrip("/") + "/" + path.lstrip("/")


def alert_for(outcome: RunOutcome, settings: MonitoringSettings, previous: AlertRow | None) -> Alert | None:
    """The alert a run's outcome implies, or None when the state does not change hands (an error or a
    run still going; an ok while not firing). A breach of a firing alert keeps the firing's start;
    while a firing lasts its labels (severity, category) stay those it started with, so the resolve
    carries the same label set Alertmanager knows it by."""
    job, evaluation = outcome.job, outcome.evaluation
    status = MonitorStatus(evaluation.status)
    firing = previous is not None and previous.status == AlertStatus.FIRING
    if status == MonitorStatus.BREACH:
        state, ends_at = AlertStatus.FIRING, None
    elif status == MonitorStatus.OK and firing:
        state, ends_at = AlertStatus.RESOLVED, job.now
    else:
        return None
    component, monitor = job.component.name, job.monitor.name
    severity = previous.severity if firing and previous else job.monitor.severity
    category = previous.labels.get("category") if firing and previous else evaluation.category
    starts_at = previous.starts_at if firing and previous else job.now
    verb = "breached" if state == AlertStatus.FIRING else "holds again"
    evidence = evaluation.evidence_url or f"/monitors?key={quote(job.key, safe='')}"
    return Alert(key=job.key, component=component, monitor=monitor, kind=job.monitor.kind, severity=severity,
                 status=state, summary=evaluation.summary,
                 description=f"Monitor {monitor} of {component} ({job.monitor.kind}) {verb}.",
                 starts_at=starts_at, ends_at=ends_at, generator_url=_absolute(settings.base_url, evidence),
                 value=evaluation.value, threshold=evaluation.threshold, category=category)


def alert_from_row(row: AlertRow) -> Alert:
    """The alert as last stored (what a resend carries: same labels, latest annotations)."""
    notes = row.annotations
    return Alert(key=row.key, component=row.component, monitor=row.monitor, kind=row.kind, severity=row.severity,
                 status=AlertStatus(row.status), summary=str(notes.get("summary", "")),
                 description=str(notes.get("description", "")), starts_at=row.starts_at, ends_at=row.ends_at,
                 generator_url=row.generator_url,
                 value=float(notes["value"]) if "value" in notes else None,
                 threshold=float(notes["threshold"]) if "threshold" in notes else None,
                 category=row.labels.get("category"))


def handle_outcomes(units: Units, outcomes: list[RunOutcome], now: dt.datetime, *,
                    settings: MonitoringSettings | None = None, env: Mapping[str, str] = os.environ,
                    channels: Mapping[str, AlertChannel] = CHANNELS,
                    sleep: Callable[[float], None] = time.sleep) -> AlertingReport:
    """Alert states and notifications for a batch of finished runs (usable as `OnOutcomes`).
    `settings` default to the first outcome's catalog's `monitoring:`; never raises for a channel
    that fails or cannot be configured (its delivery is logged failed)."""
    if not outcomes:
        return AlertingReport()
    chosen = settings if settings is not None else outcomes[0].job.catalog.monitoring
    report = AlertingReport()

    def plan(session: Session) -> Plan:
        result = Plan()
        for outcome in outcomes:
            _apply(session, result, report, outcome, chosen, now)
        build_messages(session, result, chosen, env, channels, now)
        return result

    return _deliver(units, units(plan), report, channels, sleep, now)


def _apply(session: Session, plan: Plan, report: AlertingReport, outcome: RunOutcome,
           settings: MonitoringSettings, now: dt.datetime) -> None:
    """One outcome: the alert's new state, and what each of its channels should hear."""
    previous = repo.get_alert(session, outcome.job.key)
    old = previous.status if previous is not None else None
    alert = alert_for(outcome, settings, previous)
    if alert is None:
        if previous is not None and outcome.evaluation.status == MonitorStatus.OK:
            repo.touch_alert(session, previous, run_id=outcome.job.run_id, evaluated_at=now)
        return
    row = repo.save_alert(session, alert, run_id=outcome.job.run_id, evaluated_at=now)
    if old != row.status:
        report.transitions.append(Transition(row.key, old, row.status))
    for channel in routes(settings, outcome.job.monitor.channels):
        if alert.status == AlertStatus.FIRING:
            kind, reason = decide_firing(session, row, old != AlertStatus.FIRING, channel, settings, now)
        elif old == AlertStatus.FIRING:
            kind, reason = decide_resolve(session, row, channel)
        else:
            continue
        if kind in (repo.SUPPRESSED, repo.FOLDED):
            message_kind = repo.RESOLVED_KIND if alert.status == AlertStatus.RESOLVED else repo.FIRING_KIND
            log_decision(session, plan, channel, row, message_kind, kind, reason, now)
        else:
            plan.want(channel, Want(row, alert, kind))


def resend_active(units: Units, settings: MonitoringSettings, now: dt.datetime, *,
                  env: Mapping[str, str] = os.environ, channels: Mapping[str, AlertChannel] = CHANNELS,
                  sleep: Callable[[float], None] = time.sleep) -> AlertingReport:
    """Re-send every firing alert to each Alertmanager channel it went to in this firing (sent or
    failed, not folded) once `resend_every` has passed since it last reached that channel."""
    report = AlertingReport()
    managers = [c for c in settings.channels if c.kind == ALERTMANAGER]

    def plan(session: Session) -> Plan:
        result = Plan()
        for row in repo.firing_alerts(session) if managers else []:
            for channel in managers:
                seen = row.notified.get(channel.name)
                if not seen or seen.get("status") == repo.FOLDED:
                    continue
                last = repo.last_notification(session, row.key, channel.name, since=row.starts_at)
                if last is not None and now - (last.sent_at or last.created_at) < settings.resend_every:
                    continue
                result.want(channel, Want(row, alert_from_row(row), repo.RESEND_KIND))
        build_messages(session, result, settings, env, channels, now)
        return result

    return _deliver(units, units(plan), report, channels, sleep, now)


def _deliver(units: Units, plan: Plan, report: AlertingReport, channels: Mapping[str, AlertChannel],
             sleep: Callable[[float], None], now: dt.datetime) -> AlertingReport:
    """Send the planned messages (no transaction open), then record their outcomes in one unit."""
    results = [_send(message, channels, sleep) for message in plan.messages]
    if plan.messages:
        units(lambda session: _record(session, plan.messages, results, now))
    report.deliveries.extend(plan.records)
    for message, result in zip(plan.messages, results, strict=True):
        notification = message.notification
        report.deliveries.append(DeliveryRecord(
            message.channel.name, notification.component, message.kind, repo.SENT if result.ok else repo.FAILED,
            len(notification.alerts), None if result.ok else result.error, tuple(a.key for a in notification.alerts)))
    return report


def _send(message: Message, channels: Mapping[str, AlertChannel], sleep: Callable[[float], None]) -> SendResult:
    """One message through its channel. A channel must not raise; if one does (a bug), the delivery is
    logged failed with the exception rather than losing the whole batch's log."""
    try:
        return channels[message.channel.kind].send(message.target, message.notification, sleep=sleep)
    except Exception as exc:  # the log must survive a broken channel
        return SendResult(ok=False, attempts=1, error=f"{type(exc).__name__}: {exc}"[:500])


def _record(session: Session, messages: list[Message], results: list[SendResult], now: dt.datetime) -> None:
    for message, result in zip(messages, results, strict=True):
        repo.finish_deliveries(session, message.delivery_ids, ok=result.ok, attempts=result.attempts,
                               http_status=result.http_status, error=result.error, now=now)
        status = repo.SENT if result.ok else repo.FAILED
        for alert_id, kind in zip(message.alert_ids, message.row_kinds, strict=True):
            row = session.get(AlertRow, alert_id)
            if row is not None:
                repo.set_notified(row, message.channel.name, status, kind, now)


def acknowledge(units: Units, key: str, by: str, now: dt.datetime) -> AlertState:
    """Someone has seen the alert: it stops repeating after the cooldown (Alertmanager still gets its
    resends) and counts as acted on. NotFoundError for a key that never fired."""

    def work(session: Session) -> AlertState:
        row = repo.acknowledge(session, key, by, now)
        if row is None:
            raise NotFoundError(f"no alert {key!r}; alert keys are component/monitor of a monitor that fired")
        return AlertState(row.key, row.component, row.monitor, row.status, row.starts_at, row.fire_count,
                          row.acknowledged_at, row.acknowledged_by)

    return units(work)
