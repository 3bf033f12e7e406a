"""Quarterly reviews: the quarter's KPIs and backlog frozen once, so later reports trend against them.

A quarter is frozen once: a second freeze is a conflict naming when and by whom the first was taken,
because a review is history, and a later edit of an item (or a re-run) must not rewrite what the
board saw. `compute_kpis` then reads the previous quarter's values from its snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mldebt.errors import ConflictError, NotFoundError
from mldebt.metrics.kpis import parse_quarter
from mldebt.service.kpis import compute_kpis
from mldebt.store.database import Store
from mldebt.store.debt import MAX_PAGE, list_items
from mldebt.store.debt_tables import DebtItemRow, ReviewSnapshotRow

MAX_ACTOR_CHARS = 200
BACKLOG_FIELDS = ("id", "key", "title", "category", "component", "source", "severity", "status", "owner",
                  "effort_low_hours", "effort_high_hours", "evidence_count", "risk", "interest_low", "interest_high",
                  "interest_hours", "priority", "priority_low", "priority_high", "currency")


def _item(row: DebtItemRow) -> dict[str, Any]:
    item = {name: getattr(row, name) for name in BACKLOG_FIELDS}
    for name in ("first_seen_at", "created_at", "scored_at"):
        value = getattr(row, name)
        item[name] = value.isoformat() if value else None
    return item


def _backlog(session: Session, now: dt.datetime) -> dict[str, Any]:
    """The active items as they are now, in priority order, with their scores."""
    items: list[dict[str, Any]] = []
    while True:
        page, total = list_items(session, limit=MAX_PAGE, offset=len(items))
        items.extend(_item(row) for row in page)
        if not page or len(items) >= total:
            break
    return {"taken_at": now.isoformat(), "total": len(items), "items": items}


def review_dict(row: ReviewSnapshotRow, with_backlog: bool = True) -> dict[str, Any]:
    review: dict[str, Any] = {"quarter": row.quarter, "taken_at": row.taken_at.isoformat(), "actor": row.actor,
                              "kpis": row.kpis}
    backlog = row.backlog if isinstance(row.backlog, dict) else {}
    review["backlog"] = backlog if with_backlog else {"total": backlog.get("total")}
    return review


def _conflict(row: ReviewSnapshotRow) -> ConflictError:
    return ConflictError(f"quarter {row.quarter} was already frozen on {row.taken_at:%Y-%m-%d %H:%M} UTC by "
                         f"{row.actor}; a frozen review cannot be rewritten")


def _frozen(session: Session, quarter: str) -> ReviewSnapshotRow | None:
    return session.scalar(select(ReviewSnapshotRow).where(ReviewSnapshotRow.quarter == quarter))


def freeze_review(store: Store, quarter: str, now: dt.datetime, actor: str) -> dict[str, Any]:
    """Freeze `quarter`'s KPIs and the active backlog; ConflictError when the quarter is frozen already."""
    name = str(parse_quarter(quarter, now))
    actor = (actor.strip() or "unknown")[:MAX_ACTOR_CHARS]
    with store.session() as session:
        existing = _frozen(session, name)
        if existing is not None:
            raise _conflict(existing)
    kpis = compute_kpis(store, name, now).to_dict()
    try:
        with store.session() as session:
            existing = _frozen(session, name)
            if existing is not None:
                raise _conflict(existing)
            row = ReviewSnapshotRow(quarter=name, taken_at=now, actor=actor, kpis=kpis,
                                    backlog=_backlog(session, now))
            session.add(row)
            session.flush()
            frozen = review_dict(row)
    except IntegrityError:  # another process froze it between our check and our insert
        with store.session() as session:
            winner = _frozen(session, name)
            if winner is None:
                raise
            raise _conflict(winner) from None
    return frozen


def get_review(store: Store, quarter: str) -> dict[str, Any]:
    name = str(parse_quarter(quarter))
    with store.session() as session:
        row = _frozen(session, name)
        if row is None:
            raise NotFoundError(f"quarter {name} has not been frozen (`mldebt review --quarter {name}`)")
        return review_dict(row)


def list_reviews(store: Store) -> list[dict[str, Any]]:
    """Frozen reviews, oldest quarter first, without their backlog (its item count only)."""
    with store.session() as session:
        rows = session.scalars(select(ReviewSnapshotRow).order_by(ReviewSnapshotRow.quarter))
        return [review_dict(row, with_backlog=False) for row in rows]
