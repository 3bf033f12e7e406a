"""Incident repository: signals become incidents with intervals; queries for MTTR and linking.

Lifecycle rules (see `docs/incidents.md`): an open signal for a resolved incident that comes after
its resolution starts a new interval (a reopen); a resolve closes the open interval; a resolve for
an unknown problem records a closed interval from its start; stale or repeated signals change
nothing, so out-of-order and duplicate deliveries are harmless.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, selectinload

from mldebt.domain.incident import IncidentSignal, SignalAction
from mldebt.store.ingest_tables import IncidentIntervalRow, IncidentRow

OPENED, REOPENED, RESOLVED, UNCHANGED = "opened", "reopened", "resolved", "unchanged"
MAX_LINKS = 20


Known = dict[tuple[str, str], IncidentRow]


def load_known(session: Session, keys: set[tuple[str, str]]) -> Known:
    """The incidents (with intervals) of these (source, fingerprint) keys, in one query."""
    if not keys:
        return {}
    query = (select(IncidentRow).options(selectinload(IncidentRow.intervals))
             .where(tuple_(IncidentRow.source, IncidentRow.fingerprint).in_(sorted(keys))))
    return {(row.source, row.fingerprint): row for row in session.scalars(query)}


def apply_signal(session: Session, signal: IncidentSignal, component: str | None, category: str,
                 link: str | None = None, known: Known | None = None) -> str:
    """Record one signal; returns what happened (opened, reopened, resolved, unchanged).

    `known` (from `load_known`) lets a batch look incidents up without a query per signal; new
    incidents are added to it.
    """
    if known is None:
        known = load_known(session, {(signal.source, signal.key)})
    row = known.get((signal.source, signal.key))
    start = min(signal.started_at or signal.at, signal.at)
    if row is None:
        resolved = signal.at if signal.action == SignalAction.RESOLVE else None
        row = IncidentRow(source=signal.source, fingerprint=signal.key, component=component, category=category,
                          title=signal.title[:2000], culprit=signal.culprit, level=signal.level,
                          attributes=_jsonable(signal.attributes), links=[x for x in (signal.url, link) if x],
                          opened_at=start, resolved_at=resolved, reopen_count=0, last_event_at=signal.at)
        row.intervals = [IncidentIntervalRow(opened_at=start, resolved_at=resolved)]
        session.add(row)
        known[(signal.source, signal.key)] = row
        return RESOLVED if resolved else OPENED
    if row.component is None and component is not None:
        row.component = component
    _add_link(row, link)
    row.last_event_at = max(_aware(row.last_event_at), signal.at)
    current = max(row.intervals, key=lambda i: _aware(i.opened_at))
    if signal.action == SignalAction.OPEN:
        if current.resolved_at is None or signal.at <= _aware(current.resolved_at):
            return UNCHANGED
        row.intervals.append(IncidentIntervalRow(opened_at=signal.at, resolved_at=None))
        row.reopen_count += 1
        row.resolved_at = None
        return REOPENED
    if current.resolved_at is None:
        current.resolved_at = max(signal.at, _aware(current.opened_at))
        row.resolved_at = current.resolved_at
        return RESOLVED
    if start > _aware(current.resolved_at):
        row.intervals.append(IncidentIntervalRow(opened_at=start, resolved_at=signal.at))
        row.reopen_count += 1
        row.resolved_at = signal.at
        return REOPENED
    return UNCHANGED


def _add_link(row: IncidentRow, link: str | None) -> None:
    if link and link not in row.links and len(row.links) < MAX_LINKS:
        row.links = [*row.links, link]


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _jsonable(attributes: dict[str, Any]) -> dict[str, Any]:
    return {str(k): (v if isinstance(v, str | int | float | bool | list) or v is None else str(v))
            for k, v in attributes.items()}


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
                           incident.title, incident.culprit, _aware(interval.opened_at),
                           _aware(interval.resolved_at) if interval.resolved_at else None)
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


def as_aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _aware(value)
