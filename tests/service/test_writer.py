"""The group-commit writer: one transaction per batch, and a failing delivery cannot fail the others."""

import asyncio
import datetime as dt
import json

import pytest
from sqlalchemy import event, select, text

from mldebt.domain.incident import IncidentSignal, SignalAction
from mldebt.errors import StoreError
from mldebt.ingest.common import Delivery, ParsedDelivery
from mldebt.service.ingest import Prepared, prepare, recover_unapplied, replay, store_batch
from mldebt.service.linker import Linker
from mldebt.service.writer import GroupCommitWriter
from mldebt.store import raw_events
from mldebt.store.database import open_store
from mldebt.store.ingest_tables import IncidentRow
from mldebt.store.raw_events import ACCEPTED, RawEvent
from tests.conftest import missing_service
from tests.support.postgres import PostgresCluster, find_bindir
from tests.support.webhooks import SECRETS, fixture_json, signed_headers


class BrokenLinker(Linker):
    """A linker with a bug for one project (stands for any bug in applying effects)."""

    def component(self, source, attributes):
        if attributes.get("project") == "boom":
            raise RuntimeError("linker bug")
        return super().component(source, attributes)


def delivery(n: int, project: str) -> Delivery:
    payload = fixture_json("sentry_issue_created.json")
    payload["data"]["issue"]["id"] = str(n)
    payload["data"]["issue"]["project"]["slug"] = project
    body = json.dumps(payload).encode()
    return Delivery("sentry", body, signed_headers("sentry", body, request_id=f"w-{n}"))


def test_one_batch_one_commit_and_a_bug_in_one_delivery_spares_the_others(store):
    async def run():
        writer = GroupCommitWriter(store, BrokenLinker())
        writer.start()
        items = [prepare(delivery(n, "boom" if n == 3 else "storefront-recs"), SECRETS["sentry"]) for n in range(6)]
        outcomes = await asyncio.gather(*(writer.submit(item) for item in items))
        await writer.stop()
        return writer, outcomes

    writer, outcomes = asyncio.run(run())
    assert [o.status for o in outcomes] == ["accepted"] * 6  # what the senders are told: stored
    assert (writer.batches, writer.deliveries, writer.apply_batches, writer.applied) == (1, 6, 1, 6)
    assert writer.unsettled == 0
    with store.session() as session:
        [kept] = raw_events.list_events(session, status="accepted")
        assert kept.error == "not applied: RuntimeError: linker bug"
        assert len(raw_events.list_events(session, status="parsed")) == 5
    result = replay(store, Linker())  # after the fix
    assert (result.parsed, result.failed) == (1, 0)


def signal_delivery(n: int) -> Prepared:
    """Delivery n says alert `shared` fires at minute n: every one touches the same incident."""
    at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
    signal = IncidentSignal(source="alertmanager", key="shared", action=SignalAction.OPEN, at=at, title="latency")
    raw = RawEvent(source="alertmanager", delivery_id=f"d-{n}", headers={}, body=b"{}", received_at=at,
                   verification="verified", status=ACCEPTED, kind="alerts.firing")
    return Prepared(raw, parsed=ParsedDelivery(f"d-{n}", signals=[signal], kind="alerts.firing"))


def test_two_writers_on_one_incident_lose_no_update(store):
    """Two writers (as two server processes sharing one database) read-modify-write the same incident
    at once; the store's locks make them take turns, so the last event time is the latest and every
    delivery is linked. On PostgreSQL the writers really overlap (asyncio driver)."""
    async def run():
        writers = [GroupCommitWriter(store, Linker()), GroupCommitWriter(store, Linker())]
        for writer in writers:
            writer.start()
        tasks = []
        for n in range(18):
            tasks.append(asyncio.ensure_future(writers[n % 2].submit(signal_delivery(n))))
            await asyncio.sleep(0.001 * (n % 3))
        outcomes = await asyncio.gather(*tasks)
        for writer in writers:
            await writer.stop()
        return writers, outcomes

    writers, outcomes = asyncio.run(run())
    assert sum(w.apply_batches for w in writers) > 2
    with store.session() as session:
        assert {e.status for e in raw_events.list_events(session)} == {"parsed"}
        [incident] = session.scalars(select(IncidentRow))
        assert incident.last_event_at.replace(tzinfo=dt.UTC) == dt.datetime(2026, 11, 1, 0, 17, tzinfo=dt.UTC)
        assert sorted(incident.links) == sorted(f"raw_event:{o.raw_id}" for o in outcomes)
        assert len(incident.intervals) == 1


def test_deliveries_stored_but_not_applied_are_applied_at_the_next_start(store):
    """A process that dies between storing (2xx sent) and applying leaves them `accepted`, no error."""
    with store.engine.begin() as connection:
        items = [prepare(delivery(n, "storefront-recs"), SECRETS["sentry"]) for n in range(3)]
        stored = store_batch(connection, items)
    assert {o.status for o in stored} == {"accepted"}
    result = recover_unapplied(store, Linker())
    assert (result.parsed, result.failed) == (3, 0)
    with store.session() as session:
        assert {e.status for e in raw_events.list_events(session)} == {"parsed"}
        assert len(list(session.scalars(select(IncidentRow)))) == 3
    assert recover_unapplied(store, Linker()).parsed == 0


