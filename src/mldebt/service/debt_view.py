"""Debt items as plain data: the one shape the CLI's JSON, the API and the quarterly snapshot share.

`item_dict` turns a stored row into a dict (with its history when asked); `backlog_page` is a page of
the backlog in priority order with the total that matches its filters. Both only read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from mldebt.domain.debt import DebtCategory, DebtStatus
from mldebt.errors import NotFoundError, UserInputError
from mldebt.store import debt as debt_store
from mldebt.store.database import Store
from mldebt.store.debt_tables import DebtItemChangeRow, DebtItemRow

STATUS_NAMES = tuple(str(s) for s in DebtStatus)
CATEGORY_NAMES = tuple(str(c) for c in DebtCategory)
MAX_OFFSET = 10_000_000
MAX_OWNER_FILTER = 200  # the width of debt_items.owner


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def age_days(row: DebtItemRow, now: dt.datetime | None = None) -> int:
    """Whole days since the debt was first seen, up to its resolution when it is resolved."""
    end = row.resolved_at if row.status == DebtStatus.RESOLVED and row.resolved_at else (now or dt.datetime.now(dt.UTC))
    return max(0, (end - row.first_seen_at).days)


def change_dict(change: DebtItemChangeRow) -> dict[str, Any]:
    return {"at": change.at.isoformat(), "actor": change.actor, "action": change.action,
            "changes": dict(change.changes or {}), "note": change.note}


def item_dict(row: DebtItemRow, history: bool = False, now: dt.datetime | None = None) -> dict[str, Any]:
    """The item as JSON-ready data; `history` adds every change, oldest first (read in the row's session)."""
    data: dict[str, Any] = {
        "id": row.id, "key": row.key, "title": row.title, "category": row.category, "component": row.component,
        "source": row.source, "severity": row.severity, "status": row.status, "owner": row.owner,
        "description": row.description,
        "effort": {"low_hours": row.effort_low_hours, "high_hours": row.effort_high_hours},
        "evidence": list(row.evidence or []), "evidence_count": row.evidence_count,
        "rule_ids": list(row.rule_ids or []), "risk": row.risk,
        "interest": {"low": row.interest_low, "high": row.interest_high, "hours_per_week": row.interest_hours,
                     "currency": row.currency},
        "priority": {"value": row.priority, "low": row.priority_low, "high": row.priority_high},
        "breakdown": _breakdown(row), "scored_at": _iso(row.scored_at), "fixed_by": row.fixed_by,
        "accepted": {"reason": row.accepted_reason, "until": _iso(row.accepted_until)},
        "created_by": row.created_by, "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at),
        "first_seen_at": _iso(row.first_seen_at), "resolved_at": _iso(row.resolved_at),
        "age_days": age_days(row, now),
    }
    if history:
        data["history"] = [change_dict(change) for change in row.changes]
    return data


def check_statuses(statuses: Sequence[str] | None) -> list[str] | None:
    """The statuses to list, each one a known status (`UserInputError` naming the bad one)."""
    if statuses is None:
        return None
    wanted = []
    for status in statuses:
        if status not in STATUS_NAMES:
            raise UserInputError(f"status: unknown status {status!r}; expected one of {', '.join(STATUS_NAMES)}")
        wanted.append(status)
    return wanted or None


def check_category(category: str | None, field: str = "category") -> str | None:
    if category is not None and category not in CATEGORY_NAMES:
        raise UserInputError(f"{field}: unknown category {category!r}; expected one of {', '.join(CATEGORY_NAMES)}")
    return category


def check_owner(owner: str | None) -> str | None:
    """An owner to filter by, bounded like the stored column (`UserInputError` when longer)."""
    if owner is not None and len(owner) > MAX_OWNER_FILTER:
        raise UserInputError(f"owner: at most {MAX_OWNER_FILTER} characters, not {len(owner)}")
    return owner


def backlog_page(store: Store, component: str | None = None, category: str | None = None,
                 statuses: Sequence[str] | None = None, limit: int = 50, offset: int = 0,
                 now: dt.datetime | None = None, owner: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """A page of items by priority (highest first, ties by risk) and how many match; default: active items."""
    wanted = check_statuses(statuses)
    check_category(category)
    check_owner(owner)
    if not 1 <= limit <= debt_store.MAX_PAGE:
        raise UserInputError(f"limit: must be between 1 and {debt_store.MAX_PAGE}, not {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise UserInputError(f"offset: must be between 0 and {MAX_OFFSET}, not {offset}")
    with store.session() as session:
        rows, total = debt_store.list_items(session, component, category, wanted, limit, offset, owner)
        return [item_dict(row, now=now) for row in rows], total


def show_item(store: Store, item_id: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """One item with its history; `NotFoundError` when there is none."""
    with store.session() as session:
        row = debt_store.get_item(session, item_id) if -(2**62) < item_id < 2**62 else None
        if row is None:
            raise NotFoundError(f"no debt item {item_id}")
        return item_dict(row, history=True, now=now)


def _breakdown(row: DebtItemRow) -> dict[str, Any]:
    """The stored breakdown with the moment it holds for: `scored_at` (kept out of the stored JSON, so
    that a rebuild whose numbers did not change rewrites one timestamp, not every breakdown)."""
    breakdown = dict(row.breakdown or {})
    if breakdown:
        breakdown = {"as_of": _iso(row.scored_at), **breakdown}
    return breakdown
