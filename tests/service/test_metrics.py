"""The store read behind /metrics: hand-worked values on SQLite and PostgreSQL, and the cache."""

from __future__ import annotations

import datetime as dt

from mldebt.metrics.exposition import StoreSnapshot, render
from mldebt.service.metrics import CachedSnapshot, read_snapshot
from tests.support.metrics_data import EXPECTED, NOW, samples, seed


def test_snapshot_of_known_rows_gives_the_hand_worked_values(store):
    seed(store)
    got = samples(render(read_snapshot(store, NOW)).decode())
    assert {key: got.get(key) for key in EXPECTED} == EXPECTED


def test_resolved_and_accepted_items_unlinked_incidents_and_old_answers_are_left_out(store):
    seed(store)
    got = samples(render(read_snapshot(store, NOW)).decode())
    components = {dict(labels).get("component") for (name, labels) in got if name.startswith("mldebt_")}
    assert components == {None, "chatbot", "analytics-job", "recs-api"}
    assert ("mldebt_debt_open_items", (("category", "documentation"), ("component", "analytics-job"))) not in got
    assert sum(v for (name, _), v in got.items() if name == "mldebt_debt_open_items") == 4.0


def test_an_empty_store_gives_families_without_samples(store):
    snapshot = read_snapshot(store, NOW)
    assert (snapshot.debt, snapshot.incidents, snapshot.drift, snapshot.findings, snapshot.deliveries) == (
        (), (), (), (), {})


def test_cached_snapshot_reads_the_store_once_per_ttl():
    clock = [100.0]
    reads: list[int] = []

    def reader(_store) -> StoreSnapshot:
        reads.append(1)
        return StoreSnapshot(taken_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    cached = CachedSnapshot(None, ttl=10.0, clock=lambda: clock[0], reader=reader)  # type: ignore[arg-type]
    first = cached()
    clock[0] = 109.9
    assert cached() is first and len(reads) == 1
    clock[0] = 110.0
    assert cached() is not first and len(reads) == 2 and cached.reads == 2


def test_a_scrape_storm_reads_the_store_once():
    import threading
    import time

    started = threading.Barrier(8)
    reads: list[int] = []

    def reader(_store) -> StoreSnapshot:
        reads.append(1)
        time.sleep(0.05)  # a slow read: the others arrive while it runs
        return StoreSnapshot(taken_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    cached = CachedSnapshot(None, ttl=10.0, reader=reader)  # type: ignore[arg-type]

    def scrape() -> None:
        started.wait()
        cached()

    threads = [threading.Thread(target=scrape) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1


def test_a_store_with_more_components_than_the_cap_exports_500_names_and_other(store):
    from mldebt.store import debt

    with store.session() as session:
        for n in range(502):  # component c000 carries the most interest, c501 the least
            debt.add_item(session, {"key": f"k{n}", "title": "t", "category": "code", "component": f"c{n:03d}",
                                    "source": "manual", "severity": "low", "status": "open", "effort_low_hours": 1.0,
                                    "effort_high_hours": 2.0, "interest_high": 1000.0 - n, "first_seen_at": NOW},
                          "test", NOW)
    got = samples(render(read_snapshot(store, NOW)).decode())
    items = {dict(labels)["component"]: v for (name, labels), v in got.items() if name == "mldebt_debt_open_items"}
    assert len(items) == 501 and items["(other)"] == 2.0 and "c499" in items and "c500" not in items
    assert got[("mldebt_metrics_folded_components", ())] == 2.0
