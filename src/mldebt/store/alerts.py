"""Alert states and the delivery log: the repository `service.alerting` reads and writes.

An alert key has one `alerts` row for its whole life: it goes firing -> resolved -> firing again
(`fire_count` counts the firings), keeps `starts_at` of the current firing and its last
acknowledgement. `notified` caches, per channel, the last outcome of the current firing
({"status", "kind", "at"}), so a page shows where an alert went without reading the log.

`alert_deliveries` logs every decision per alert and channel: `sent`, `failed`, `suppressed`
(cooldown), `folded` (over the day's budget, `digest_id` names the digest that carried it) and
`pending` (planned and not yet sent: the send happens outside any transaction). A digest is one row
with no alert. Days are UTC days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mldebt.domain.alerts import Alert, AlertStatus
from mldebt.store.monitor_tables import AlertDeliveryRow, AlertRow

SENT, FAILED, SUPPRESSED, FOLDED, PENDING = "sent", "failed", "suppressed", "folded", "pending"
FIRING_KIND, RESOLVED_KIND, RESEND_KIND, DIGEST_KIND = "firing", "resolved", "resend", "digest"
COUNTED = (SENT, PENDING)  # what spends the day's budget: sent, or about to be
DAY = dt.timedelta(days=1)


def utc_day(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[midnight, next midnight) of `now`'s UTC day."""
    start = dt.datetime.combine(now.astimezone(dt.UTC).date(), dt.time(), tzinfo=dt.UTC)
    return start, start + DAY


def get_alert(session: Session, key: str) -> AlertRow | None:
    return session.scalars(select(AlertRow).where(AlertRow.key == key)).first()


def save_alert(session: Session, alert: Alert, *, run_id: int | None, evaluated_at: dt.datetime) -> AlertRow:
    """Insert or update the state of `alert.key` as `alert` says. Becoming firing from resolved (or
    absent) is a new firing: `fire_count` + 1, `notified` starts empty. The acknowledgement stays:
    it belongs to the firing whose time span it falls in (`acknowledged_in_firing`)."""
    row = get_alert(session, alert.key)
    values: dict[str, Any] = {
        "component": alert.component, "monitor": alert.monitor, "kind": alert.kind, "severity": alert.severity,
        "status": str(alert.status), "labels": alert.labels, "annotations": alert.annotations,
        "generator_url": alert.generator_url, "starts_at": alert.starts_at, "ends_at": alert.ends_at,
        "last_evaluated_at": evaluated_at, "last_run_id": run_id}
    if row is None:
        row = AlertRow(key=alert.key, first_fired_at=alert.starts_at, fire_count=1, notified={}, **values)
        session.add(row)
        session.flush()
        return row
    new_firing = alert.status == AlertStatus.FIRING and row.status != AlertStatus.FIRING
    for name, value in values.items():
        setattr(row, name, value)
    if new_firing:
        row.fire_count += 1
        row.notified = {}
    session.flush()
    return row


def touch_alert(session: Session, row: AlertRow, *, run_id: int | None, evaluated_at: dt.datetime) -> None:
    """A run that changes nothing (ok while resolved) still says when the alert was last looked at."""
    row.last_evaluated_at = evaluated_at
    row.last_run_id = run_id


def acknowledged_in_firing(row: AlertRow) -> bool:
    """Whether the current (or last) firing was acknowledged: an acknowledgement made during it."""
    return row.acknowledged_at is not None and row.acknowledged_at >= row.starts_at


def set_notified(row: AlertRow, channel: str, status: str, kind: str, at: dt.datetime) -> None:
    row.notified = {**row.notified, channel: {"status": status, "kind": kind, "at": at.isoformat()}}


def add_delivery(session: Session, *, channel: str, channel_kind: str, component: str, kind: str, status: str,
                 now: dt.datetime, alert: AlertRow | None = None, reason: str | None = None,
                 alert_count: int = 1, digest_id: int | None = None) -> AlertDeliveryRow:
    row = AlertDeliveryRow(alert_id=alert.id if alert else None, alert_key=alert.key if alert else None,
                           channel=channel, channel_kind=channel_kind, component=component, kind=kind,
                           status=status, reason=reason, attempts=0, alert_count=alert_count, created_at=now,
                           digest_id=digest_id)
    session.add(row)
    session.flush()
    return row


