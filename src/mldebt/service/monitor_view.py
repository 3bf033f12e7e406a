"""What `mldebt monitor list`, `mldebt monitor noise` (`--format json`) and `/monitors` show: plain,
JSON-able dicts (timestamps as ISO 8601 UTC strings) over `store.monitor_queries`.

Each function checks its arguments (a bad one is a UserInputError naming it) and reads in one
short session; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mldebt.domain.alerts import AlertStatus
from mldebt.domain.monitoring import format_duration
from mldebt.errors import UserInputError
from mldebt.store import monitor_queries as q
from mldebt.store.database import Store

MAX_COMPONENT_NAME = 100  # monitor_schedules.component is String(100)
MAX_KEY = 210  # monitor_runs.monitor_key is String(210)
NOISE_DAYS = 30  # the default period of `monitor noise` and of the page's "Noisy monitors"
MAX_NOISE_DAYS = 366
RUNS_SHOWN = 50  # recent runs of one monitor on the page


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _text(name: str, value: str | None, most: int) -> str | None:
    """An optional filter: absent (None or empty) or text of at most `most` characters."""
    if value is None or value == "":
        return None
    if len(value) > most:
        raise UserInputError(f"{name}: at most {most} characters, got {len(value)}")
    return value


def check_component(component: str | None) -> str | None:
    return _text("component", component, MAX_COMPONENT_NAME)


def check_key(key: str | None) -> str | None:
    return _text("key", key, MAX_KEY)


def check_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_NOISE_DAYS:
        raise UserInputError(f"days: a whole number of days from 1 to {MAX_NOISE_DAYS}, got {days!r}")
    return days


def _schedule(s: q.ScheduleView) -> dict[str, Any]:
    return {"key": s.key, "component": s.component, "monitor": s.monitor, "kind": s.kind,
            "every": format_duration(s.every), "every_seconds": int(s.every.total_seconds()), "enabled": s.enabled,
            "next_due_at": _iso(s.next_due_at),
            "last": None if s.last_status is None and s.last_run_id is None else {
                "run_id": s.last_run_id, "status": s.last_status, "summary": s.last_summary, "value": s.last_value,
                "threshold": s.last_threshold, "finished_at": _iso(s.last_finished_at),
                "evidence_url": s.last_evidence_url}}


def monitor_list(store: Store, component: str | None = None) -> list[dict[str, Any]]:
    """The declared monitors (of `component`), by component and monitor: schedule, last result, next run.

    `last` is None for a monitor that never ran; `last.status` is a MonitorStatus value."""
    component = check_component(component)
    with store.session() as session:
        return [_schedule(s) for s in q.schedules(session, component)]


def _run(r: q.RunView) -> dict[str, Any]:
    return {"id": r.id, "key": r.key, "component": r.component, "kind": r.kind, "status": r.status,
            "trigger": r.trigger, "due_at": _iso(r.due_at), "started_at": _iso(r.started_at),
            "finished_at": _iso(r.finished_at), "value": r.value, "threshold": r.threshold, "summary": r.summary,
            "evidence_url": r.evidence_url}


def monitor_runs(store: Store, key: str | None = None, limit: int = RUNS_SHOWN) -> list[dict[str, Any]]:
    """The latest runs (of monitor `key`, "component/monitor"), newest first, at most q.MAX_RUNS."""
    key = check_key(key)
    with store.session() as session:
        return [_run(r) for r in q.recent_runs(session, key, limit)]


def _delivery(d: q.ChannelDelivery) -> dict[str, Any]:
    return {"channel": d.channel, "channel_kind": d.channel_kind, "kind": d.kind, "status": d.status,
            "created_at": _iso(d.created_at), "sent_at": _iso(d.sent_at), "attempts": d.attempts,
            "http_status": d.http_status, "reason": d.reason}


def _alert(a: q.AlertView) -> dict[str, Any]:
    return {"id": a.id, "key": a.key, "component": a.component, "monitor": a.monitor, "kind": a.kind,
            "severity": a.severity, "status": a.status, "summary": a.summary, "generator_url": a.generator_url,
            "starts_at": _iso(a.starts_at), "ends_at": _iso(a.ends_at), "first_fired_at": _iso(a.first_fired_at),
            "last_evaluated_at": _iso(a.last_evaluated_at), "fire_count": a.fire_count,
            "acknowledged": None if a.acknowledged_at is None else {
                "at": _iso(a.acknowledged_at), "by": a.acknowledged_by},
            "deliveries": [_delivery(d) for d in a.deliveries]}


def monitor_alerts(store: Store, status: str | None = None) -> list[dict[str, Any]]:
    """Alerts (of `status`: firing or resolved), firing first, each with its latest delivery per channel."""
    status = _text("status", status, 20)
    statuses = [str(s) for s in AlertStatus]
    if status is not None and status not in statuses:
        raise UserInputError(f"status: expected {' or '.join(statuses)}, got {status!r}")
    with store.session() as session:
        return [_alert(a) for a in q.alerts_view(session, status)]


def _noise(r: q.NoiseRow) -> dict[str, Any]:
    return {"key": r.key, "component": r.component, "monitor": r.monitor, "fired": r.fired, "notified": r.notified,
            "folded": r.folded, "suppressed": r.suppressed, "failed": r.failed, "acknowledged": r.acknowledged,
            "retrained": r.retrained, "debt_resolved": r.debt_resolved, "acted": r.acted,
            "action_rate": r.action_rate}


def monitor_noise(store: Store, days: int = NOISE_DAYS, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per monitor that fired or sent a message in the last `days` days up to `now`: firings, messages
    (sent, folded, suppressed, failed) and how often a firing led to action, most firings first.

    `action_rate` is acted / fired (None when it never fired); see store.monitor_queries for the rules."""
    days = check_days(days)
    until = now if now is not None else dt.datetime.now(dt.UTC)
    with store.session() as session:
        return [_noise(r) for r in q.noise(session, until - dt.timedelta(days=days), until)]
