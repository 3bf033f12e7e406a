"""Rows of the monitoring tables written by hand, for tests of the reads over them.

The writers (scheduler, monitor kinds, alerting) are tested on their own; a read test inserts
exactly the rows it counts, at fixed timestamps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from mldebt.store import debt as debt_store
from mldebt.store.debt_tables import DebtItemChangeRow
from mldebt.store.models import RetrainRequestRow
from mldebt.store.monitor_tables import AlertDeliveryRow, AlertRow, MonitorRunRow, MonitorScheduleRow

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)


def schedule(session: Session, key: str, kind: str = "drift", every: int = 3600, next_due_at: dt.datetime = T0,
             **values: Any) -> MonitorScheduleRow:
    component, _, monitor = key.partition("/")
    row = MonitorScheduleRow(key=key, component=component, monitor=monitor, kind=kind, every_seconds=every,
                             enabled=values.pop("enabled", True), spec={}, next_due_at=next_due_at,
                             created_at=T0 - DAY, updated_at=T0 - DAY, **values)
    session.add(row)
    session.flush()
    return row


def run(session: Session, key: str, at: dt.datetime, status: str, kind: str = "drift", **values: Any
        ) -> MonitorRunRow:
    """A run of `key` due and started at `at`, finished a minute later unless it is still running."""
    row = MonitorRunRow(monitor_key=key, component=key.partition("/")[0], kind=kind, due_at=at, started_at=at,
                        finished_at=None if status == "running" else at + dt.timedelta(minutes=1), status=status,
                        trigger=values.pop("trigger", "schedule"), holder="test", detail={}, **values)
    session.add(row)
    session.flush()
    return row


def alert(session: Session, key: str, status: str = "firing", starts_at: dt.datetime = T0, **values: Any
          ) -> AlertRow:
    component, _, monitor = key.partition("/")
    row = AlertRow(key=key, component=component, monitor=monitor, kind=values.pop("kind", "drift"),
                   severity=values.pop("severity", "warning"), status=status, labels={"mldebt_alert": key},
                   annotations={"summary": values.pop("summary", f"{key} breached"), "description": ""},
                   generator_url=values.pop("generator_url", None), starts_at=starts_at, first_fired_at=starts_at,
                   last_evaluated_at=starts_at, notified={}, **values)
    session.add(row)
    session.flush()
    return row


def delivery(session: Session, key: str | None, at: dt.datetime, status: str = "sent", kind: str = "firing",
             channel: str = "ops-alertmanager", alert_id: int | None = None, component: str | None = None,
             **values: Any) -> AlertDeliveryRow:
    row = AlertDeliveryRow(alert_id=alert_id, alert_key=key, channel=channel,
                           channel_kind=values.pop("channel_kind", "alertmanager"),
                           component=component or (key or "").partition("/")[0], kind=kind, status=status,
                           attempts=values.pop("attempts", 1), created_at=at,
                           sent_at=at if status == "sent" else None, **values)
    session.add(row)
    session.flush()
    return row


def retrain(session: Session, component: str, created_at: dt.datetime, started_at: dt.datetime | None
            ) -> RetrainRequestRow:
    row = RetrainRequestRow(component=component, mode="auto", target="make retrain",
                            status="running" if started_at else "pending", created_at=created_at,
                            started_at=started_at, outcome={}, context={})
    session.add(row)
    session.flush()
    return row


def debt_change(session: Session, component: str, at: dt.datetime, action: str) -> None:
    """A debt item of `component` (created a week before `at`) and one history entry `action` at `at`."""
    item = debt_store.add_item(session, {
        "key": f"{component}-{action}-{at.isoformat()}"[:64], "title": f"{component} debt", "category": "model",
        "component": component, "source": "manual", "severity": "high", "status": "open",
        "effort_low_hours": 1.0, "effort_high_hours": 2.0, "first_seen_at": at - 7 * DAY}, actor="t",
        at=at - 7 * DAY)
    session.add(DebtItemChangeRow(item_id=item.id, at=at, actor="t", action=action, changes={}))
    session.flush()
