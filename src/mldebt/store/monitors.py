"""Monitor schedules, runs and the scheduler lease: every claim is one conditional statement.

Why each write is a compare-and-set and not a read followed by a write: two `mldebt serve`
processes on one database, a restart, or `mldebt monitor run --due` beside a server may all look at
the same due slot at once. Only the statement that still finds `next_due_at` at the value it read
moves it (on PostgreSQL a concurrent UPDATE waits for the row, then re-checks its WHERE on the new
version, so the loser matches no row); the run it starts is an INSERT that the unique
(monitor_key, due_at) refuses a second time. The lease works the same way: it changes hands only
when it has expired or is already the caller's.

Times are always passed in (`now`), never read from the clock here, so tests drive them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mldebt.domain.alerts import MonitorStatus, alert_key
from mldebt.domain.component import Catalog
from mldebt.domain.monitoring import format_duration
from mldebt.store.monitor_tables import MonitorRunRow, MonitorScheduleRow, SchedulerLeaseRow

SCHEDULE = "schedule"
MANUAL = "manual"
CATCH_UP = "catch-up"
TRIGGERS = (SCHEDULE, MANUAL, CATCH_UP)
MAX_SUMMARY_CHARS = 2000


@dataclass(frozen=True)
class Claim:
    """A run this caller now owns: evaluate it, then `finish_run(run_id)`."""

    run_id: int
    key: str
    component: str
    monitor: str
    kind: str
    due_at: dt.datetime  # the slot (manual: the moment it was asked for)
    trigger: str  # schedule | manual | catch-up
    missed: int = 1  # slots this run stands for (more than 1: a catch-up)


@dataclass
class ScheduleSync:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def sync_schedules(session: Session, catalog: Catalog, now: dt.datetime) -> ScheduleSync:
    """Make the schedules match the inventory's monitors; writes only what changed.

    A new monitor is due now. A changed `every` keeps the next slot unless that is later than
    now + every (a monitor moved from daily to hourly runs within the hour, not tomorrow). A monitor
    that left the inventory keeps its row and history, with `removed_at`; one that comes back is due
    at its old slot, so it runs once (caught up), not once per slot it was away."""
    declared = {alert_key(c.name, m.name): (c, m) for c in catalog.components for m in c.monitors}
    rows = {row.key: row for row in session.scalars(select(MonitorScheduleRow))}
    result = ScheduleSync()
    for key, (component, monitor) in declared.items():
        every = int(monitor.every.total_seconds())
        spec = monitor.model_dump(mode="json")
        row = rows.get(key)
        if row is None:
            try:
                with session.begin_nested():  # a server and the CLI may add a new monitor at once: one row
                    session.add(MonitorScheduleRow(key=key, component=component.name, monitor=monitor.name,
                                                   kind=monitor.kind, every_seconds=every, enabled=monitor.enabled,
                                                   spec=spec, next_due_at=now, created_at=now, updated_at=now))
                    session.flush()
                result.added.append(key)
            except IntegrityError:
                pass
            continue
        values: dict[str, Any] = {"component": component.name, "monitor": monitor.name, "kind": monitor.kind,
                                  "every_seconds": every, "enabled": monitor.enabled, "spec": spec,
                                  "removed_at": None}
        if every != row.every_seconds and row.next_due_at > now + dt.timedelta(seconds=every):
            values["next_due_at"] = now + dt.timedelta(seconds=every)
        changes = {name: value for name, value in values.items() if getattr(row, name) != value}
        if changes:
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = now
            result.changed.append(key)
    for key, row in rows.items():
        if key not in declared and row.removed_at is None:
            row.removed_at = row.updated_at = now
            result.removed.append(key)
    session.flush()
    return result


def due_schedules(session: Session, now: dt.datetime, component: str | None = None) -> list[MonitorScheduleRow]:
    """Enabled, declared monitors whose next slot is at or before `now`, oldest slot first."""
    query = select(MonitorScheduleRow).where(MonitorScheduleRow.next_due_at <= now,
                                             MonitorScheduleRow.enabled.is_(True),
                                             MonitorScheduleRow.removed_at.is_(None))
    if component is not None:
        query = query.where(MonitorScheduleRow.component == component)
    return list(session.scalars(query.order_by(MonitorScheduleRow.next_due_at, MonitorScheduleRow.key)))


def active_schedules(session: Session, component: str | None = None) -> list[MonitorScheduleRow]:
    """Every declared monitor (enabled or not), by key."""
    query = select(MonitorScheduleRow).where(MonitorScheduleRow.removed_at.is_(None))
    if component is not None:
        query = query.where(MonitorScheduleRow.component == component)
    return list(session.scalars(query.order_by(MonitorScheduleRow.key)))


def next_slot(due: dt.datetime, every: dt.timedelta, now: dt.datetime) -> tuple[dt.datetime, int]:
    """The first slot of the grid `due + k * every` after `now`, and how many slots up to `now` it skips."""
    if now < due:
        return due, 0
    missed = (now - due) // every + 1
    return due + missed * every, missed


def claim_due(session: Session, key: str, expected_next_due: dt.datetime, now: dt.datetime,
              holder: str) -> Claim | None:
    """Claim the due slot `expected_next_due` of `key`; None when another claimer was first.

    The schedule moves to the first slot after `now`: one run however many slots were missed
    (trigger `catch-up` when more than one). The caller commits before running anything."""
    schedule = session.scalars(select(MonitorScheduleRow).where(MonitorScheduleRow.key == key)).first()
    if schedule is None or expected_next_due > now:
        return None
    following, missed = next_slot(expected_next_due, dt.timedelta(seconds=schedule.every_seconds), now)
    moved = session.execute(
        update(MonitorScheduleRow)
        .where(MonitorScheduleRow.key == key, MonitorScheduleRow.next_due_at == expected_next_due,
               MonitorScheduleRow.enabled.is_(True), MonitorScheduleRow.removed_at.is_(None))
        .values(next_due_at=following, updated_at=now)
        .execution_options(synchronize_session=False))
    if _rowcount(moved) != 1:
        return None
    session.expire(schedule)
    trigger = CATCH_UP if missed > 1 else SCHEDULE
    return _start_run(session, schedule, expected_next_due, now, holder, trigger, missed)


def claim_manual(session: Session, key: str, now: dt.datetime, holder: str) -> Claim | None:
    """A run asked for by hand (`mldebt monitor run` without `--due`): the schedule does not move.
    None when the monitor is unknown, removed or disabled, or already has a run at this instant."""
    schedule = session.scalars(select(MonitorScheduleRow).where(MonitorScheduleRow.key == key)).first()
    if schedule is None or schedule.removed_at is not None or not schedule.enabled:
        return None
    return _start_run(session, schedule, now, now, holder, MANUAL, 1)


def _start_run(session: Session, schedule: MonitorScheduleRow, due_at: dt.datetime, now: dt.datetime,
               holder: str, trigger: str, missed: int) -> Claim | None:
    """INSERT the run in a savepoint: the unique slot refuses a second claim without failing the
    caller's transaction (the schedule has moved either way: that slot has its run)."""
    run = MonitorRunRow(monitor_key=schedule.key, component=schedule.component, kind=schedule.kind, due_at=due_at,
                        started_at=now, status=MonitorStatus.RUNNING.value, trigger=trigger, holder=holder[:200],
                        detail={})
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        return None
    return Claim(run.id, schedule.key, schedule.component, schedule.monitor, schedule.kind, due_at, trigger, missed)


