"""Tables of monitoring: schedules, runs, the scheduler lease, alert states and the delivery log.

- `monitor_schedules`: one row per declared monitor (key "component/monitor"), synced from the
  inventory; `next_due_at` moves forward only by a compare-and-set, so a due slot is claimed once.
- `monitor_runs`: one row per run, unique on (monitor_key, due_at): claiming a due slot is an INSERT,
  so two schedulers on one database, or a restart, can never run the same slot twice.
- `scheduler_leases`: one row per scheduler name; the holder renews it, another takes over only
  after it has expired. One scheduler per database runs monitors.
- `alerts`: the state of each alert key (firing/resolved, when it was last notified where) and its
  acknowledgement; `alert_deliveries` logs every message sent, failed, suppressed or folded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mldebt.store.base import Base, UtcDateTime


class MonitorScheduleRow(Base):
    __tablename__ = "monitor_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(210), unique=True)  # component/monitor
    component: Mapped[str] = mapped_column(String(100), index=True)
    monitor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    every_seconds: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(default=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    next_due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_run_id: Mapped[int | None] = mapped_column(Integer)
    last_status: Mapped[str | None] = mapped_column(String(20))
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    removed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # left the inventory


class MonitorRunRow(Base):
    __tablename__ = "monitor_runs"
    __table_args__ = (
        UniqueConstraint("monitor_key", "due_at", name="uq_monitor_runs_slot"),
        Index("ix_monitor_runs_key_started", "monitor_key", "started_at"),
        Index("ix_monitor_runs_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitor_key: Mapped[str] = mapped_column(String(210))
    component: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20))  # domain.alerts.MonitorStatus
    trigger: Mapped[str] = mapped_column(String(20))  # schedule | manual | catch-up
    holder: Mapped[str] = mapped_column(String(200))  # the scheduler or CLI process that claimed it
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    evidence_url: Mapped[str | None] = mapped_column(Text)  # e.g. /drift/12


class SchedulerLeaseRow(Base):
    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_component_status", "component", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(210), unique=True)
    component: Mapped[str] = mapped_column(String(100))
    monitor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # firing | resolved
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON)
    generator_url: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())  # of the current firing
    ends_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    first_fired_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_evaluated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    fire_count: Mapped[int] = mapped_column(Integer, default=1)  # times it went from resolved to firing
    last_run_id: Mapped[int | None] = mapped_column(Integer)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    notified: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # channel -> {status, at}


class AlertDeliveryRow(Base):
    __tablename__ = "alert_deliveries"
    __table_args__ = (
        Index("ix_alert_deliveries_channel_component_created", "channel", "component", "created_at"),
        Index("ix_alert_deliveries_alert", "alert_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(Integer)  # None for a digest
    alert_key: Mapped[str | None] = mapped_column(String(210))
    channel: Mapped[str] = mapped_column(String(100))
    channel_kind: Mapped[str] = mapped_column(String(30))
    component: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # firing | resolved | resend | digest
    status: Mapped[str] = mapped_column(String(20))  # sent | failed | suppressed | folded | pending
    reason: Mapped[str | None] = mapped_column(Text)  # why suppressed or folded, or the error
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    http_status: Mapped[int | None] = mapped_column(Integer)
    alert_count: Mapped[int] = mapped_column(Integer, default=1)  # alerts in the message (grouped, digest)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    digest_id: Mapped[int | None] = mapped_column(Integer)  # a folded alert: the digest delivery that carried it
