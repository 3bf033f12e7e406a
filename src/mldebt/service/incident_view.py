"""What the dashboard's incidents page shows: the weekly timeline, MTTR per component and category,
the recurring failures and one page of the incident list, as plain data (the page draws it).

Everything reads a bounded window or one page: the timeline is the last `WEEKS` weeks (the current
one included), counted per week by the database. MTTR (mean, median, 90th percentile, exact: the
same numbers as `service.incidents.mttr_report(since=...)`) reads the durations, computed by the
database, of the intervals opened in the last `MTTR_DAYS` days only, at most the newest
`MAX_MTTR_INTERVALS` of them: a median needs every duration, so its read is bounded. Recurring failures are the
open findings the recurrence rule stored (`mldebt incidents recurring`, or after each ingest run),
not a recount of every occurrence on each page view.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from mldebt.domain.incident import Category
from mldebt.errors import UserInputError
from mldebt.metrics.mttr import percentile
from mldebt.metrics.recurring import RULE_ID as RECURRING_RULE
from mldebt.metrics.recurring import SOURCE as RECURRING_SOURCE
from mldebt.service.incidents import UNLINKED
from mldebt.store import incident_queries as queries
from mldebt.store.database import Store
from mldebt.store.incident_queries import IncidentFilter

WEEKS = 26
MTTR_DAYS = 30  # the intervals MTTR reads one by one (a median needs them): a recent month...
MAX_MTTR_INTERVALS = 5_000  # ...or its newest 5,000 intervals, so the read stays bounded at any volume
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


REOPENED = "reopened (any category)"


@dataclass(frozen=True)
class Timeline:
    labels: list[str]
    series: dict[str, list[int]]  # category -> incidents first opened per week, most frequent category first
    reopened: list[int]  # per week, outage intervals that reopened an earlier incident
    total: int  # incidents first opened in the window

    def chart_series(self) -> dict[str, list[int]]:
        """The categories, then the reopenings when there are any."""
        return {**self.series, **({REOPENED: self.reopened} if any(self.reopened) else {})}


def timeline(store: Store, now: dt.datetime, weeks: int = WEEKS) -> Timeline:
    """Incidents first opened per week and category over the window (the last week ends now), and
    the reopenings per week (intervals opened minus incidents first opened)."""
    start = window_start(now, weeks)
    boundaries = [start + dt.timedelta(weeks=k) for k in range(weeks)] + [now]
    with store.session() as session:
        rows = queries.opened_per_week(session.connection(), boundaries)
        outages = queries.intervals_per_week(session.connection(), boundaries)
    series: dict[str, list[int]] = {}
    for week, category, n in rows:
        series.setdefault(category, [0] * weeks)[week] += n
    ordered = dict(sorted(series.items(), key=lambda item: (-sum(item[1]), item[0])))
    reopened = [0] * weeks  # an incident's first interval opens when it does: the rest are reopenings
    for week, n in outages:
        reopened[week] += n
    first = [sum(values[k] for values in ordered.values()) for k in range(weeks)]
    return Timeline(week_labels(start, weeks), ordered, [max(0, r - f) for r, f in zip(reopened, first, strict=True)],
                    sum(first))


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


def mttr_row(group: str, minutes: list[float | None]) -> MttrRow:
    """metrics.mttr's statistics (mean, median, linear-interpolation p90) of one group's intervals."""
    timed = [m for m in minutes if m is not None]
    if not timed:
        return MttrRow(group, len(minutes), 0, len(minutes), None, None, None)
    return MttrRow(group, len(minutes), len(timed), len(minutes) - len(timed), statistics.fmean(timed),
                   statistics.median(timed), percentile(timed, 90.0))


@dataclass(frozen=True)
class MttrTables:
    since: dt.datetime
    by_component: list[MttrRow]
    by_category: list[MttrRow]
    capped: bool = False  # the window held more than `most` intervals: `since` is later than `days` ago
    most: int = MAX_MTTR_INTERVALS


def mttr_tables(store: Store, now: dt.datetime, days: int = MTTR_DAYS,
                most: int = MAX_MTTR_INTERVALS) -> MttrTables:
    """MTTR of the intervals opened in the last `days` days, or of the newest `most` of them when there
    are more (the window then starts later: `since` says where), per component and per category: the
    same numbers as `service.incidents.mttr_report(by, since=since)`."""
    since = now - dt.timedelta(days=days)
    with store.session() as session:
        conn = session.connection()
        cutoff = queries.newest_cutoff(conn, since, most)
        capped = cutoff is not None
        since = cutoff or since
        rows = queries.interval_minutes(conn, since)
    by_component: dict[str, list[float | None]] = {}
    by_category: dict[str, list[float | None]] = {}
    for component, category, minutes in rows:
        by_component.setdefault(component or UNLINKED, []).append(minutes)
        by_category.setdefault(category, []).append(minutes)
    return MttrTables(since, [mttr_row(g, m) for g, m in sorted(by_component.items())],
                      [mttr_row(g, m) for g, m in sorted(by_category.items())], capped, most)


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


def incident_list(store: Store, where: IncidentFilter, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, one page newest first): id, title, component, category, source, level, opened
    (first), resolved (last), reopens, intervals and the outage minutes summed over the resolved
    intervals (not the span from first opening to last resolution, which counts the quiet time between)."""
    with store.session() as session:
        conn = session.connection()
        total, rows = queries.incident_page(conn, where, offset, limit)
        outages = queries.outage_minutes(conn, [r.id for r in rows])
    return total, [{"id": r.id, "title": r.title, "component": r.component, "category": r.category,
                    "source": r.source, "level": r.level, "opened_at": r.opened_at, "resolved_at": r.resolved_at,
                    "reopens": r.reopen_count, "intervals": outages.get(r.id, (0, 0.0))[0],
                    "outage_minutes": outages.get(r.id, (0, 0.0))[1]} for r in rows]


def component_choices(store: Store) -> list[str]:
    with store.session() as session:
        return queries.component_names(session.connection(), MAX_COMPONENT_CHOICES)
