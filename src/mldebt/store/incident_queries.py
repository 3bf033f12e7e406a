"""The incidents page's queries: daily counts, interval durations, recurring findings, one page of the list.

Each is one statement over a bounded window (or a LIMIT). The timeline is a GROUP BY per week over
the incidents table alone (`store.week_buckets`). MTTR's median and 90th percentile need the durations one by one: they
are computed by the database for the intervals of a short window only (ranking them with window
functions in SQL was tried: several times slower on SQLite than reading the durations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from mldebt.store.ingest_tables import IncidentIntervalRow, IncidentRow
from mldebt.store.models import ComponentRow, FindingRow
from mldebt.store.week_buckets import duration_seconds, per_week

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class IncidentFilter:
    """The list's filters; None means any."""

    component: str | None = None
    category: str | None = None
    source: str | None = None
    status: str | None = None  # "open" or "resolved"

    def conditions(self) -> list[Any]:
        found: list[Any] = []
        if self.component is not None:
            found.append(IncidentRow.component == self.component)
        if self.category is not None:
            found.append(IncidentRow.category == self.category)
        if self.source is not None:
            found.append(IncidentRow.source == self.source)
        if self.status == "open":
            found.append(IncidentRow.resolved_at.is_(None))
        elif self.status == "resolved":
            found.append(IncidentRow.resolved_at.is_not(None))
        return found


def opened_per_week(conn: Connection, boundaries: Sequence[dt.datetime]) -> list[tuple[int, str, int]]:
    """(week index, category, incidents opened) for each week [boundaries[k], boundaries[k + 1])."""
    query = per_week(boundaries, IncidentRow.opened_at, IncidentRow.category, [func.count()])
    return [(int(week), str(category), int(n)) for week, category, n in conn.execute(query)]


def intervals_per_week(conn: Connection, boundaries: Sequence[dt.datetime]) -> list[tuple[int, int]]:
    """(week index, outage intervals opened: first openings and reopenings) per week, from the
    intervals' opened_at index alone."""
    query = per_week(boundaries, IncidentIntervalRow.opened_at, None, [func.count()])
    return [(int(week), int(n)) for week, n in conn.execute(query)]


def interval_minutes(conn: Connection, since: dt.datetime) -> list[tuple[str | None, str, float | None]]:
    """(component, category, minutes or None while open) of every interval opened since `since`: the
    durations are computed by the database; a median needs them one by one (bound the window)."""
    interval = IncidentIntervalRow
    seconds = duration_seconds(conn.dialect.name, interval.opened_at, interval.resolved_at)
    query = (select(IncidentRow.component, IncidentRow.category, seconds)
             .join(IncidentRow, IncidentRow.id == interval.incident_id)
             .where(interval.opened_at >= since))
    return [(component, str(category), None if s is None else max(float(s), 0.0) / 60.0)
            for component, category, s in conn.execute(query)]


def newest_cutoff(conn: Connection, since: dt.datetime, n: int) -> dt.datetime | None:
    """When the n-th newest interval opened since `since` opened, if more than n did (else None),
    read from the intervals' opened_at index alone."""
    opened = IncidentIntervalRow.opened_at
    found = list(conn.scalars(select(opened).where(opened >= since).order_by(opened.desc()).offset(n - 1).limit(2)))
    return found[0] if len(found) == 2 else None


def recurring_findings(conn: Connection, source: str, rule_id: str, limit: int
                       ) -> tuple[int, list[dict[str, Any]]]:
    """(how many open, the `limit` most severe then newest) findings of the recurrence rule."""
    where = and_(FindingRow.source == source, FindingRow.rule_id == rule_id, FindingRow.status == "open")
    total = conn.scalar(select(func.count()).select_from(FindingRow).where(where)) or 0
    rank = case(*((FindingRow.severity == s, i) for i, s in enumerate(SEVERITY_ORDER)), else_=len(SEVERITY_ORDER))
    query = (select(FindingRow.id, FindingRow.component, FindingRow.severity, FindingRow.message,
                    FindingRow.evidence, FindingRow.first_seen_at)
             .where(where).order_by(rank, FindingRow.first_seen_at.desc(), FindingRow.id.desc()).limit(limit))
    return int(total), [dict(row._mapping) for row in conn.execute(query)]


LIST_COLUMNS = (IncidentRow.id, IncidentRow.title, IncidentRow.component, IncidentRow.category, IncidentRow.source,
                IncidentRow.level, IncidentRow.opened_at, IncidentRow.resolved_at, IncidentRow.reopen_count)


def incident_page(conn: Connection, where: IncidentFilter, offset: int, limit: int
                  ) -> tuple[int, Sequence[Any]]:
    """(how many match, one page of them newest first: opened_at desc, then id desc). The page's ids
    are found first (from an index on the filter and opened_at, without reading the rows it skips),
    then only those rows are read."""
    conditions = where.conditions()
    total = conn.scalar(select(func.count()).select_from(IncidentRow).where(*conditions)) or 0
    newest = (IncidentRow.opened_at.desc(), IncidentRow.id.desc())
    ids = select(IncidentRow.id).where(*conditions).order_by(*newest).offset(offset).limit(limit).subquery()
    query = select(*LIST_COLUMNS).join(ids, ids.c.id == IncidentRow.id).order_by(*newest)
    return int(total), conn.execute(query).all()


def outage_minutes(conn: Connection, incident_ids: Sequence[int]) -> dict[int, tuple[int, float]]:
    """incident id -> (intervals, summed minutes of the resolved ones), for one page of incidents."""
    if not incident_ids:
        return {}
    interval = IncidentIntervalRow
    seconds = duration_seconds(conn.dialect.name, interval.opened_at, interval.resolved_at)
    query = (select(interval.incident_id, func.count(), func.sum(seconds))
             .where(interval.incident_id.in_(list(incident_ids))).group_by(interval.incident_id))
    return {int(i): (int(n), max(float(total or 0.0), 0.0) / 60.0) for i, n, total in conn.execute(query)}


def component_names(conn: Connection, limit: int) -> list[str]:
    """The inventory's components (for the filter's choices), by name."""
    return [str(name) for name in conn.scalars(select(ComponentRow.name).order_by(ComponentRow.name).limit(limit))]
