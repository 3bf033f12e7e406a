"""Tickets, feedback responses and store events: idempotent writes and the queries behind the reports."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Connection, Select, bindparam, insert, select, update
from sqlalchemy.orm import Session

from mldebt.domain.incident import FeedbackResponse, StoreEvent, Ticket
from mldebt.store.bulk import insert_rows, member_of
from mldebt.store.ingest_tables import FeedbackRow, IncidentRow, StoreEventRow, TicketRow

TICKETS = TicketRow.metadata.tables[TicketRow.__tablename__]  # the Table: `__table__` is typed as any FromClause
_INSERT_TICKET = insert(TICKETS)
_TICKET_FIELDS = ("subject", "status", "priority", "type", "tags", "category", "attributes", "order_id",
                  "created_at", "updated_at", "component")


@functools.cache
def _load_tickets(dialect: str) -> Any:
    return (select(TICKETS.c.id, TICKETS.c.source, TICKETS.c.external_id, TICKETS.c.updated_at, TICKETS.c.component)
            .where(member_of(TICKETS.c.source, "sources", dialect), member_of(TICKETS.c.external_id, "ids", dialect)))


_UPDATE_TICKET = (update(TICKETS).where(TICKETS.c.id == bindparam("b_id"))
                  .values({name: bindparam(f"b_{name}") for name in _TICKET_FIELDS}))


class TicketBatch:
    """Ticket versions of one batch, applied in memory and written with two statements (see
    `incident_batch` for why): a newer version replaces the stored one, an older one changes nothing."""

    def __init__(self) -> None:
        self._stored: dict[tuple[str, str], dict[str, Any]] = {}   # key -> {"id", "updated_at"}
        self._pending: dict[tuple[str, str], dict[str, Any]] = {}  # key -> the row to write

    def load(self, connection: Connection, keys: set[tuple[str, str]]) -> None:
        if not keys:
            return
        query = {"sources": sorted({s for s, _ in keys}), "ids": sorted({e for _, e in keys})}
        rows = connection.execute(_load_tickets(connection.dialect.name), query)
        for row_id, source, external_id, updated_at, component in rows:
            if (source, external_id) not in keys:
                continue
            self._stored[(source, external_id)] = {"id": row_id, "updated_at": updated_at,
                                                   "component": component}

    def apply(self, ticket: Ticket, component: str | None, category: str) -> bool:
        """Take this version unless an older one; True when something changed."""
        key = (ticket.source, ticket.external_id)
        current = self._pending.get(key) or self._stored.get(key)
        if current is not None and ticket.updated_at < current["updated_at"]:
            return False
        row: dict[str, Any] = {
            "subject": ticket.subject[:2000], "status": ticket.status, "priority": ticket.priority,
            "type": ticket.type, "tags": list(ticket.tags), "category": category,
            "attributes": {"channel": ticket.attributes.get("channel")}, "order_id": ticket.order_id,
            "created_at": ticket.created_at, "updated_at": ticket.updated_at,
            "component": component if component is not None else (current or {}).get("component")}
        self._pending[key] = row
        return True

    def write(self, connection: Connection) -> None:
        fresh = [{"source": k[0], "external_id": k[1], **row} for k, row in self._pending.items()
                 if k not in self._stored]
        if fresh:
            connection.execute(_INSERT_TICKET, fresh)
        changed = [{"b_id": self._stored[k]["id"], **{f"b_{n}": row[n] for n in _TICKET_FIELDS}}
                   for k, row in self._pending.items() if k in self._stored]
        if changed:
            connection.execute(_UPDATE_TICKET, changed)


def feedback_values(response: FeedbackResponse, component: str | None, score: float | None) -> dict[str, Any]:
    return {"response_id": response.response_id, "poll_id": response.poll_id, "slide_id": response.slide_id,
            "participant_id": response.participant_id, "answer": response.answer, "value_type": response.value_type,
            "score": score, "order_value": response.order_value, "component": component,
            "attributes": {k: v for k, v in response.attributes.items() if isinstance(v, str)},
            "created_at": response.created_at}


def store_event_values(event: StoreEvent, component: str | None) -> dict[str, Any]:
    return {"event_hash": event.event_hash, "scope": event.scope, "store_hash": event.store_hash,
            "resource_type": event.resource_type, "resource_id": event.resource_id, "component": component,
            "attributes": {k: v for k, v in event.attributes.items() if isinstance(v, str)}, "data": event.data,
            "order_total": None, "created_at": event.created_at}


def insert_new(connection: Connection, table: Any, key: str, rows: list[dict[str, Any]]) -> set[str]:
    """Insert rows whose unique `key` is not stored yet (one statement); returns the keys inserted."""
    ordered = sorted(rows, key=lambda row: row[key])  # one lock order for concurrent batches
    return set(insert_rows(connection, table.__table__, ordered, key, ignore_conflicts=True))


UNLINKED_TABLES: dict[str, Any] = {"incident": IncidentRow, "ticket": TicketRow, "feedback": FeedbackRow,
                                   "store_event": StoreEventRow}


def unlinked(session: Session, limit: int = 500) -> list[tuple[str, Any]]:
    """(kind, row) of everything that maps to no component, newest last."""
    rows: list[tuple[str, Any]] = []
    for kind, table in UNLINKED_TABLES.items():
        query: Select[Any] = select(table).where(table.component.is_(None)).order_by(table.id).limit(limit)
        rows.extend((kind, row) for row in session.scalars(query))
    return rows


def tickets(session: Session, since: dt.datetime | None = None) -> list[TicketRow]:
    query = select(TicketRow).order_by(TicketRow.created_at)
    if since is not None:
        query = query.where(TicketRow.created_at >= since)
    return list(session.scalars(query))


def feedback(session: Session, since: dt.datetime | None = None) -> list[FeedbackRow]:
    query = select(FeedbackRow).order_by(FeedbackRow.created_at)
    if since is not None:
        query = query.where(FeedbackRow.created_at >= since)
    return list(session.scalars(query))


def order_rows_without_total(session: Session) -> list[Any]:
    """Tickets and order events that name an order whose total is not known yet."""
    found: list[Any] = list(session.scalars(select(TicketRow).where(TicketRow.order_id.is_not(None),
                                                                    TicketRow.order_total.is_(None))))
    found += list(session.scalars(select(StoreEventRow).where(StoreEventRow.scope.like("store/order/%"),
                                                              StoreEventRow.order_total.is_(None))))
    return found
