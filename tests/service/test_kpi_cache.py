"""The overview's KPI cache: one computation per ttl, stale answers at once while one refresh runs."""

import datetime as dt
import threading

from mldebt.service.kpi_cache import KpiCache

T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def counting(release: threading.Event | None = None):
    calls: list[dt.datetime] = []

    def compute(_store, now):
        if release is not None and calls:
            release.wait(5)
        calls.append(now)
        return {"quarter": "2026Q4", "n": len(calls)}

    return compute, calls


def test_the_first_reader_computes_and_later_readers_within_ttl_share_it():
    clock, (compute, calls) = Clock(), counting()
    cache = KpiCache(None, ttl=60, clock=clock, compute=compute, wall=lambda: T0)
    first = cache.get()
    clock.now = 59.9
    assert cache.get() is first and first.report == {"quarter": "2026Q4", "n": 1} and first.computed_at == T0
    assert len(calls) == 1 and cache.computations == 1


def test_a_stale_reader_gets_the_last_report_at_once_and_one_refresh_runs_behind_it():
    release = threading.Event()
    clock, (compute, calls) = Clock(), counting(release)
    cache = KpiCache(None, ttl=60, clock=clock, compute=compute, wall=lambda: T0)
    cache.get()
    clock.now = 61
    stale = [cache.get() for _ in range(5)]  # the refresh is blocked: every reader gets the old report
    assert {s.report["n"] for s in stale} == {1} and len(calls) == 1
    release.set()
    for _ in range(500):
        if cache.computations == 2:
            break
        threading.Event().wait(0.01)
    assert cache.computations == 2 and cache.get().report["n"] == 2


def test_a_failed_refresh_keeps_the_last_report_and_the_next_stale_reader_retries():
    clock = Clock()
    results = [{"n": 1}, RuntimeError("store away"), {"n": 3}]

    def compute(_store, _now):
        result = results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    cache = KpiCache(None, ttl=10, clock=clock, compute=compute, wall=lambda: T0)
    assert cache.get().report == {"n": 1}
    clock.now = 11
    assert cache.get().report == {"n": 1}
    for _ in range(500):
        if len(results) == 1 and not cache._refreshing:
            break
        threading.Event().wait(0.01)
    assert cache.get().report == {"n": 1}  # starts the retry
    for _ in range(500):
        if cache.computations == 2:
            break
        threading.Event().wait(0.01)
    assert cache.get().report == {"n": 3}


def test_invalidate_makes_the_next_reader_refresh():
    clock, (compute, calls) = Clock(), counting()
    cache = KpiCache(None, ttl=60, clock=clock, compute=compute, wall=lambda: T0)
    cache.get()
    cache.invalidate()
    cache.get()
    for _ in range(500):
        if cache.computations == 2:
            break
        threading.Event().wait(0.01)
    assert len(calls) == 2
