"""Set-based inserts and list membership, on SQLite and on PostgreSQL (where they use arrays)."""

import datetime as dt

from sqlalchemy import select

from mldebt.store.bulk import insert_rows, member_of
from mldebt.store.ingest_tables import DeliveryKeyRow, RawEventRow
from mldebt.store.locks import lock_key, lock_keys

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
RAW = RawEventRow.__table__
KEYS = DeliveryKeyRow.__table__


def raw(n: int, **changes) -> dict:
    row = {"source": "sentry", "delivery_id": f"d{n}", "headers": {"request-id": f"r{n}", "n": n},
           "body": bytes([n % 256]) * (n + 1) + b'\x00"\\{', "received_at": T0, "verification": "verified",
           "status": "accepted", "kind": None, "error": None, "parsed_at": None}
    return {**row, **changes}


def test_insert_rows_returns_ids_in_row_order_and_keeps_every_value(store):
    rows = [raw(n) for n in range(7)]
    with store.engine.begin() as db:
        first = insert_rows(db, RAW, rows[:3], "id")
        second = insert_rows(db, RAW, rows[3:], "id")
    ids = first + second
    assert ids == sorted(ids) and len(set(ids)) == 7
    with store.engine.connect() as db:
        stored = {r.id: r for r in db.execute(select(RAW))}
    for row_id, row in zip(ids, rows, strict=True):
        got = stored[row_id]
        assert (got.delivery_id, got.headers, bytes(got.body), got.kind) == (
            row["delivery_id"], row["headers"], row["body"], None)


def test_insert_rows_ignoring_conflicts_returns_only_what_it_inserted(store):
    with store.engine.begin() as db:
        assert set(insert_rows(db, KEYS, [{"source": "s", "delivery_id": "a"}], ("source", "delivery_id"),
                               ignore_conflicts=True)) == {("s", "a")}
        again = [{"source": "s", "delivery_id": k} for k in ("a", "b", "c")]
        assert set(insert_rows(db, KEYS, again, ("source", "delivery_id"), ignore_conflicts=True)) == {
            ("s", "b"), ("s", "c")}
        assert insert_rows(db, KEYS, [], "source", ignore_conflicts=True) == []


def test_member_of_matches_lists_of_any_length(store):
    with store.engine.begin() as db:
        ids = insert_rows(db, RAW, [raw(n) for n in range(5)], "id")
        for wanted in ([ids[0]], ids[1:4], ids, []):
            query = select(RAW.c.id).where(member_of(RAW.c.id, "ids", db.dialect.name)).order_by(RAW.c.id)
            assert list(db.scalars(query, {"ids": wanted})) == sorted(wanted)


def test_lock_keys_are_stable_distinct_and_held_until_the_transaction_ends(store):
    assert lock_key("incident", "alertmanager", "a") == lock_key("incident", "alertmanager", "a")
    keys = {lock_key("incident", "alertmanager", k) for k in "abcdefgh"} | {lock_key("ticket", "zendesk", "a")}
    assert len(keys) == 9 and all(-(2**63) <= k < 2**63 for k in keys)
    key = lock_key("incident", "sentry", "42")
    with store.engine.begin() as first:
        lock_keys(first, [key, key])
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect() as second:
                taken = second.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({key})").scalar()
                assert taken is False  # held by the first transaction
                second.rollback()
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as second:
            assert second.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({key})").scalar() is True
