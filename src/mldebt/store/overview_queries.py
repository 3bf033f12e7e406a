"""The overview's queries: open debt per week, the latest drift alerts, the latest incidents.

Each is one bounded SQL statement: the weekly series is a single pass over `debt_items` with one
conditional sum per week (no Python loop over rows), the two lists are top-N by time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from mldebt.domain.debt import DebtStatus
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.ingest_tables import IncidentRow
from mldebt.store.models import DriftRunRow

MAX_WEEKS = 104
MAX_LATEST = 50


def open_debt_by_week(session: Session, week_ends: Sequence[dt.datetime]) -> list[tuple[int, float, float]]:
    """For each moment: (items first seen by then and not resolved by then, their interest low, high).

    Interest is each item's current weekly interest (the last rebuild's score): the store keeps no
    history of scores, so the past is priced at today's rates. Accepted debt is left out.
    """
    if not 0 < len(week_ends) <= MAX_WEEKS:
        raise ValueError(f"between 1 and {MAX_WEEKS} weeks, not {len(week_ends)}")
    item = DebtItemRow
    columns: list[Any] = []
    for end in week_ends:
        open_then = and_(item.first_seen_at <= end, or_(item.resolved_at.is_(None), item.resolved_at > end))
        columns += [func.coalesce(func.sum(case((open_then, 1), else_=0)), 0),
                    func.coalesce(func.sum(case((open_then, item.interest_low), else_=0.0)), 0.0),
                    func.coalesce(func.sum(case((open_then, item.interest_high), else_=0.0)), 0.0)]
    row = session.execute(select(*columns).where(item.status != str(DebtStatus.ACCEPTED))).one()
    return [(int(row[i]), float(row[i + 1]), float(row[i + 2])) for i in range(0, len(columns), 3)]


def debt_currency(session: Session) -> str:
    """The currency of the highest-priority item (one inventory prices all its debt in one currency)."""
    currency = session.scalar(select(DebtItemRow.currency).order_by(DebtItemRow.priority.desc()).limit(1))
    return currency or "USD"


def latest_drift_alerts(session: Session, limit: int) -> list[DriftRunRow]:
    """The latest runs that found dataset drift, newest first."""
    return list(session.scalars(select(DriftRunRow).where(DriftRunRow.dataset_drift.is_(True))
                                .order_by(DriftRunRow.created_at.desc(), DriftRunRow.id.desc())
                                .limit(min(limit, MAX_LATEST))))


def latest_incidents(session: Session, limit: int) -> list[IncidentRow]:
    """The latest incidents by when they opened, newest first."""
    return list(session.scalars(select(IncidentRow).order_by(IncidentRow.opened_at.desc(), IncidentRow.id.desc())
                                .limit(min(limit, MAX_LATEST))))
