"""Receiving and replaying deliveries (service layer): keys never truncated, forensics of rejections, replay."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import func, select

from mldebt.ingest import sentry
from mldebt.ingest.common import Delivery
from mldebt.service.ingest import BACKFILL, receive, replay
from mldebt.service.linker import Linker
from mldebt.store import raw_events
from mldebt.store.ingest_tables import DeliveryKeyRow, FeedbackRow, IncidentRow, RawEventRow, TicketRow
from mldebt.store.raw_events import ACCEPTED, FAILED, RawEvent, delivery_key
from tests.support.webhooks import fixture


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


def store_raw(store, source: str, body: bytes, status: str = FAILED, error: str | None = "old parser",
              received_at: dt.datetime | None = None) -> int:
    """A raw event as an earlier version stored it (before the receipt checks existed)."""
    event = RawEvent(source=source, delivery_id=None, headers={}, body=body, status=status, error=error,
                     received_at=received_at or dt.datetime.now(dt.UTC), verification="verified")
    with store.session() as session:
        return raw_events.append(session.connection(), event)


def statuses_and_errors(store) -> list[tuple[str, str | None]]:
    with store.session() as session:
        return [(r.status, r.error) for r in session.scalars(select(RawEventRow).order_by(RawEventRow.id))]


def test_replay_marks_a_deeply_nested_delivery_failed_and_applies_the_others(store):
    nested = store_raw(store, "alertmanager", b'{"alerts": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    store_raw(store, "alertmanager", fixture("alertmanager_firing.json"))
    result = replay(store, Linker())
    reason = "body nests arrays and objects more than 64 levels deep; at most 64 are accepted"
    assert (result.parsed, result.duplicate, result.failed) == (1, 0, 1)
    assert result.errors == [f"raw event {nested} (alertmanager): {reason}"]
    assert statuses_and_errors(store) == [("failed", reason), ("parsed", None)]
    assert count(store, IncidentRow) == 1


def test_replay_marks_a_delivery_that_crashes_the_parser_failed_and_goes_on(store, monkeypatch):
    def crash(delivery):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(sentry, "parse", crash)
    crashed = store_raw(store, "sentry", fixture("sentry_issue_created.json"))
    store_raw(store, "alertmanager", fixture("alertmanager_firing.json"))
    result = replay(store, Linker())
    reason = "payload could not be parsed (RecursionError: maximum recursion depth exceeded)"
    assert (result.parsed, result.failed, result.errors) == (1, 1, [f"raw event {crashed} (sentry): {reason}"])
    assert statuses_and_errors(store) == [("failed", reason), ("parsed", None)]


def test_replay_marks_a_delivery_the_database_refuses_failed_and_goes_on(store, monkeypatch):
    def refuse(db, source, delivery_id):
        raise ValueError("the database refused it")

    store_raw(store, "alertmanager", fixture("alertmanager_firing.json"))
    monkeypatch.setattr("mldebt.service.ingest.raw_events.claim", refuse)
    result = replay(store, Linker())
    assert (result.parsed, result.failed) == (0, 1)
    assert statuses_and_errors(store) == [("failed", "replay failed: ValueError: the database refused it")]


def test_unapplied_counts_only_accepted_deliveries_received_before_the_cutoff(store):
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    store_raw(store, "sentry", b"{}", ACCEPTED, "not applied: UnicodeEncodeError", now - dt.timedelta(minutes=5))
    store_raw(store, "sentry", b"{}", ACCEPTED, None, now - dt.timedelta(minutes=1))
    store_raw(store, "sentry", b"{}", ACCEPTED, None, now)
    store_raw(store, "sentry", b"{}", FAILED, "x", now - dt.timedelta(hours=1))
    with store.session() as session:
        assert raw_events.unapplied(session, now - dt.timedelta(seconds=5)) == (2, now - dt.timedelta(minutes=5))


def test_a_field_longer_than_its_column_is_refused_at_receipt_not_left_unapplied(store):
    ticket = {"id": "9" * 150, "subject": "s", "status": "open", "created_at": "2026-10-02T11:00:00Z",
              "updated_at": "2026-10-03T08:30:00Z"}
    answer = {"_id": "6740b0000000000000000001", "createdAt": "2026-11-23T08:00:00.000Z", "pollId": "p" * 101,
              "response": "5"}
    alert = json.loads(fixture("alertmanager_firing.json"))
    alert["alerts"][0]["fingerprint"] = "f" * 300
    deliveries = [Delivery("zendesk", json.dumps(ticket).encode(), backfill=True),
                  Delivery("zigpoll", json.dumps(answer).encode(), backfill=True),
                  Delivery("alertmanager", json.dumps(alert).encode(), backfill=True)]
    outcomes = receive(store, deliveries, Linker(), {}, BACKFILL)
    assert [(o.status, o.error.message if o.error else None) for o in outcomes] == [
        ("failed", "tickets[0].external_id is 150 characters long; at most 100 are stored"),
        ("failed", "feedback[0].poll_id is 101 characters long; at most 100 are stored"),
        ("failed", "signals[0].key is 306 characters long; at most 200 are stored")]
    with store.session() as session:
        assert raw_events.unapplied(session, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == (0, None)


def test_a_database_error_is_kept_as_its_first_line_without_sql_or_parameters(store, monkeypatch):
    from sqlalchemy.exc import DataError

    class StringDataRightTruncation(Exception):
        pass

    def refuse(db, source, delivery_id):
        raise DataError("INSERT INTO delivery_keys VALUES (%(secret)s)", {"secret": "s3cret"},
                        StringDataRightTruncation("value too long for type character varying(200)\nDETAIL: x"))

    store_raw(store, "alertmanager", fixture("alertmanager_firing.json"))
    monkeypatch.setattr("mldebt.service.ingest.raw_events.claim", refuse)
    result = replay(store, Linker())
    reason = "replay failed: StringDataRightTruncation: value too long for type character varying(200)"
    assert statuses_and_errors(store) == [("failed", reason)]
    assert result.errors == [f"raw event 1 (alertmanager): {reason}"]
