"""The incidents page's queries: weekly counts, MTTR order statistics, recurring findings, one page of the list.

Each is one statement over a bounded window (or a LIMIT), so the page costs the same at 100,000
incidents as at 100. MTTR's median and 90th percentile are exact: the database ranks the resolved
durations of each group (a window function, on SQLite and PostgreSQL alike) and hands back only
the two order statistics each percentile interpolates between, never every duration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from mldebt.store.ingest_tables import IncidentIntervalRow, IncidentRow
from mldebt.store.models import FindingRow
from mldebt.store.week_buckets import duration_seconds, week_index

MTTR_GROUPS = ("component", "category")
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


def opened_per_week(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[tuple[int, str, int]]:
    """(week index from `start`, category, incidents opened) for incidents opened in [start, end)."""
    week = week_index(conn.dialect.name, IncidentRow.opened_at, start).label("week")
    query = (select(week, IncidentRow.category, func.count())
             .where(IncidentRow.opened_at >= start, IncidentRow.opened_at < end)
             .group_by(week, IncidentRow.category))
    return [(int(w), str(category), int(n)) for w, category, n in conn.execute(query)]


@dataclass(frozen=True)
class MttrTotals:
    """Per (component, category): intervals opened in the window, how many resolved, their summed minutes."""

    component: str | None
    category: str
    intervals: int
    resolved: int
    resolved_minutes: float


def mttr_totals(conn: Connection, since: dt.datetime) -> list[MttrTotals]:
    """One GROUP BY over the intervals opened since `since`: counts and sums add up to any grouping."""
    interval = IncidentIntervalRow
    seconds = duration_seconds(conn.dialect.name, interval.opened_at, interval.resolved_at)
    query = (select(IncidentRow.component, IncidentRow.category, func.count(), func.count(interval.resolved_at),
                    func.sum(seconds))
             .join(IncidentRow, IncidentRow.id == interval.incident_id)
             .where(interval.opened_at >= since)
             .group_by(IncidentRow.component, IncidentRow.category))
    return [MttrTotals(component, str(category), int(n), int(resolved), float(total or 0.0) / 60.0)
            for component, category, n, resolved, total in conn.execute(query)]


def mttr_order_statistics(conn: Connection, since: dt.datetime, by: str
                          ) -> dict[str | None, tuple[int, dict[int, float]]]:
    """group -> (resolved intervals n, {rank k (0-based): minutes}) for the ranks the median and the 90th
    percentile read: floor((n-1)/2), floor(9(n-1)/10) and the rank after each."""
    if by not in MTTR_GROUPS:
        raise ValueError(f"by must be one of {MTTR_GROUPS}, not {by!r}")
    interval = IncidentIntervalRow
    group = IncidentRow.component if by == "component" else IncidentRow.category
    seconds = duration_seconds(conn.dialect.name, interval.opened_at, interval.resolved_at)
    ranked = (select(group.label("g"), seconds.label("s"),
                     (func.row_number().over(partition_by=group, order_by=seconds) - 1).label("k"),
                     func.count().over(partition_by=group).label("n"))
              .join(IncidentRow, IncidentRow.id == interval.incident_id)
              .where(interval.opened_at >= since, interval.resolved_at.is_not(None))
              .subquery())
    middle = (ranked.c.n - 1) // literal(2)
    tail = (ranked.c.n - 1) * literal(9) // literal(10)
    wanted = or_(ranked.c.k == middle, ranked.c.k == middle + 1, ranked.c.k == tail, ranked.c.k == tail + 1)
    found: dict[str | None, tuple[int, dict[int, float]]] = {}
    for g, s, k, n in conn.execute(select(ranked.c.g, ranked.c.s, ranked.c.k, ranked.c.n).where(wanted)):
        found.setdefault(g, (int(n), {}))[1][int(k)] = max(float(s), 0.0) / 60.0
    return found


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
    """(how many match, one page of them newest first: opened_at desc, then id desc)."""
    conditions = where.conditions()
    total = conn.scalar(select(func.count()).select_from(IncidentRow).where(*conditions)) or 0
    query = (select(*LIST_COLUMNS).where(*conditions)
             .order_by(IncidentRow.opened_at.desc(), IncidentRow.id.desc()).offset(offset).limit(limit))
    return int(total), conn.execute(query).all()


def incident_components(conn: Connection, limit: int) -> list[str]:
    """The components incidents are linked to (for the filter's choices), by name."""
    query = (select(IncidentRow.component).where(IncidentRow.component.is_not(None))
             .group_by(IncidentRow.component).order_by(IncidentRow.component).limit(limit))
    return [str(name) for name in conn.scalars(query)]
