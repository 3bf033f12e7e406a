"""Raw deliveries: append, claim the delivery key, list, and the status moves replay makes."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.orm import Session

from mldebt.store.bulk import insert_rows, member_of
from mldebt.store.ingest_tables import DeliveryKeyRow, RawEventRow

ACCEPTED, DUPLICATE, REJECTED, FAILED, PARSED = "accepted", "duplicate", "rejected", "failed", "parsed"
STATUSES = (ACCEPTED, DUPLICATE, REJECTED, FAILED, PARSED)
KEY_LENGTH = 200  # the width of raw_events.delivery_id and delivery_keys.delivery_id
HASHED_KEY = "sha256:"
# The Table objects themselves: `__table__` is typed as any FromClause, which insert() and update() refuse.
RAW_EVENTS = RawEventRow.metadata.tables[RawEventRow.__tablename__]
DELIVERY_KEYS = DeliveryKeyRow.metadata.tables[DeliveryKeyRow.__tablename__]


def delivery_key(delivery_id: str) -> str:
    """The stored form of a source's delivery id: the id itself, or `sha256:<hex>` of the whole id when it
    does not fit the column (or could be mistaken for a hashed one).

    Never a prefix: two exports that share their first records have ids with a long common prefix, and
    cutting them made the second a "duplicate" of the first and dropped it. The hash is stable, so a
    true retry of a long id still claims the same key.
    """
    if len(delivery_id) <= KEY_LENGTH and not delivery_id.startswith(HASHED_KEY):
        return delivery_id
    return HASHED_KEY + hashlib.sha256(delivery_id.encode("utf-8", "surrogatepass")).hexdigest()


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
    body_size: int | None = None  # of the body as received; `body` is only its start for a rejected delivery
    body_sha256: str | None = None


def append(db: Connection, event: RawEvent) -> int:
    """Insert one raw event; returns its id."""
    return append_many(db, [event])[0]


def append_many(db: Connection, events: Sequence[RawEvent], changes: Sequence[dict[str, Any]] | None = None
                ) -> list[int]:
    """Insert raw events in one statement, each with its `changes` (status, ...); their ids in order."""
    rows = [dict(event.__dict__) for event in events]
    for row, change in zip(rows, changes or (), strict=False):
        row.update(change)
    return [int(i) for i in insert_rows(db, RAW_EVENTS, rows, "id")]


def claim_many(db: Connection, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Claim (source, delivery_id) keys in one statement; returns the keys this call claimed."""
    rows = [{"source": source, "delivery_id": delivery_id} for source, delivery_id in sorted(keys)]  # lock order
    return set(insert_rows(db, DELIVERY_KEYS, rows, ("source", "delivery_id"),
                           ignore_conflicts=True))


def claim(db: Connection, source: str, delivery_id: str) -> bool:
    """Claim one key; False when an earlier delivery holds it."""
    return bool(claim_many(db, [(source, delivery_id)]))


def set_status(db: Connection, raw_id: int, status: str, error: str | None = None,
               parsed_at: dt.datetime | None = None, delivery_id: str | None = None, kind: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "error": error, "parsed_at": parsed_at}
    if delivery_id is not None:
        values["delivery_id"] = delivery_id
    if kind is not None:
        values["kind"] = kind
    db.execute(update(RAW_EVENTS).where(RAW_EVENTS.c.id == raw_id).values(**values))


def mark_parsed(db: Connection, raw_ids: Sequence[int], parsed_at: dt.datetime) -> None:
    """Mark stored deliveries whose effects were applied (one statement)."""
    db.execute(_mark_parsed(db.dialect.name), {"ids": list(raw_ids), "at": parsed_at})


@functools.cache
def _mark_parsed(dialect: str) -> Any:
    table = RAW_EVENTS
    return (update(table).where(member_of(table.c.id, "ids", dialect))
            .values(status=PARSED, parsed_at=bindparam("at")))


def list_events(session: Session, status: str | None = None, source: str | None = None,
                limit: int = 100, offset: int = 0) -> list[RawEventRow]:
    query = select(RawEventRow).order_by(RawEventRow.id.desc()).limit(limit).offset(offset)
    if status is not None:
        query = query.where(RawEventRow.status == status)
    if source is not None:
        query = query.where(RawEventRow.source == source)
    return list(session.scalars(query))


def events_to_replay(session: Session, source: str | None, statuses: Sequence[str],
                     unapplied_only: bool = False) -> list[RawEventRow]:
    query = select(RawEventRow).where(RawEventRow.status.in_(statuses)).order_by(RawEventRow.id)
    if unapplied_only:
        query = query.where(RawEventRow.error.is_(None))
    if source is not None:
        query = query.where(RawEventRow.source == source)
    return list(session.scalars(query))


def unapplied(session: Session, received_before: dt.datetime) -> tuple[int, dt.datetime | None]:
    """How many deliveries received before `received_before` are still `accepted` (stored, answered 2xx, not
    applied), and when the oldest came: what `/healthz` reports, so that none stays unapplied silently."""
    query = select(func.count(), func.min(RawEventRow.received_at)).where(
        RawEventRow.status == ACCEPTED, RawEventRow.received_at < received_before)
    count, oldest = session.execute(query).one()
    return int(count), oldest


def counts(session: Session) -> dict[str, dict[str, int]]:
    """{source: {status: count}}."""
    result: dict[str, dict[str, int]] = {}
    query = select(RawEventRow.source, RawEventRow.status, func.count()).group_by(RawEventRow.source,
                                                                                  RawEventRow.status)
    for source, status, count in session.execute(query):
        result.setdefault(source, {})[status] = count
    return result

