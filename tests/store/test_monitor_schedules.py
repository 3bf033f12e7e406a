"""Schedules, claims, runs and the lease, on SQLite and PostgreSQL: every claim is a compare-and-set."""

import datetime as dt
import threading

from sqlalchemy import select

from mldebt.domain.component import Catalog
from mldebt.store.monitor_tables import MonitorRunRow, MonitorScheduleRow
from mldebt.store.monitors import (
    abandon_stale,
    acquire_lease,
    active_schedules,
    claim_due,
    claim_manual,
    due_schedules,
    finish_run,
    lease_holder,
    next_slot,
    release_lease,
    sync_schedules,
)

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def slo(name: str, every: str = "1m", **extra) -> dict:
    return {"name": name, "kind": "slo", "every": every, "query": "up", "threshold": 1.0, **extra}


def catalog(*monitors: dict, component: str = "recommender") -> Catalog:
    return Catalog.model_validate({"version": 1, "components": [
        {"name": component, "kind": "service", "monitors": list(monitors)}]})


def schedule(store, key: str) -> MonitorScheduleRow:
    with store.session() as s:
        row = s.scalars(select(MonitorScheduleRow).where(MonitorScheduleRow.key == key)).one()
        s.expunge(row)
        return row


def test_a_new_monitor_is_due_now_with_its_spec_and_kind(store):
    with store.session() as s:
        result = sync_schedules(s, catalog(slo("lag"), slo("errors", every="5m")), T0)
    assert (sorted(result.added), result.changed, result.removed) == (["recommender/errors", "recommender/lag"], [], [])
    row = schedule(store, "recommender/lag")
    assert (row.component, row.monitor, row.kind, row.every_seconds, row.enabled) == ("recommender", "lag", "slo", 60,
                                                                                     True)
    assert row.next_due_at == T0 and row.created_at == T0 and row.removed_at is None
    assert row.spec["every"] == "1m" and row.spec["query"] == "up" and row.spec["threshold"] == 1.0
    with store.session() as s:
        assert [r.key for r in due_schedules(s, T0)] == ["recommender/errors", "recommender/lag"]
        assert due_schedules(s, T0 - dt.timedelta(seconds=1)) == []
        assert due_schedules(s, T0, component="other") == []


