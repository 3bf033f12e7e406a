"""Drift runs and retrain requests: what was compared, what was found, what was triggered."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session

from mldebt.store.models import DriftRunRow, RetrainRequestRow

PENDING = "pending"
RUNNING = "running"
FAILED = "failed"
OPEN = (PENDING, RUNNING)  # an open request blocks another trigger of the same component
RUNNABLE = (PENDING, FAILED)  # what an approval may start: a first run, or a retry


def add_drift_run(session: Session, component: str, reference: str, current: str, report: dict[str, Any],
                  now: dt.datetime) -> DriftRunRow:
    row = DriftRunRow(component=component, reference=reference, current=current, created_at=now,
                      dataset_drift=bool(report["dataset_drift"]), drift_share=float(report["drift_share"]),
                      drifted_columns=list(report["drifted_columns"]), report=report)
    session.add(row)
    session.flush()
    return row


def drift_runs(session: Session, component: str | None = None) -> list[DriftRunRow]:
    query = select(DriftRunRow).order_by(DriftRunRow.id)
    if component is not None:
        query = query.where(DriftRunRow.component == component)
    return list(session.scalars(query))


def pending_request(session: Session, component: str) -> RetrainRequestRow | None:
    query = select(RetrainRequestRow).where(RetrainRequestRow.component == component,
                                            RetrainRequestRow.status == PENDING)
    return session.scalars(query.order_by(RetrainRequestRow.id)).first()


def open_request(session: Session, component: str) -> RetrainRequestRow | None:
    """The component's pending or running request, if any (the oldest)."""
    query = select(RetrainRequestRow).where(RetrainRequestRow.component == component,
                                            RetrainRequestRow.status.in_(OPEN))
    return session.scalars(query.order_by(RetrainRequestRow.id)).first()


def approvable_request(session: Session, component: str) -> RetrainRequestRow | None:
    """What `retrain approve COMPONENT` means: its pending request, else its latest request when that
    one is running or failed (so that the answer is "already running" or a retry)."""
    pending = pending_request(session, component)
    if pending is not None:
        return pending
    query = select(RetrainRequestRow).where(RetrainRequestRow.component == component)
    latest = session.scalars(query.order_by(RetrainRequestRow.id.desc())).first()
    return latest if latest is not None and latest.status in (RUNNING, FAILED) else None


def claim_request(session: Session, request_id: int, now: dt.datetime, stale_before: dt.datetime) -> bool:
    """Move a pending or failed request to running in one statement; False when another process did
    first (or it is no longer runnable). A request running since before `stale_before` was left by a
    process that died, and is claimed again. The caller commits before running anything."""
    runnable = or_(RetrainRequestRow.status.in_(RUNNABLE),
                   and_(RetrainRequestRow.status == RUNNING, RetrainRequestRow.started_at < stale_before))
    result = session.execute(
        update(RetrainRequestRow)
        .where(RetrainRequestRow.id == request_id, runnable)
        .values(status=RUNNING, started_at=now, attempts=RetrainRequestRow.attempts + 1)
        .execution_options(synchronize_session=False))
    return cast(CursorResult[Any], result).rowcount == 1


def finish_request(session: Session, request_id: int, status: str, outcome: dict[str, Any],
                   now: dt.datetime) -> RetrainRequestRow:
    """Record the outcome of the attempt that `claim_request` started."""
    row = session.get(RetrainRequestRow, request_id)
    if row is None:
        raise LookupError(f"retrain request {request_id} vanished while it ran")
    row.status, row.outcome, row.decided_at = status, outcome, now
    session.flush()
    return row


def add_request(session: Session, component: str, run_id: int | None, mode: str, target: str, status: str,
                now: dt.datetime, context: dict[str, Any] | None = None) -> RetrainRequestRow:
    """A new request; one added as running (auto mode) counts its first attempt."""
    running = status == RUNNING
    row = RetrainRequestRow(component=component, drift_run_id=run_id, mode=mode, target=target, status=status,
                            created_at=now, outcome={}, context=context or {}, attempts=1 if running else 0,
                            started_at=now if running else None)
    session.add(row)
    session.flush()
    return row


def get_request(session: Session, request_id: int) -> RetrainRequestRow | None:
    return session.get(RetrainRequestRow, request_id)


def retrain_requests(session: Session, component: str | None = None) -> list[RetrainRequestRow]:
    query = select(RetrainRequestRow).order_by(RetrainRequestRow.id)
    if component is not None:
        query = query.where(RetrainRequestRow.component == component)
    return list(session.scalars(query))
