"""Drift runs and retrain requests: what was compared, what was found, what was triggered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mldebt.store.models import DriftRunRow, RetrainRequestRow

PENDING = "pending"


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


def add_request(session: Session, component: str, run_id: int | None, mode: str, target: str, status: str,
                now: dt.datetime) -> RetrainRequestRow:
    row = RetrainRequestRow(component=component, drift_run_id=run_id, mode=mode, target=target, status=status,
                            created_at=now, outcome={})
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