def test_while_postgresql_is_down_senders_get_503_and_the_writer_recovers_after_its_restart():
    """A dedicated cluster is stopped and started again under a running writer: the delivery sent
    during the outage is refused (nothing stored, the sender retries); the stale pooled connections
    are replaced, and everything before and after is stored once and applied."""
    bindir = find_bindir()
    if bindir is None:
        missing_service("PostgreSQL binaries not found (initdb); run scripts/ensure-services as root")
    cluster = PostgresCluster(bindir).start()
    store = open_store(cluster.fresh_database())
    items = [prepare(delivery(n, "storefront-recs"), SECRETS["sentry"]) for n in range(7)]

    async def run():
        writer = GroupCommitWriter(store, Linker())
        writer.start()
        before = await asyncio.gather(*(writer.submit(item) for item in items[:3]))
        await writer.settled()
        cluster.pause()
        with pytest.raises(StoreError, match="the store is unavailable"):
            await writer.submit(items[3])
        cluster.resume()
        after = await asyncio.gather(*(writer.submit(item) for item in items[4:]))
        await writer.stop()
        return before + after

    try:
        outcomes = asyncio.run(run())
        assert [o.status for o in outcomes] == ["accepted"] * 6
        with store.session() as session:
            stored = {e.delivery_id: e.status for e in raw_events.list_events(session)}
        assert stored == {o.delivery_id: "parsed" for o in outcomes} and "w-3" not in stored
    finally:
        store.close()
        cluster.stop()


def test_the_writer_commits_durably_on_sqlite(tmp_path):
    """A 2xx means "stored durably": the writer's SQLite connection runs WAL with synchronous=FULL (2),
    so each commit is on disk before the answer (NORMAL, 1, may lose the last commits on power loss)."""
    store = open_store(f"sqlite:///{tmp_path / 'durable.db'}")

    async def run():
        writer = GroupCommitWriter(store, Linker())
        writer.start()
        pragmas = await writer.run(lambda session: (session.execute(text("PRAGMA synchronous")).scalar(),
                                                    session.execute(text("PRAGMA journal_mode")).scalar()))
        await writer.stop()
        return pragmas

    try:
        assert asyncio.run(run()) == (2, "wal")
    finally:
        store.close()


def test_a_unit_of_work_commits_when_it_returns_and_rolls_back_when_it_raises(store):
    """`run` is the writer's transaction slot for writes that are not deliveries (replay, tokens)."""
    async def run():
        writer = GroupCommitWriter(store, Linker())
        writer.start()
        await writer.run(lambda session: raw_events.append(session.connection(), signal_delivery(1).raw))
        with pytest.raises(RuntimeError, match="half done"):
            await writer.run(lambda session: (raw_events.append(session.connection(), signal_delivery(2).raw),
                                              _raise(RuntimeError("half done"))))
        await writer.stop()
        return writer

    writer = asyncio.run(run())
    assert writer.units == 2
    with store.session() as session:
        assert [e.delivery_id for e in raw_events.list_events(session)] == ["d-1"]


def _raise(error: Exception) -> None:
    raise error


def test_a_use_case_run_by_the_writer_keeps_its_session_semantics(store):
    """`run_use_case` gives a use case a store whose `session()` blocks commit or roll back on their
    own (savepoints), all inside one transaction of the writer."""
    def use_case(target_store, first: RawEvent, second: RawEvent) -> str:
        try:
            with target_store.session() as session:
                raw_events.append(session.connection(), first)
                raise RuntimeError("this block is rolled back")
        except RuntimeError:
            pass
        with target_store.session() as session:
            raw_events.append(session.connection(), second)
        return "done"

    async def run():
        writer = GroupCommitWriter(store, Linker())
        writer.start()
        result = await writer.run_use_case(use_case, signal_delivery(1).raw, signal_delivery(2).raw)
        await writer.stop()
        return result

    assert asyncio.run(run()) == "done"
    with store.session() as session:
        assert [e.delivery_id for e in raw_events.list_events(session)] == ["d-2"]


def test_on_sqlite_storing_commits_are_durable_and_applying_ones_ride_on_the_next(tmp_path):
    """The commit a 2xx waits for runs with synchronous=FULL (2); applying, which the next start
    redoes when it is lost, with NORMAL (1), so the ingest path pays one fsync per batch."""
    store = open_store(f"sqlite:///{tmp_path / 'durable.db'}")
    statements: list[str] = []
    commits: list[tuple[str, int]] = []

    def seen(_connection, _cursor, statement, *_):
        statements.append(" ".join(statement.split()[:3]))

    def at_commit(connection):
        level = connection.connection.dbapi_connection.execute("PRAGMA synchronous").fetchone()[0]
        kind = ("store" if "INSERT INTO raw_events" in statements else
                "apply" if "UPDATE raw_events SET" in statements else "other")
        commits.append((kind, level))
        statements.clear()

    event.listen(store.engine, "before_cursor_execute", seen)
    event.listen(store.engine, "commit", at_commit)

    async def run():
        writer = GroupCommitWriter(store, Linker())
        writer.start()
        await asyncio.gather(*(writer.submit(signal_delivery(n)) for n in range(3)))
        await writer.settled()
        await writer.run(lambda session: raw_events.append(session.connection(), signal_delivery(9).raw))
        await writer.stop()

    try:
        asyncio.run(run())
        assert commits == [("store", 2), ("apply", 1), ("store", 2)]
    finally:
        store.close()
