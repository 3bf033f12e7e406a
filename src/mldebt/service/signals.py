"""Per-component view of tickets, feedback and store events: AI-linked tickets, satisfaction, revenue at risk.

A ticket counts as "linked to an AI error" when the inventory's rules map it to a component. Revenue
at risk sums the order totals (fetched from BigCommerce) of linked tickets and of order events whose
status moved to refunded, cancelled, declined, manual verification or disputed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mldebt.store import signals as signal_store
from mldebt.store.database import Store
from mldebt.store.ingest_tables import StoreEventRow

AT_RISK_STATUS_IDS = {4, 5, 6, 12, 13}


@dataclass
class ComponentSignals:
    component: str
    tickets: int = 0
    open_tickets: int = 0
    responses: int = 0
    satisfaction: float | None = None
    store_events: int = 0
    revenue_at_risk: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "tickets": self.tickets, "open_tickets": self.open_tickets,
                "responses": self.responses,
                "satisfaction": None if self.satisfaction is None else round(self.satisfaction, 3),
                "store_events": self.store_events, "revenue_at_risk": round(self.revenue_at_risk, 2)}


def order_at_risk(scope: str, data: Any) -> bool:
    """An order event that puts the order's revenue at risk: a refund, or a move to an at-risk status."""
    status = data.get("status") if isinstance(data, dict) else None
    new = status.get("new_status_id") if isinstance(status, dict) else None
    return scope == "store/order/refund/created" or (isinstance(new, int) and new in AT_RISK_STATUS_IDS)


def _at_risk(event: StoreEventRow) -> bool:
    return order_at_risk(event.scope, event.data)


def component_signals(store: Store, since: dt.datetime | None = None) -> list[ComponentSignals]:
    rows: dict[str, ComponentSignals] = {}

    def row(component: str) -> ComponentSignals:
        return rows.setdefault(component, ComponentSignals(component))

    with store.session() as session:
        for ticket in signal_store.tickets(session, since):
            if ticket.component is None:
                continue
            r = row(ticket.component)
            r.tickets += 1
            r.open_tickets += ticket.status not in ("solved", "closed")
            r.revenue_at_risk += ticket.order_total or 0.0
        scores: dict[str, list[float]] = {}
        for response in signal_store.feedback(session, since):
            if response.component is None:
                continue
            row(response.component).responses += 1
            if response.score is not None:
                scores.setdefault(response.component, []).append(response.score)
        query = select(StoreEventRow).where(StoreEventRow.component.is_not(None))
        if since is not None:
            query = query.where(StoreEventRow.created_at >= since)
        for event in session.scalars(query):
            r = row(str(event.component))
            r.store_events += 1
            if _at_risk(event):
                r.revenue_at_risk += event.order_total or 0.0
    for component, values in scores.items():
        rows[component].satisfaction = statistics.fmean(values)
    return [rows[name] for name in sorted(rows)]
