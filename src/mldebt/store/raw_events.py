"""Raw deliveries: append, claim the delivery key, list, and the status moves replay makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Delete, Insert, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mldebt.store.ingest_tables import DeliveryKeyRow, RawEventRow

ACCEPTED, DUPLICATE, REJECTED, FAILED, PARSED = "accepted", "duplicate", "rejected", "failed", "parsed"
STATUSES = (ACCEPTED, DUPLICATE, REJECTED, FAILED, PARSED)


@dataclass(frozen=True)
class RawEvent:
    """A delivery as it is written: everything but the id."""

    source: str
    delivery_id: str | None
    headers: dict[str, Any]
    body: bytes
    received_at: dt.datetime
    verification: str
    status: str
    kind: str | None = None
    error: str | None = None


def append(session: Session, event: RawEvent) -> int:
    """Insert one raw event; returns its id."""
    values = {**event.__dict__, "parsed_at": None}
    return int(session.execute(insert(RawEventRow).values(**values).returning(RawEventRow.id)).scalar_one())


def insert_ignoring_conflicts(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; True when the row was inserted."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    core = table.__table__
    key = next(iter(core.primary_key.columns))
    statement: Insert = module.insert(core).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


def claim(session: Session, source: str, delivery_id: str, raw_event_id: int) -> bool:
    """Claim (source, delivery_id) for this raw event; False when an earlier delivery holds it."""
    return insert_ignoring_conflicts(session, DeliveryKeyRow, {"source": source, "delivery_id": delivery_id,
                                                               "raw_event_id": raw_event_id})


def set_status(session: Session, raw_id: int, status: str, error: str | None = None,
               parsed_at: dt.datetime | None = None, delivery_id: str | None = None, kind: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "error": error, "parsed_at": parsed_at}
    if delivery_id is not None:
        values["delivery_id"] = delivery_id
    if kind is not None:
        values["kind"] = kind
    session.execute(update(RawEventRow).where(RawEventRow.id == raw_id).values(**values))


def list_events(session: Session, status: str | None = None, source: str | None = None,
                limit: int = 100, offset: int = 0) -> list[RawEventRow]:
    query = select(RawEventRow).order_by(RawEventRow.id.desc()).limit(limit).offset(offset)
    if status is not None:
        query = query.where(RawEventRow.status == status)
    if source is not None:
        query = query.where(RawEventRow.source == source)
    return list(session.scalars(query))


def events_to_replay(session: Session, source: str | None, statuses: Sequence[str]) -> list[RawEventRow]:
    query = select(RawEventRow).where(RawEventRow.status.in_(statuses)).order_by(RawEventRow.id)
    if source is not None:
        query = query.where(RawEventRow.source == source)
    return list(session.scalars(query))


def counts(session: Session) -> dict[str, dict[str, int]]:
    """{source: {status: count}}."""
    result: dict[str, dict[str, int]] = {}
    query = select(RawEventRow.source, RawEventRow.status, func.count()).group_by(RawEventRow.source,
                                                                                  RawEventRow.status)
    for source, status, count in session.execute(query):
        result.setdefault(source, {})[status] = count
    return result


def delete_claim(source: str, delivery_id: str, raw_event_id: int) -> Delete:
    """A statement releasing the key held by this very raw event (replay of an `accepted` one re-claims it)."""
    return delete(DeliveryKeyRow).where(DeliveryKeyRow.source == source, DeliveryKeyRow.delivery_id == delivery_id,
                                        DeliveryKeyRow.raw_event_id == raw_event_id)
