"""Raw deliveries: append, claim the delivery key, list, and the status moves replay makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
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
    parsed_at: dt.datetime | None = None


def append(session: Session, event: RawEvent) -> int:
    """Insert one raw event; returns its id."""
    return append_many(session, [event])[0]


def append_many(session: Session, events: Sequence[RawEvent]) -> list[int]:
    """Insert raw events in one statement; returns their ids in order."""
    table = RawEventRow.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    rows = [dict(event.__dict__) for event in events]
    return [int(row[0]) for row in session.execute(statement, rows)]


_UPSERT_CACHE: dict[tuple[str, str], Any] = {}


def insert_or_ignore(dialect: str, table: Any, returning: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING, built once per dialect and table (statement building
    costs more than executing it)."""
    key = (dialect, table.name)
    if key not in _UPSERT_CACHE:
        module: Any = postgresql if dialect == "postgresql" else sqlite
        _UPSERT_CACHE[key] = module.insert(table).on_conflict_do_nothing().returning(
            *(table.c[name] for name in returning))
    return _UPSERT_CACHE[key]


def claim_many(session: Session, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Claim (source, delivery_id) keys in one statement; returns the keys this call claimed."""
    if not keys:
        return set()
    statement = insert_or_ignore(session.get_bind().dialect.name, DeliveryKeyRow.__table__,
                                 ["source", "delivery_id"])
    rows = [{"source": source, "delivery_id": delivery_id} for source, delivery_id in keys]
    return {(row[0], row[1]) for row in session.execute(statement, rows)}


def claim(session: Session, source: str, delivery_id: str) -> bool:
    """Claim one key; False when an earlier delivery holds it."""
    return bool(claim_many(session, [(source, delivery_id)]))


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

