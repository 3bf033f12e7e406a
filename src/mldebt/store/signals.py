"""Tickets, feedback responses and store events: idempotent writes and the queries behind the reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from mldebt.domain.incident import FeedbackResponse, StoreEvent, Ticket
from mldebt.store.ingest_tables import FeedbackRow, IncidentRow, StoreEventRow, TicketRow
from mldebt.store.raw_events import insert_or_ignore

KnownTickets = dict[tuple[str, str], TicketRow]


def load_tickets(session: Session, keys: set[tuple[str, str]]) -> KnownTickets:
    if not keys:
        return {}
    query = select(TicketRow).where(tuple_(TicketRow.source, TicketRow.external_id).in_(sorted(keys)))
    return {(row.source, row.external_id): row for row in session.scalars(query)}


def upsert_ticket(session: Session, ticket: Ticket, component: str | None, category: str,
                  known: KnownTickets | None = None) -> bool:
    """Insert, or update when this version is newer; True when something changed."""
    if known is None:
        known = load_tickets(session, {(ticket.source, ticket.external_id)})
    row = known.get((ticket.source, ticket.external_id))
    fields: dict[str, Any] = {
        "subject": ticket.subject[:2000], "status": ticket.status, "priority": ticket.priority, "type": ticket.type,
        "tags": list(ticket.tags), "category": category, "attributes": {"channel": ticket.attributes.get("channel")},
        "order_id": ticket.order_id, "created_at": ticket.created_at, "updated_at": ticket.updated_at,
    }
    if row is None:
        row = TicketRow(source=ticket.source, external_id=ticket.external_id, component=component, **fields)
        session.add(row)
        known[(ticket.source, ticket.external_id)] = row
        return True
    stored = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=dt.UTC)
    if ticket.updated_at < stored:
        return False
    for key, value in fields.items():
        setattr(row, key, value)
    if component is not None:
        row.component = component
    return True


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


def insert_new(session: Session, table: Any, key: str, rows: list[dict[str, Any]]) -> set[str]:
    """Insert rows whose unique `key` is not stored yet (one statement); returns the keys inserted."""
    if not rows:
        return set()
    statement = insert_or_ignore(session.get_bind().dialect.name, table.__table__, [key])
    return {row[0] for row in session.execute(statement, rows)}


def insert_feedback(session: Session, response: FeedbackResponse, component: str | None, score: float | None) -> bool:
    return bool(insert_new(session, FeedbackRow, "response_id", [feedback_values(response, component, score)]))


def insert_store_event(session: Session, event: StoreEvent, component: str | None) -> bool:
    return bool(insert_new(session, StoreEventRow, "event_hash", [store_event_values(event, component)]))


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
