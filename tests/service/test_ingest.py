"""Receiving and replaying deliveries (service layer): keys never truncated, forensics of rejections, replay."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select

from mldebt.ingest.common import Delivery
from mldebt.service.ingest import BACKFILL, receive
from mldebt.service.linker import Linker
from mldebt.store.ingest_tables import DeliveryKeyRow, FeedbackRow, RawEventRow, TicketRow
from mldebt.store.raw_events import delivery_key


def zendesk_export(first: int, count: int) -> bytes:
    tickets = [{"id": 40000 + n, "subject": f"ticket {n}", "status": "open", "created_at": "2026-10-02T11:00:00Z",
                "updated_at": "2026-10-03T08:30:00Z"} for n in range(first, first + count)]
    return json.dumps({"tickets": tickets}).encode()


def zigpoll_page(ids: list[str]) -> bytes:
    records = [{"_id": i, "createdAt": "2026-11-23T08:00:00.000Z", "pollId": "poll-1", "response": "5",
                "valueType": "rating"} for i in ids]
    return json.dumps({"data": records}).encode()


def backfill(store, source: str, *bodies: bytes) -> list[str]:
    outcomes = receive(store, [Delivery(source, body, backfill=True) for body in bodies], Linker(), {}, BACKFILL)
    return [o.status for o in outcomes]


def count(store, table) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_short_delivery_ids_are_kept_as_they_are_and_long_ones_take_a_stable_hash():
    long_id = "export:" + "x" * 300
    assert delivery_key("event:01JD2V8K6W3X9Y7Z5A4B3C2D1E") == "event:01JD2V8K6W3X9Y7Z5A4B3C2D1E"
    assert delivery_key("a" * 200) == "a" * 200
    assert delivery_key(long_id) == "sha256:" + hashlib.sha256(long_id.encode()).hexdigest()
    assert delivery_key(long_id + "y") != delivery_key(long_id)
    hashed = delivery_key(long_id)  # an id that looks hashed cannot take the key of a long one
    assert delivery_key(hashed) not in (hashed, long_id)


def test_zendesk_exports_sharing_their_first_200_characters_are_both_stored(store):
    first, second = zendesk_export(0, 20), zendesk_export(0, 21)  # the second has one more ticket
    assert backfill(store, "zendesk", first, second) == ["parsed", "parsed"]
    assert count(store, TicketRow) == 21
    assert backfill(store, "zendesk", second) == ["duplicate"]  # a true retry is still a duplicate
    with store.session() as session:
        keys = list(session.scalars(select(DeliveryKeyRow.delivery_id).order_by(DeliveryKeyRow.delivery_id)))
        stored = list(session.scalars(select(RawEventRow.delivery_id).order_by(RawEventRow.id)))
    assert len(keys) == 2 and all(k.startswith("sha256:") and len(k) == 71 for k in keys)
    assert stored[2] == stored[1]


def test_zigpoll_pages_sharing_their_first_200_characters_are_both_stored(store):
    ids = [f"6740b00000000000000000{n:02d}" for n in range(12)]
    assert backfill(store, "zigpoll", zigpoll_page(ids[:10]), zigpoll_page(ids)) == ["parsed", "parsed"]
    assert count(store, FeedbackRow) == 12
    assert backfill(store, "zigpoll", zigpoll_page(ids)) == ["duplicate"]