def test_syncing_an_unchanged_inventory_writes_nothing(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag")), T0)
    with store.session() as s:
        result = sync_schedules(s, catalog(slo("lag")), T0 + MINUTE)
    assert (result.added, result.changed, result.removed) == ([], [], [])
    assert schedule(store, "recommender/lag").updated_at == T0


def test_a_shorter_every_pulls_the_next_slot_in_and_a_longer_one_keeps_it(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag", every="1d")), T0)
        claim_due(s, "recommender/lag", T0, T0, "a")  # next slot: tomorrow
    assert schedule(store, "recommender/lag").next_due_at == T0 + dt.timedelta(days=1)
    with store.session() as s:
        assert sync_schedules(s, catalog(slo("lag", every="1h")), T0 + MINUTE).changed == ["recommender/lag"]
    row = schedule(store, "recommender/lag")
    assert (row.every_seconds, row.next_due_at, row.updated_at) == (3600, T0 + MINUTE + dt.timedelta(hours=1),
                                                                    T0 + MINUTE)
    with store.session() as s:  # longer again: the slot within the hour stays
        sync_schedules(s, catalog(slo("lag", every="2h")), T0 + 2 * MINUTE)
    assert schedule(store, "recommender/lag").next_due_at == T0 + MINUTE + dt.timedelta(hours=1)


def test_a_removed_monitor_keeps_its_row_and_comes_back_due_once(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag"), slo("errors")), T0)
    with store.session() as s:
        assert sync_schedules(s, catalog(slo("errors")), T0 + MINUTE).removed == ["recommender/lag"]
    assert schedule(store, "recommender/lag").removed_at == T0 + MINUTE
    with store.session() as s:
        assert [r.key for r in due_schedules(s, T0 + 10 * MINUTE)] == ["recommender/errors"]
        assert [r.key for r in active_schedules(s)] == ["recommender/errors"]
        assert claim_due(s, "recommender/lag", T0, T0 + MINUTE, "a") is None  # removed: not claimable
    with store.session() as s:
        assert sync_schedules(s, catalog(slo("lag"), slo("errors")), T0 + 10 * MINUTE).changed == ["recommender/lag"]
    assert schedule(store, "recommender/lag").removed_at is None
    with store.session() as s:
        claim = claim_due(s, "recommender/lag", T0, T0 + 10 * MINUTE, "a")
    assert claim is not None and (claim.trigger, claim.missed) == ("catch-up", 11)


def test_a_disabled_monitor_is_never_due_nor_run_by_hand(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag", enabled=False)), T0)
    with store.session() as s:
        assert due_schedules(s, T0 + MINUTE) == []
        assert claim_manual(s, "recommender/lag", T0, "cli") is None
        assert claim_due(s, "recommender/lag", T0, T0, "a") is None


def test_the_next_slot_is_the_first_of_the_grid_after_now():
    assert next_slot(T0, MINUTE, T0) == (T0 + MINUTE, 1)
    assert next_slot(T0, MINUTE, T0 + dt.timedelta(seconds=59)) == (T0 + MINUTE, 1)
    assert next_slot(T0, MINUTE, T0 + 5 * MINUTE) == (T0 + 6 * MINUTE, 6)
    assert next_slot(T0, MINUTE, T0 + dt.timedelta(minutes=5, seconds=30)) == (T0 + 6 * MINUTE, 6)
    assert next_slot(T0, MINUTE, T0 - MINUTE) == (T0, 0)


def test_a_slot_is_claimed_once_and_its_run_starts_running(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag")), T0)
    with store.session() as s:
        claim = claim_due(s, "recommender/lag", T0, T0 + dt.timedelta(seconds=3), "host:1")
    with store.session() as s:
        assert claim_due(s, "recommender/lag", T0, T0 + dt.timedelta(seconds=4), "host:2") is None
        assert claim_due(s, "recommender/lag", T0 + MINUTE, T0 + dt.timedelta(seconds=4), "host:2") is None  # not due
    assert claim is not None
    assert (claim.key, claim.component, claim.monitor, claim.kind, claim.due_at, claim.trigger, claim.missed) == (
        "recommender/lag", "recommender", "lag", "slo", T0, "schedule", 1)
    assert schedule(store, "recommender/lag").next_due_at == T0 + MINUTE
    with store.session() as s:
        run = s.get(MonitorRunRow, claim.run_id)
        assert run is not None
        assert (run.monitor_key, run.status, run.trigger, run.holder, run.due_at, run.started_at, run.finished_at) == (
            "recommender/lag", "running", "schedule", "host:1", T0, T0 + dt.timedelta(seconds=3), None)


def test_five_missed_slots_are_caught_up_by_one_run(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag")), T0)
        assert claim_due(s, "recommender/lag", T0, T0, "a") is not None
    late = T0 + dt.timedelta(minutes=6, seconds=30)  # slots 9:01 to 9:06 passed unclaimed
    with store.session() as s:
        claim = claim_due(s, "recommender/lag", T0 + MINUTE, late, "a")
    assert claim is not None and (claim.trigger, claim.missed, claim.due_at) == ("catch-up", 6, T0 + MINUTE)
    assert schedule(store, "recommender/lag").next_due_at == T0 + 7 * MINUTE
    with store.session() as s:
        assert due_schedules(s, late) == []
        assert len(s.scalars(select(MonitorRunRow)).all()) == 2


def test_a_slot_that_already_has_a_run_is_refused_and_the_schedule_moves_on(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag")), T0)
        assert claim_manual(s, "recommender/lag", T0, "cli") is not None  # a run at 9:00 by hand
    with store.session() as s:  # the slot 9:00: its run exists; the transaction goes on (savepoint)
        assert claim_due(s, "recommender/lag", T0, T0, "a") is None
        assert claim_manual(s, "recommender/lag", T0, "cli") is None
        assert claim_manual(s, "recommender/lag", T0 + dt.timedelta(seconds=1), "cli") is not None
    assert schedule(store, "recommender/lag").next_due_at == T0 + MINUTE
    with store.session() as s:
        assert [r.trigger for r in s.scalars(select(MonitorRunRow).order_by(MonitorRunRow.id))] == ["manual", "manual"]


def test_a_manual_run_does_not_move_the_schedule(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag")), T0)
    with store.session() as s:
        claim = claim_manual(s, "recommender/lag", T0 + dt.timedelta(seconds=5), "cli")
        assert claim_manual(s, "recommender/absent", T0, "cli") is None
    assert claim is not None and (claim.trigger, claim.due_at) == ("manual", T0 + dt.timedelta(seconds=5))
    assert schedule(store, "recommender/lag").next_due_at == T0


def test_finishing_a_run_records_it_and_makes_it_the_schedules_latest_result(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag")), T0)
        first = claim_due(s, "recommender/lag", T0, T0, "a")
        second = claim_manual(s, "recommender/lag", T0 + dt.timedelta(seconds=1), "cli")
    assert first is not None and second is not None
    done = T0 + dt.timedelta(seconds=20)
    with store.session() as s:
        finish_run(s, second.run_id, status="breach", summary="latency_p95 0.41 > 0.3", now=done, value=0.41,
                   threshold=0.3, detail={"points": 5}, evidence_url="/monitors/recommender/lag")
    with store.session() as s:  # the older run finishes later: the newer one stays the latest result
        finish_run(s, first.run_id, status="ok", summary="x" * 5000, now=done + MINUTE)
    row = schedule(store, "recommender/lag")
    assert (row.last_run_id, row.last_status, row.last_finished_at) == (second.run_id, "breach", done)
    with store.session() as s:
        run = s.get(MonitorRunRow, second.run_id)
        assert run is not None
        assert (run.status, run.summary, run.value, run.threshold, run.detail, run.evidence_url, run.finished_at) == (
            "breach", "latency_p95 0.41 > 0.3", 0.41, 0.3, {"points": 5}, "/monitors/recommender/lag", done)
        older = s.get(MonitorRunRow, first.run_id)
        assert older is not None and (older.status, len(older.summary or "")) == ("ok", 2000)


def test_runs_left_running_too_long_are_abandoned(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag"), slo("errors")), T0)
        old = claim_due(s, "recommender/lag", T0, T0, "dead:1")
        recent = claim_due(s, "recommender/errors", T0, T0 + dt.timedelta(minutes=50), "live:2")
    assert old is not None and recent is not None
    later = T0 + dt.timedelta(hours=1, seconds=1)
    with store.session() as s:
        assert abandon_stale(s, later, dt.timedelta(hours=1)) == [old.run_id]
    with store.session() as s:
        assert abandon_stale(s, later, dt.timedelta(hours=1)) == []
        run = s.get(MonitorRunRow, old.run_id)
        assert run is not None and (run.status, run.summary, run.finished_at) == (
            "abandoned", "abandoned: still running after 1h", later)
        live = s.get(MonitorRunRow, recent.run_id)
        assert live is not None and live.status == "running"
    assert schedule(store, "recommender/lag").last_status == "abandoned"


def test_the_lease_is_held_by_one_until_it_expires_or_is_released(store):
    ttl = dt.timedelta(seconds=60)
    with store.session() as s:
        assert acquire_lease(s, "monitors", "a", T0, ttl) is True
    with store.session() as s:
        assert acquire_lease(s, "monitors", "b", T0 + dt.timedelta(seconds=30), ttl) is False
        assert acquire_lease(s, "monitors", "a", T0 + dt.timedelta(seconds=30), ttl) is True  # renewed to 9:01:30
        assert acquire_lease(s, "monitors", "b", T0 + dt.timedelta(seconds=61), ttl) is False
        assert lease_holder(s, "monitors", T0 + dt.timedelta(seconds=61)) == "a"
        assert acquire_lease(s, "monitors", "b", T0 + dt.timedelta(seconds=91), ttl) is True  # expired: taken over
        assert acquire_lease(s, "monitors", "a", T0 + dt.timedelta(seconds=92), ttl) is False
        assert lease_holder(s, "monitors", T0 + dt.timedelta(seconds=92)) == "b"
        assert release_lease(s, "monitors", "a") is False
        assert release_lease(s, "monitors", "b") is True
        assert lease_holder(s, "monitors", T0 + dt.timedelta(seconds=93)) is None
        assert acquire_lease(s, "monitors", "a", T0 + dt.timedelta(seconds=93), ttl) is True  # at once after release
        assert acquire_lease(s, "other", "b", T0, ttl) is True  # leases are per name


def test_a_renewal_keeps_when_the_lease_was_taken(store):
    from mldebt.store.monitor_tables import SchedulerLeaseRow

    ttl = dt.timedelta(seconds=60)
    with store.session() as s:
        acquire_lease(s, "monitors", "a", T0, ttl)
    with store.session() as s:
        acquire_lease(s, "monitors", "a", T0 + dt.timedelta(seconds=5), ttl)
    with store.session() as s:
        row = s.get(SchedulerLeaseRow, "monitors")
        assert row is not None and (row.holder, row.acquired_at, row.expires_at) == (
            "a", T0, T0 + dt.timedelta(seconds=65))


def test_racing_claimers_get_one_claim_and_racing_lease_takers_one_lease(store):
    with store.session() as s:
        sync_schedules(s, catalog(slo("lag")), T0)
    barrier = threading.Barrier(4)
    claims, leases = [], []

    def race(holder: str) -> None:
        barrier.wait()
        with store.session() as s:
            claims.append(claim_due(s, "recommender/lag", T0, T0, holder))
        with store.session() as s:
            leases.append(acquire_lease(s, "monitors", holder, T0, dt.timedelta(seconds=60)))

    threads = [threading.Thread(target=race, args=(f"h{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(claim is not None for claim in claims) == 1
    assert sorted(leases) == [False, False, False, True]
    with store.session() as s:
        assert len(s.scalars(select(MonitorRunRow)).all()) == 1
