"""The scheduler with a controllable clock and a fake monitor kind, on SQLite and PostgreSQL.

A slot runs once whatever happens around it: a restart, a second scheduler on the same database,
a scheduler that stops renewing its lease, missed slots (caught up by one run).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from mldebt.domain.alerts import MonitorStatus
from mldebt.domain.component import Catalog
from mldebt.errors import NotFoundError
from mldebt.service.monitors.base import Evaluation, MonitorJob
from mldebt.service.scheduler import MonitorScheduler, run_monitors
from mldebt.service.units import direct_units
from mldebt.store.monitor_tables import MonitorRunRow, MonitorScheduleRow
from mldebt.store.monitors import claim_due, lease_holder

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
TTL = dt.timedelta(seconds=60)


class Clock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class FakeKind:
    """Records every evaluation as (key, due_at, now); raises `fail` for the keys in `failing`."""

    name = "slo"

    def __init__(self, status: MonitorStatus = MonitorStatus.OK) -> None:
        self.status = status
        self.calls: list[tuple[str, dt.datetime, dt.datetime]] = []
        self.recorded: list[int] = []
        self.failing: dict[str, Exception] = {}
        self.failing_record: set[str] = set()
        self.lock = threading.Lock()

    def evaluate(self, job: MonitorJob) -> Evaluation:
        with self.lock:
            self.calls.append((job.key, job.due_at, job.now))
        if job.key in self.failing:
            raise self.failing[job.key]
        return Evaluation(self.status, f"{job.monitor.name} checked", value=0.5, threshold=0.3,
                          detail={"query": job.monitor.query, "at": job.now})

    def record(self, session, job: MonitorJob, evaluation: Evaluation) -> Evaluation:
        if job.key in self.failing_record:
            raise ValueError("cannot write this")
        run = session.get(MonitorRunRow, job.run_id)
        assert run is not None and run.status == "running"  # claimed and committed before evaluate
        self.recorded.append(job.run_id)
        evaluation.evidence_url = f"/monitors/{job.key}"
        return evaluation


def slo(name: str, every: str = "1m", **extra) -> dict:
    return {"name": name, "kind": "slo", "every": every, "query": f"{name}_query", "threshold": 0.3, **extra}


def catalog(*monitors: dict, others: tuple[dict, ...] = ()) -> Catalog:
    return Catalog.model_validate({"version": 1, "components": [
        {"name": "recommender", "kind": "service", "monitors": list(monitors)}, *others]})


CATALOG = catalog(slo("lag"), slo("errors", every="5m"))


def scheduler(store, kind: FakeKind, clock: Clock, holder: str, cat: Catalog = CATALOG, **kwargs) -> MonitorScheduler:
    return MonitorScheduler(direct_units(store), lambda: cat, Path("."), holder, clock=clock, kinds={"slo": kind},
                            lease_ttl=TTL, **kwargs)


def runs(store) -> list[tuple[str, dt.datetime, str, str, str]]:
    with store.session() as s:
        return [(r.monitor_key, r.due_at, r.trigger, r.status, r.holder)
                for r in s.scalars(select(MonitorRunRow).order_by(MonitorRunRow.id))]


def next_due(store, key: str) -> dt.datetime:
    with store.session() as s:
        return s.scalars(select(MonitorScheduleRow.next_due_at).where(MonitorScheduleRow.key == key)).one()


def test_due_monitors_run_and_finish_with_their_evaluation(store):
    kind, clock = FakeKind(MonitorStatus.BREACH), Clock()
    outcomes = run_monitors(direct_units(store), CATALOG, Path("."), now=T0, due_only=True, holder="h",
                            kinds={"slo": kind}, clock=lambda: T0 + dt.timedelta(seconds=2))
    assert [(o.job.key, o.trigger, o.evaluation.status, o.evaluation.evidence_url) for o in outcomes] == [
        ("recommender/errors", "schedule", "breach", "/monitors/recommender/errors"),
        ("recommender/lag", "schedule", "breach", "/monitors/recommender/lag")]
    assert outcomes[1].job.monitor.query == "lag_query" and outcomes[1].job.component.name == "recommender"
    with store.session() as s:
        run = s.get(MonitorRunRow, outcomes[1].job.run_id)
        assert run is not None
        assert (run.status, run.summary, run.value, run.threshold, run.evidence_url, run.detail, run.started_at,
                run.finished_at) == ("breach", "lag checked", 0.5, 0.3, "/monitors/recommender/lag",
                                     {"query": "lag_query", "at": "2026-11-02 09:00:00+00:00"}, T0,
                                     T0 + dt.timedelta(seconds=2))
        row = s.scalars(select(MonitorScheduleRow).where(MonitorScheduleRow.key == "recommender/lag")).one()
        assert (row.last_run_id, row.last_status, row.next_due_at) == (run.id, "breach", T0 + dt.timedelta(minutes=1))
    assert sorted(kind.recorded) == sorted(o.job.run_id for o in outcomes)
    clock.advance(seconds=30)
    assert run_monitors(direct_units(store), CATALOG, Path("."), now=clock(), due_only=True, holder="h",
                        kinds={"slo": kind}) == []


def test_a_restart_does_not_run_a_slot_twice(store):
    kind, clock = FakeKind(), Clock()
    first = scheduler(store, kind, clock, "host:100")
    assert [o.job.key for o in first.tick()] == ["recommender/errors", "recommender/lag"]
    clock.advance(seconds=50)
    assert first.tick() == []  # renews the lease to 9:01:50
    clock.advance(seconds=11)
    with store.session() as s:  # at 9:01:01 the process claims 9:01 and dies before it finishes (no release)
        assert claim_due(s, "recommender/lag", T0 + dt.timedelta(minutes=1), clock(), "host:100") is not None
    restarted = scheduler(store, kind, clock, "host:200")
    assert restarted.tick() == []  # the dead process's lease has not expired yet
    with store.session() as s:
        assert lease_holder(s, "monitors", clock()) == "host:100"
    clock.advance(seconds=61)  # 9:02:02: the lease expired; 9:01 was claimed, 9:02 is due
    assert [(o.job.key, o.job.due_at, o.trigger) for o in restarted.tick()] == [
        ("recommender/lag", T0 + dt.timedelta(minutes=2), "schedule")]
    clock.advance(seconds=10)
    assert restarted.tick() == []
    assert [(key, due) for key, due, _ in kind.calls] == [
        ("recommender/errors", T0), ("recommender/lag", T0), ("recommender/lag", T0 + dt.timedelta(minutes=2))]
    assert [(*r[:3], r[4]) for r in runs(store)] == [
        ("recommender/errors", T0, "schedule", "host:100"), ("recommender/lag", T0, "schedule", "host:100"),
        ("recommender/lag", T0 + dt.timedelta(minutes=1), "schedule", "host:100"),
        ("recommender/lag", T0 + dt.timedelta(minutes=2), "schedule", "host:200")]
    assert runs(store)[2][3] == "running"  # until abandoned


def test_a_clean_restart_takes_over_at_once_and_runs_nothing_already_run(store):
    kind, clock = FakeKind(), Clock()
    first = scheduler(store, kind, clock, "host:100")
    first.tick()
    first.release()
    clock.advance(seconds=5)
    second = scheduler(store, kind, clock, "host:200")
    assert second.tick() == []
    with store.session() as s:
        assert lease_holder(s, "monitors", clock()) == "host:200"
    clock.advance(seconds=55)
    assert [o.job.key for o in second.tick()] == ["recommender/lag"]
    assert len(kind.calls) == 3


def test_two_schedulers_on_one_database_run_each_due_monitor_once(store):
    kind, clock = FakeKind(), Clock()
    a, b = scheduler(store, kind, clock, "a:1"), scheduler(store, kind, clock, "b:2")
    ran = {"a:1": 0, "b:2": 0}
    for _ in range(31):  # 9:00:00 to 9:05:00, both tick every 10 s
        for s in (a, b):
            ran[s.holder] += len(s.tick())
        clock.advance(seconds=10)
    expected = sorted([("recommender/lag", T0 + dt.timedelta(minutes=m)) for m in range(6)]
                      + [("recommender/errors", T0), ("recommender/errors", T0 + dt.timedelta(minutes=5))])
    assert sorted((key, due) for key, due, _ in kind.calls) == expected
    assert ran == {"a:1": 8, "b:2": 0}


def test_two_unleased_runners_at_once_still_run_each_slot_once(store):
    """`mldebt monitor run --due` in two shells (no lease): the claims alone keep each slot to one run."""
    kind = FakeKind()
    barrier = threading.Barrier(3)
    results: list[int] = []

    def run(holder: str) -> None:
        barrier.wait()
        results.append(len(run_monitors(direct_units(store), CATALOG, Path("."), now=T0, due_only=True,
                                        holder=holder, kinds={"slo": kind})))

    threads = [threading.Thread(target=run, args=(f"cli:{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 2 and len(results) == 3
    assert sorted(key for key, _, _ in kind.calls) == ["recommender/errors", "recommender/lag"]
    assert len(runs(store)) == 2


def test_five_missed_slots_are_caught_up_by_one_run(store):
    kind, clock = FakeKind(), Clock()
    sched = scheduler(store, kind, clock, "a:1", cat=catalog(slo("lag")))
    sched.tick()
    clock.advance(minutes=5, seconds=30)  # 9:01 to 9:05 missed (the server was down)
    outcomes = sched.tick()
    assert [(o.job.due_at, o.trigger) for o in outcomes] == [(T0 + dt.timedelta(minutes=1), "catch-up")]
    assert next_due(store, "recommender/lag") == T0 + dt.timedelta(minutes=6)
    with store.session() as s:
        run = s.get(MonitorRunRow, outcomes[0].job.run_id)
        assert run is not None and run.detail["missed_slots"] == 5
    clock.advance(seconds=10)
    assert sched.tick() == []
    clock.advance(seconds=20)  # 9:06:00
    assert [o.trigger for o in sched.tick()] == ["schedule"]
    assert len(kind.calls) == 3


def test_lease_expiry_lets_a_second_scheduler_take_over(store):
    kind, clock = FakeKind(), Clock()
    a, b = scheduler(store, kind, clock, "a:1"), scheduler(store, kind, clock, "b:2")
    assert len(a.tick()) == 2
    clock.advance(seconds=30)
    assert b.tick() == []  # a holds it until 9:01:00
    clock.advance(seconds=31)  # a stopped renewing (hung): its lease expired at 9:01
    assert [o.job.key for o in b.tick()] == ["recommender/lag"]
    clock.advance(seconds=1)
    assert a.tick() == []
    with store.session() as s:
        assert lease_holder(s, "monitors", clock()) == "b:2"
    assert [r[4] for r in runs(store)] == ["a:1", "a:1", "b:2"]


def test_a_kind_that_raises_finishes_its_run_as_an_error_and_the_others_still_run(store):
    kind = FakeKind()
    kind.failing["recommender/errors"] = RuntimeError("Prometheus said no\nTraceback follows")
    kind.failing_record.add("recommender/lag")
    cat = catalog(slo("lag"), slo("errors"), slo("fine"))
    outcomes = run_monitors(direct_units(store), cat, Path("."), now=T0, due_only=True, holder="h",
                            kinds={"slo": kind})
    assert [(o.job.key, o.evaluation.status, o.evaluation.summary) for o in outcomes] == [
        ("recommender/errors", "error", "RuntimeError: Prometheus said no"),
        ("recommender/fine", "ok", "fine checked"),
        ("recommender/lag", "error", "could not record the result: ValueError: cannot write this")]
    assert [(r[0], r[3]) for r in runs(store)] == [
        ("recommender/errors", "error"), ("recommender/fine", "ok"), ("recommender/lag", "error")]


def test_a_kind_that_is_not_installed_is_an_error_run(store):
    outcomes = run_monitors(direct_units(store), catalog(slo("lag")), Path("."), now=T0, due_only=True,
                            holder="h", kinds={})
    assert [(o.evaluation.status, o.evaluation.summary) for o in outcomes] == [
        ("error", "no monitor kind 'slo' is installed")]
    assert [r[3] for r in runs(store)] == ["error"]


def test_by_hand_every_enabled_monitor_runs_now_and_the_schedule_stays(store):
    kind = FakeKind()
    other = {"name": "fraud-model", "kind": "model", "monitors": [slo("quality")]}
    cat = catalog(slo("lag"), slo("off", enabled=False), others=(other,))
    units = direct_units(store)
    run_monitors(units, cat, Path("."), now=T0, due_only=True, holder="h", kinds={"slo": kind})
    later = T0 + dt.timedelta(seconds=20)
    outcomes = run_monitors(units, cat, Path("."), now=later, due_only=False, component="recommender",
                            holder="cli:9", kinds={"slo": kind})
    assert [(o.job.key, o.trigger, o.job.due_at) for o in outcomes] == [("recommender/lag", "manual", later)]
    assert next_due(store, "recommender/lag") == T0 + dt.timedelta(minutes=1)
    assert [(o.job.key, o.trigger) for o in run_monitors(units, cat, Path("."), now=later, due_only=False,
                                                         holder="cli:9", kinds={"slo": kind})] == [
        ("fraud-model/quality", "manual")]  # recommender/lag already ran at this instant
    with pytest.raises(NotFoundError, match="no component 'nope' in the inventory"):
        run_monitors(units, cat, Path("."), now=later, due_only=True, component="nope", holder="h",
                     kinds={"slo": kind})


def test_after_work_runs_after_the_record_and_on_outcomes_gets_the_batch(store):
    seen: list[object] = []

    class AfterKind(FakeKind):
        def evaluate(self, job: MonitorJob) -> Evaluation:
            evaluation = super().evaluate(job)
            evaluation.after.append(lambda units: seen.append(("after", units(
                lambda s: (s.get(MonitorRunRow, job.run_id).status, s.get(MonitorRunRow, job.run_id).evidence_url)))))
            evaluation.after.append(lambda units: 1 / 0)  # logged; the run still finishes
            return evaluation

    def on_outcomes(units, outcomes, now):
        seen.append(("outcomes", [o.job.key for o in outcomes], now, units(
            lambda s: [r.status for r in s.scalars(select(MonitorRunRow))])))

    run_monitors(direct_units(store), catalog(slo("lag")), Path("."), now=T0, due_only=True, holder="h",
                 kinds={"slo": AfterKind()}, on_outcomes=on_outcomes)
    run_monitors(direct_units(store), catalog(slo("lag")), Path("."), now=T0, due_only=True, holder="h",
                 kinds={"slo": AfterKind()}, on_outcomes=on_outcomes)
    assert seen == [("after", ("running", None)), ("outcomes", ["recommender/lag"], T0, ["ok"]),
                    ("outcomes", [], T0, ["ok"])]


def test_abandoned_runs_are_marked_by_the_lease_holder(store):
    kind, clock = FakeKind(), Clock()
    with store.session() as s:
        from mldebt.store.monitors import sync_schedules

        sync_schedules(s, catalog(slo("lag")), T0)
        claim = claim_due(s, "recommender/lag", T0, T0, "dead:1")
    assert claim is not None
    clock.advance(hours=3)
    sched = scheduler(store, kind, clock, "a:1", cat=catalog(slo("lag")))
    assert [o.trigger for o in sched.tick()] == ["catch-up"]
    assert [r[3] for r in runs(store)] == ["abandoned", "ok"]


def test_a_scheduler_thread_ticks_until_stopped_and_releases_its_lease(store):
    kind, clock = FakeKind(), Clock()
    ticked = threading.Event()

    def on_outcomes(units, outcomes, now):
        ticked.set()

    sched = scheduler(store, kind, clock, "a:1", on_outcomes=on_outcomes)
    handle = sched.start_in_thread(interval=0.01)
    assert ticked.wait(20)
    assert handle.stop(timeout=20) is True
    assert sorted(key for key, _, _ in kind.calls) == ["recommender/errors", "recommender/lag"]
    with store.session() as s:
        assert lease_holder(s, "monitors", clock()) is None