def finish_deliveries(session: Session, ids: Sequence[int], *, ok: bool, attempts: int, http_status: int | None,
                      error: str | None, now: dt.datetime) -> None:
    """What became of a message: its pending rows (one per alert it carried, or the digest's) are
    marked sent or failed with the attempts, the last HTTP status and the error."""
    if not ids:
        return
    session.execute(update(AlertDeliveryRow).where(AlertDeliveryRow.id.in_(list(ids)))
                    .values(status=SENT if ok else FAILED, attempts=attempts, http_status=http_status,
                            reason=None if ok else error, sent_at=now if ok else None))


def sent_today(session: Session, channel: str, component: str, now: dt.datetime) -> int:
    """Firing notifications of the component on the channel this UTC day (sent or being sent): what
    the budget counts. Resolves, resends and digests do not spend it."""
    start, end = utc_day(now)
    query = select(func.count()).select_from(AlertDeliveryRow).where(
        AlertDeliveryRow.channel == channel, AlertDeliveryRow.component == component,
        AlertDeliveryRow.kind == FIRING_KIND, AlertDeliveryRow.status.in_(COUNTED),
        AlertDeliveryRow.created_at >= start, AlertDeliveryRow.created_at < end)
    return int(session.scalar(query) or 0)


def todays_digest(session: Session, channel: str, component: str, now: dt.datetime) -> AlertDeliveryRow | None:
    """The digest already sent (or being sent) to the channel for the component this UTC day."""
    start, end = utc_day(now)
    query = select(AlertDeliveryRow).where(
        AlertDeliveryRow.channel == channel, AlertDeliveryRow.component == component,
        AlertDeliveryRow.kind == DIGEST_KIND, AlertDeliveryRow.status.in_(COUNTED),
        AlertDeliveryRow.created_at >= start, AlertDeliveryRow.created_at < end)
    return session.scalars(query.order_by(AlertDeliveryRow.id)).first()


def last_notification(session: Session, key: str, channel: str, *, since: dt.datetime | None = None,
                      kinds: Iterable[str] = (FIRING_KIND, RESEND_KIND),
                      statuses: Iterable[str] = (SENT,)) -> AlertDeliveryRow | None:
    """The latest delivery of the alert key to the channel (by default: one that reached it, firing or
    re-sent), optionally only since a time (the current firing's start)."""
    query = select(AlertDeliveryRow).where(
        AlertDeliveryRow.alert_key == key, AlertDeliveryRow.channel == channel,
        AlertDeliveryRow.kind.in_(list(kinds)), AlertDeliveryRow.status.in_(list(statuses)))
    if since is not None:
        query = query.where(AlertDeliveryRow.created_at >= since)
    return session.scalars(query.order_by(AlertDeliveryRow.created_at.desc(), AlertDeliveryRow.id.desc())).first()


def firing_alerts(session: Session) -> list[AlertRow]:
    """Active alerts (what Alertmanager must keep hearing about), by key."""
    return list(session.scalars(select(AlertRow).where(AlertRow.status == AlertStatus.FIRING).order_by(AlertRow.key)))


def list_alerts(session: Session, component: str | None = None, status: str | None = None) -> list[AlertRow]:
    query = select(AlertRow).order_by(AlertRow.key)
    if component is not None:
        query = query.where(AlertRow.component == component)
    if status is not None:
        query = query.where(AlertRow.status == status)
    return list(session.scalars(query))


def deliveries(session: Session, key: str | None = None, since: dt.datetime | None = None,
               limit: int = 200) -> list[AlertDeliveryRow]:
    """The delivery log, newest first (a key's, or everyone's)."""
    query = select(AlertDeliveryRow)
    if key is not None:
        query = query.where(AlertDeliveryRow.alert_key == key)
    if since is not None:
        query = query.where(AlertDeliveryRow.created_at >= since)
    return list(session.scalars(query.order_by(AlertDeliveryRow.created_at.desc(), AlertDeliveryRow.id.desc())
                                .limit(limit)))


def acknowledge(session: Session, key: str, by: str, now: dt.datetime) -> AlertRow | None:
    """Record who acknowledged the alert and when (the last acknowledgement is kept); None if unknown."""
    row = get_alert(session, key)
    if row is None:
        return None
    row.acknowledged_at = now
    row.acknowledged_by = by
    session.flush()
    return row
