"""Debt item repository: create, change (with history), find and list items.

Every change of an item goes through `change_item`, which records who changed which field from
what to what; nothing else writes `debt_items` columns a person can see, so the history is complete.
Score columns written by a rebuild (`risk`, `interest_*`, `priority*`, `breakdown`, `scored_at`)
are not history: they are recomputed from the evidence each time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mldebt.domain.debt import ACTIVE_STATUSES, DebtStatus
from mldebt.store.debt_tables import DebtItemChangeRow, DebtItemRow

SCORE_FIELDS = ("risk", "interest_low", "interest_high", "interest_hours", "priority", "priority_low",
                "priority_high", "currency", "breakdown", "scored_at")
MAX_PAGE = 500


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def add_item(session: Session, values: dict[str, Any], actor: str, at: dt.datetime,
             note: str | None = None) -> DebtItemRow:
    """Insert an item and its `created` history entry."""
    row = DebtItemRow(created_by=actor, created_at=at, updated_at=at, **values)
    session.add(row)
    session.flush()
    shown = {k: [None, _jsonable(v)] for k, v in values.items() if k not in SCORE_FIELDS and k != "evidence"}
    session.add(DebtItemChangeRow(item_id=row.id, at=at, actor=actor, action="created", changes=shown, note=note))
    return row


def change_item(session: Session, row: DebtItemRow, values: dict[str, Any], actor: str, at: dt.datetime,
                action: str = "updated", note: str | None = None) -> dict[str, list[Any]]:
    """Set the fields that differ and record them; returns {field: [old, new]} (empty: nothing changed)."""
    changed: dict[str, list[Any]] = {}
    for name, value in values.items():
        old = getattr(row, name)
        if old == value:
            continue
        setattr(row, name, value)
        if name not in SCORE_FIELDS and name != "evidence":
            changed[name] = [_jsonable(old), _jsonable(value)]
        elif name == "evidence":
            changed.setdefault("evidence_count", [row.evidence_count, row.evidence_count])
    if changed:
        row.updated_at = at
        session.add(DebtItemChangeRow(item_id=row.id, at=at, actor=actor, action=action, changes=changed,
                                      note=note))
    return changed


def items_by_key(session: Session, keys: Sequence[str] | None = None) -> dict[str, DebtItemRow]:
    query = select(DebtItemRow)
    if keys is not None:
        query = query.where(DebtItemRow.key.in_(list(keys)))
    return {row.key: row for row in session.scalars(query)}


def get_item(session: Session, item_id: int) -> DebtItemRow | None:
    return session.get(DebtItemRow, item_id)


def item_history(session: Session, item_id: int) -> list[DebtItemChangeRow]:
    query = select(DebtItemChangeRow).where(DebtItemChangeRow.item_id == item_id).order_by(DebtItemChangeRow.id)
    return list(session.scalars(query))


def _filtered(query: Select[Any], component: str | None, category: str | None,
              statuses: Sequence[str] | None, owner: str | None = None) -> Select[Any]:
    if component is not None:
        query = query.where(DebtItemRow.component == component)
    if category is not None:
        query = query.where(DebtItemRow.category == category)
    if owner is not None:
        query = query.where(DebtItemRow.owner == owner)
    wanted = list(statuses) if statuses is not None else [str(s) for s in ACTIVE_STATUSES]
    return query.where(DebtItemRow.status.in_(wanted))


def list_items(session: Session, component: str | None = None, category: str | None = None,
               statuses: Sequence[str] | None = None, limit: int = 50, offset: int = 0, owner: str | None = None
               ) -> tuple[list[DebtItemRow], int]:
    """A page of items by priority (highest first; ties by risk, then oldest); and the total matching.

    Without `statuses` only active items (open, planned, in progress) are listed; `owner` keeps one
    owner's items. One COUNT and one LIMIT query, whatever the size of the backlog."""
    limit = max(1, min(limit, MAX_PAGE))
    # The page's ids first (the sort handles three narrow columns, not rows with their JSON), then those rows.
    query = _filtered(select(DebtItemRow.id), component, category, statuses, owner)
    query = query.order_by(DebtItemRow.priority.desc(), DebtItemRow.risk.desc(), DebtItemRow.id)
    total = session.scalar(_filtered(select(func.count()).select_from(DebtItemRow), component, category, statuses,
                                     owner))
    ids = list(session.scalars(query.limit(limit).offset(max(0, offset))))
    rows = {row.id: row for row in session.scalars(select(DebtItemRow).where(DebtItemRow.id.in_(ids)))} if ids else {}
    return [rows[item_id] for item_id in ids], int(total or 0)


def active_statuses() -> list[str]:
    return [str(s) for s in ACTIVE_STATUSES]


STATUS_NAMES = tuple(str(s) for s in DebtStatus)
