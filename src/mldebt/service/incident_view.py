"""What the dashboard's incidents page shows: the weekly timeline, MTTR per component and category,
the recurring failures and one page of the incident list, as plain data (the page draws it).

Everything reads a bounded window (the last `WEEKS` weeks, the current one included) or one page:
the weekly counts and the MTTR sums are GROUP BYs in the database; MTTR's median and 90th
percentile are exact order statistics ranked by the database (see `store.incident_queries`), the
same numbers as `service.incidents.mttr_report(since=window start)`. Recurring failures are the
open findings the recurrence rule stored (`mldebt incidents recurring`, or after each ingest run),
not a recount of every occurrence on each page view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mldebt.domain.incident import Category
from mldebt.errors import UserInputError
from mldebt.metrics.recurring import RULE_ID as RECURRING_RULE
from mldebt.metrics.recurring import SOURCE as RECURRING_SOURCE
from mldebt.service.incidents import UNLINKED
from mldebt.store import incident_queries as queries
from mldebt.store.database import Store
from mldebt.store.incident_queries import IncidentFilter, MttrTotals

WEEKS = 26
RECURRING_SHOWN = 20
MAX_COMPONENT_CHOICES = 500
MAX_NAME = 100  # characters of a component filter (the column's width)
STATUSES = ("open", "resolved")
SOURCES = ("alertmanager", "sentry")
CATEGORIES = tuple(str(c) for c in Category)
DAY_MINUTES, WEEK_MINUTES = 24 * 60.0, 7 * 24 * 60.0


def window_start(now: dt.datetime, weeks: int = WEEKS) -> dt.datetime:
    """Monday 00:00 UTC of the week `weeks - 1` weeks before the week of `now`."""
    today = now.astimezone(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    return dt.datetime.combine(monday - dt.timedelta(weeks=weeks - 1), dt.time(), dt.UTC)


def week_labels(start: dt.datetime, weeks: int = WEEKS) -> list[str]:
    """Each week named by its Monday (ISO date)."""
    return [(start + dt.timedelta(weeks=i)).date().isoformat() for i in range(weeks)]


def verdict(median_minutes: float | None) -> str | None:
    """Four Keys' colours of time to restore: good under a day, warning under a week, bad beyond."""
    if median_minutes is None:
        return None
    if median_minutes < DAY_MINUTES:
        return "good"
    return "warning" if median_minutes < WEEK_MINUTES else "bad"


@dataclass(frozen=True)
class Timeline:
    labels: list[str]
    series: dict[str, list[int]]  # category -> incidents opened per week, most frequent category first
    total: int


def timeline(store: Store, now: dt.datetime, weeks: int = WEEKS) -> Timeline:
    start = window_start(now, weeks)
    with store.session() as session:
        rows = queries.opened_per_week(session.connection(), start, now)
    series: dict[str, list[int]] = {}
    for week, category, n in rows:
        if 0 <= week < weeks:
            series.setdefault(category, [0] * weeks)[week] += n
    ordered = dict(sorted(series.items(), key=lambda item: (-sum(item[1]), item[0])))
    return Timeline(week_labels(start, weeks), ordered, sum(sum(v) for v in ordered.values()))


@dataclass(frozen=True)
class MttrRow:
    """MTTR of one group over the window, in minutes (None: nothing resolved)."""

    group: str
    intervals: int
    resolved: int
    open: int
    mean_minutes: float | None
    median_minutes: float | None
    p90_minutes: float | None

    @property
    def verdict(self) -> str | None:
        return verdict(self.median_minutes)

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "intervals": self.intervals, "resolved": self.resolved, "open": self.open,
                "mean_minutes": _round(self.mean_minutes), "median_minutes": _round(self.median_minutes),
                "p90_minutes": _round(self.p90_minutes), "verdict": self.verdict}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _interpolate(n: int, ranks: dict[int, float], q: float) -> float:
    """metrics.mttr.percentile from the two order statistics it reads."""
    position = (n - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, n - 1)
    return ranks[low] + (ranks[high] - ranks[low]) * (position - low)


def _label(group: str | None) -> str:
    return group if group is not None else UNLINKED