def finish_run(session: Session, run_id: int, *, status: str, summary: str | None, now: dt.datetime,
               value: float | None = None, threshold: float | None = None, detail: dict[str, Any] | None = None,
               evidence_url: str | None = None) -> MonitorRunRow:
    """Record what a run found, and make it its schedule's latest result (unless a later run already is)."""
    run = session.get(MonitorRunRow, run_id)
    if run is None:
        raise LookupError(f"monitor run {run_id} vanished while it ran")
    run.status = status
    run.finished_at = now
    run.summary = summary[:MAX_SUMMARY_CHARS] if summary is not None else None
    run.value, run.threshold, run.evidence_url = value, threshold, evidence_url
    run.detail = dict(detail or {})
    session.execute(
        update(MonitorScheduleRow)
        .where(MonitorScheduleRow.key == run.monitor_key,
               or_(MonitorScheduleRow.last_run_id.is_(None), MonitorScheduleRow.last_run_id <= run_id))
        .values(last_run_id=run_id, last_status=status, last_finished_at=now)
        .execution_options(synchronize_session=False))
    session.flush()
    return run


def abandon_stale(session: Session, now: dt.datetime, older_than: dt.timedelta) -> list[int]:
    """Mark runs still `running` that started more than `older_than` ago `abandoned` (their process
    died or hangs); returns their ids. Their slots are not run again: the schedule moved on when
    they were claimed. A run that finishes after all overwrites `abandoned` with its result."""
    stale = list(session.scalars(select(MonitorRunRow).where(
        MonitorRunRow.status == MonitorStatus.RUNNING.value, MonitorRunRow.started_at < now - older_than)
        .order_by(MonitorRunRow.id)))
    for run in stale:
        finish_run(session, run.id, status=MonitorStatus.ABANDONED.value,
                   summary=f"abandoned: still running after {format_duration(older_than)}", now=now, detail=run.detail)
    return [run.id for run in stale]


def recent_runs(session: Session, key: str, limit: int = 20) -> Sequence[MonitorRunRow]:
    """The newest runs of one monitor first."""
    query = select(MonitorRunRow).where(MonitorRunRow.monitor_key == key)
    return list(session.scalars(query.order_by(MonitorRunRow.started_at.desc(), MonitorRunRow.id.desc()).limit(limit)))


def acquire_lease(session: Session, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
    """Take or renew the lease `name` until now + ttl; False while another holder's lease is unexpired.

    One conditional UPDATE (expired, or already ours), else an INSERT in a savepoint for a lease
    that does not exist yet: two processes inserting at once get one row and one IntegrityError."""
    expires = now + ttl
    taken = session.execute(
        update(SchedulerLeaseRow)
        .where(SchedulerLeaseRow.name == name,
               or_(SchedulerLeaseRow.expires_at < now, SchedulerLeaseRow.holder == holder))
        .values(holder=holder, expires_at=expires,
                acquired_at=case((SchedulerLeaseRow.holder == holder, SchedulerLeaseRow.acquired_at), else_=now))
        .execution_options(synchronize_session=False))
    if _rowcount(taken) == 1:
        return True
    if session.get(SchedulerLeaseRow, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(SchedulerLeaseRow(name=name, holder=holder, acquired_at=now, expires_at=expires))
            session.flush()
    except IntegrityError:
        return False
    return True


def release_lease(session: Session, name: str, holder: str) -> bool:
    """Give the lease up (a clean stop), so the next scheduler need not wait for it to expire."""
    result = session.execute(
        update(SchedulerLeaseRow)
        .where(SchedulerLeaseRow.name == name, SchedulerLeaseRow.holder == holder)
        .values(expires_at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
        .execution_options(synchronize_session=False))
    return _rowcount(result) == 1


def lease_holder(session: Session, name: str, now: dt.datetime) -> str | None:
    """Who holds the lease at `now` (None when nobody does)."""
    row = session.get(SchedulerLeaseRow, name)
    return row.holder if row is not None and row.expires_at >= now else None
