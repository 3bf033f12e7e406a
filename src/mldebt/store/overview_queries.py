"""The overview's queries: open debt per week, the latest drift alerts, the latest incidents.

Each is one bounded SQL statement: the weekly series is one GROUP BY over `debt_items` (by the week
an item appeared and the week it was resolved, so Python sums at most 27x27 groups, never rows), the
two lists are top-N by time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mldebt.domain.debt import DebtStatus
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.ingest_tables import IncidentRow
from mldebt.store.models import DriftRunRow

MAX_WEEKS = 104
MAX_LATEST = 50


def _week_bucket(column: Any, week_ends: Sequence[dt.datetime]) -> Any:
    """The index of the first moment at or after `column` (len(week_ends) when none is, or it is NULL)."""
    return case(*((column <= end, i) for i, end in enumerate(week_ends)), else_=len(week_ends))


def open_debt_by_week(session: Session, week_ends: Sequence[dt.datetime]) -> list[tuple[int, float, float]]:
    """For each moment (ascending): (items first seen by then and not resolved by then, their interest low, high).

    Interest is each item's current weekly interest (the last rebuild's score): the store keeps no
    history of scores, so the past is priced at today's rates. Accepted debt is left out. One GROUP BY
    on (the week an item appeared, the week it was resolved): at most (weeks + 1)^2 groups come back.
    """
    if not 0 < len(week_ends) <= MAX_WEEKS or list(week_ends) != sorted(week_ends):
        raise ValueError(f"between 1 and {MAX_WEEKS} moments in ascending order")
    item = DebtItemRow
    weeks = len(week_ends)
    seen = _week_bucket(item.first_seen_at, week_ends).label("seen")
    # Open at moment i while i < resolved's bucket, where a resolution exactly at moment i closes it at i.
    resolved = case((item.resolved_at.is_(None), weeks),
                    else_=_week_bucket(item.resolved_at, week_ends)).label("resolved")
    rows = session.execute(
        select(seen, resolved, func.count(), func.sum(item.interest_low), func.sum(item.interest_high))
        .where(item.status != str(DebtStatus.ACCEPTED)).group_by(seen, resolved)).all()
    series = [[0, 0.0, 0.0] for _ in range(weeks)]
    for first, last, count, low, high in rows:
        for i in range(int(first), min(int(last), weeks)):
            series[i][0] += int(count)
            series[i][1] += float(low or 0.0)
            series[i][2] += float(high or 0.0)
    return [(int(n), low, high) for n, low, high in series]


def latest_drift_alerts(session: Session, limit: int) -> list[DriftRunRow]:
    """The latest runs that found dataset drift, newest first."""
    return list(session.scalars(select(DriftRunRow).where(DriftRunRow.dataset_drift.is_(True))
                                .order_by(DriftRunRow.created_at.desc(), DriftRunRow.id.desc())
                                .limit(min(limit, MAX_LATEST))))


def latest_incidents(session: Session, limit: int) -> list[IncidentRow]:
    """The latest incidents by when they opened, newest first."""
    return list(session.scalars(select(IncidentRow).order_by(IncidentRow.opened_at.desc(), IncidentRow.id.desc())
                                .limit(min(limit, MAX_LATEST))))
