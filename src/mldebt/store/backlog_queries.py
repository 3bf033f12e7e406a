"""Reads of the backlog pages: the filter choices (one bounded DISTINCT each) and the findings an item cites.

The choices are read from `debt_items` itself, so a component or owner offered in a filter always
matches at least one item; each list is capped (`MAX_CHOICES`) so a huge backlog cannot make a huge
form. The DISTINCTs walk `ix_debt_items_component` and an index on `owner` (see docs/dashboard.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.models import FindingRow

MAX_CHOICES = 500


@dataclass(frozen=True)
class CitedFinding:
    """What a link to a finding needs: where the scan page (or the drift, incident page) shows it."""

    id: int
    source: str
    rule_id: str
    component: str
    file: str | None
    line: int | None


def item_components(session: Session, limit: int = MAX_CHOICES) -> list[str]:
    query = select(DebtItemRow.component).distinct().order_by(DebtItemRow.component).limit(limit)
    return list(session.scalars(query))


def item_owners(session: Session, limit: int = MAX_CHOICES) -> list[str]:
    query = (select(DebtItemRow.owner).where(DebtItemRow.owner.is_not(None)).distinct()
             .order_by(DebtItemRow.owner).limit(limit))
    return [owner for owner in session.scalars(query) if owner]


def cited_findings(session: Session, ids: Sequence[int]) -> dict[int, CitedFinding]:
    """The findings of `ids` (an item keeps at most 50) in one query, by id."""
    if not ids:
        return {}
    query = select(FindingRow.id, FindingRow.source, FindingRow.rule_id, FindingRow.component, FindingRow.file,
                   FindingRow.line).where(FindingRow.id.in_(sorted(set(ids))))
    return {row.id: CitedFinding(row.id, row.source, row.rule_id, row.component, row.file, row.line)
            for row in session.execute(query)}
