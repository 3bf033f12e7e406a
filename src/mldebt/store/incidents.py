"""Incident queries: intervals for MTTR, lists for the API and CLI.

Signals are written by `store.incident_batch` (set-based, per group-commit batch) under the rules
of `domain.incident_lifecycle`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mldebt.store.ingest_tables import IncidentIntervalRow, IncidentRow


@dataclass(frozen=True)
class IntervalRecord:
    """One outage of one incident, with what MTTR groups by."""

    incident_id: int
    source: str
    fingerprint: str
    component: str | None
    category: str
    title: str
    culprit: str | None
    opened_at: dt.datetime
    resolved_at: dt.datetime | None


def intervals(session: Session, component: str | None = None, since: dt.datetime | None = None) -> list[IntervalRecord]:
    query = (select(IncidentIntervalRow, IncidentRow).join(IncidentRow)
             .order_by(IncidentIntervalRow.opened_at, IncidentIntervalRow.id))
    if component is not None:
        query = query.where(IncidentRow.component == component)
    if since is not None:
        query = query.where(IncidentIntervalRow.opened_at >= since)
    return [IntervalRecord(incident.id, incident.source, incident.fingerprint, incident.component, incident.category,
                           incident.title, incident.culprit, interval.opened_at,
                           interval.resolved_at)
            for interval, incident in session.execute(query)]


def list_incidents(session: Session, component: str | None = None, since: dt.datetime | None = None,
                   status: str | None = None, limit: int = 200) -> list[IncidentRow]:
    query = select(IncidentRow).options(selectinload(IncidentRow.intervals)).order_by(IncidentRow.last_event_at.desc())
    if component is not None:
        query = query.where(IncidentRow.component == component)
    if since is not None:
        query = query.where(IncidentRow.last_event_at >= since)
    if status == "open":
        query = query.where(IncidentRow.resolved_at.is_(None))
    elif status == "resolved":
        query = query.where(IncidentRow.resolved_at.is_not(None))
    return list(session.scalars(query.limit(limit)))


def get_incident(session: Session, incident_id: int) -> IncidentRow | None:
    return session.get(IncidentRow, incident_id)

