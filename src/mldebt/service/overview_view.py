"""What the overview shows besides the KPIs and the top of the backlog: open debt over the last
weeks, the latest drift alerts and the latest incidents, as plain data for the page to draw."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mldebt.store.database import Store
from mldebt.store.overview_queries import latest_drift_alerts, latest_incidents, open_debt_by_week

WEEKS = 26
LATEST = 5


@dataclass(frozen=True)
class DebtWeek:
    """Open debt at the end of one week, priced at today's interest rates."""

    ends: dt.date
    items: int
    interest_low: float
    interest_high: float


def week_ends(now: dt.datetime, weeks: int = WEEKS) -> list[dt.datetime]:
    """`weeks` moments a week apart, oldest first, the last one being `now`."""
    return [now - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def debt_over_time(store: Store, now: dt.datetime, weeks: int = WEEKS) -> list[DebtWeek]:
    """The open items and their weekly interest at the end of each of the last `weeks` weeks, oldest first."""
    ends = week_ends(now, weeks)
    with store.session() as session:
        counts = open_debt_by_week(session, ends)
    return [DebtWeek(end.date(), n, low, high) for end, (n, low, high) in zip(ends, counts, strict=True)]


def drift_alerts(store: Store, limit: int = LATEST) -> list[dict[str, Any]]:
    """The latest drift runs that found dataset drift, newest first."""
    with store.session() as session:
        return [{"id": r.id, "component": r.component, "created_at": r.created_at, "drift_share": r.drift_share,
                 "drifted_columns": [str(c) for c in (r.drifted_columns or [])][:20]}
                for r in latest_drift_alerts(session, limit)]


def recent_incidents(store: Store, limit: int = LATEST) -> list[dict[str, Any]]:
    """The latest incidents by opening time, newest first."""
    with store.session() as session:
        return [{"id": r.id, "source": r.source, "component": r.component, "category": r.category, "title": r.title,
                 "opened_at": r.opened_at, "resolved_at": r.resolved_at}
                for r in latest_incidents(session, limit)]