def _mttr_rows(totals: list[MttrTotals], by: str, ranks: dict[str | None, tuple[int, dict[int, float]]]
               ) -> list[MttrRow]:
    sums: dict[str | None, list[float]] = {}
    for t in totals:
        key = t.component if by == "component" else t.category
        acc = sums.setdefault(key, [0, 0, 0.0])
        acc[0] += t.intervals
        acc[1] += t.resolved
        acc[2] += t.resolved_minutes
    rows = []
    for key, (intervals, resolved, minutes) in sums.items():
        n, found = ranks.get(key, (0, {}))
        timed = resolved > 0 and n > 0
        rows.append(MttrRow(_label(key), int(intervals), int(resolved), int(intervals - resolved),
                            minutes / resolved if resolved else None,
                            _interpolate(n, found, 50.0) if timed else None,
                            _interpolate(n, found, 90.0) if timed else None))
    return sorted(rows, key=lambda r: r.group)


@dataclass(frozen=True)
class MttrTables:
    since: dt.datetime
    by_component: list[MttrRow]
    by_category: list[MttrRow]


def mttr_tables(store: Store, now: dt.datetime, weeks: int = WEEKS) -> MttrTables:
    """MTTR of the intervals opened in the window, per component and per category."""
    since = window_start(now, weeks)
    with store.session() as session:
        conn = session.connection()
        totals = queries.mttr_totals(conn, since)
        per_component = queries.mttr_order_statistics(conn, since, "component")
        per_category = queries.mttr_order_statistics(conn, since, "category")
    return MttrTables(since, _mttr_rows(totals, "component", per_component),
                      _mttr_rows(totals, "category", per_category))


@dataclass(frozen=True)
class Recurring:
    total: int
    findings: list[dict[str, Any]]


def recurring_failures(store: Store, limit: int = RECURRING_SHOWN) -> Recurring:
    """The open recurring-failure findings, most severe then newest, at most `limit`."""
    with store.session() as session:
        total, rows = queries.recurring_findings(session.connection(), RECURRING_SOURCE, RECURRING_RULE, limit)
    found = []
    for row in rows:
        evidence = row["evidence"] if isinstance(row["evidence"], dict) else {}
        incidents = [i for i in evidence.get("incidents", []) if isinstance(i, dict)]
        found.append({"id": row["id"], "component": row["component"], "severity": row["severity"],
                      "message": row["message"], "first_seen_at": row["first_seen_at"],
                      "kind": evidence.get("kind"), "occurrences": evidence.get("occurrences"),
                      "window_days": evidence.get("window_days"),
                      "categories": [str(c) for c in evidence.get("categories", [])][:10],
                      "last_incident": incidents[-1] if incidents else None})
    return Recurring(total, found)


def incident_filter(component: str | None, category: str | None, source: str | None,
                    status: str | None) -> IncidentFilter:
    """The list's filters from query values ("" = any), each checked with a message naming the bad value."""
    def choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
        if not value:
            return None
        if value not in allowed:
            raise UserInputError(f"{name}: {value[:40]!r} is not one of {', '.join(allowed)}")
        return value

    if component and len(component) > MAX_NAME:
        raise UserInputError(f"component: at most {MAX_NAME} characters, got {len(component)}")
    return IncidentFilter(component or None, choice("category", category, CATEGORIES),
                          choice("source", source, SOURCES), choice("status", status, STATUSES))


def duration_minutes(opened: dt.datetime, resolved: dt.datetime | None) -> float | None:
    return None if resolved is None else max(0.0, (resolved - opened).total_seconds() / 60.0)


def incident_list(store: Store, where: IncidentFilter, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, one page newest first): id, title, component, category, source, level, opened,
    resolved, duration in minutes (first opening to last resolution), reopens."""
    with store.session() as session:
        total, rows = queries.incident_page(session.connection(), where, offset, limit)
    return total, [{"id": r.id, "title": r.title, "component": r.component, "category": r.category,
                    "source": r.source, "level": r.level, "opened_at": r.opened_at, "resolved_at": r.resolved_at,
                    "duration_minutes": duration_minutes(r.opened_at, r.resolved_at), "reopens": r.reopen_count}
                   for r in rows]


def component_choices(store: Store) -> list[str]:
    with store.session() as session:
        return queries.incident_components(session.connection(), MAX_COMPONENT_CHOICES)
