"""The `slo` monitor kind: a real Prometheus scraping a test exporter; a breach and a recovery make
exactly one incident, opened then resolved; errors are monitor errors that touch no incident."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from mldebt.domain.alerts import MonitorStatus
from mldebt.domain.component import Catalog
from mldebt.domain.monitoring import SloMonitor
from mldebt.service.monitors.base import Evaluation, MonitorJob
from mldebt.service.monitors.slo_monitor import KIND, slo_category
from mldebt.store.database import Store, open_store
from mldebt.store.ingest_tables import IncidentIntervalRow, IncidentRow
from tests.support.postgres import free_port
from tests.support.prometheus_server import Exporter, PrometheusServer

LAG = {"name": "lag", "kind": "slo", "every": "1m", "objective": "latency_p95", "threshold": 0.3, "window": "2s",
       "step": "1s", "query": "max(rec_latency_p95_seconds)"}
BURN = {"name": "errors", "kind": "slo", "every": "1m", "objective": "error_rate",
        "query": "sum(rate(rec_errors_total[$window])) / sum(rate(rec_requests_total[$window]))",
        "burn_rate": {"objective": 0.9, "fast": {"long": "6s", "short": "3s", "factor": 2}, "slow": None}}


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrometheusServer, Exporter]]:
    with Exporter() as exporter:
        exporter.set("rec_latency_p95_seconds", 0.1)
        exporter.grow("rec_requests_total", 100)
        exporter.grow("rec_errors_total", 0)
        with PrometheusServer(tmp_path_factory.mktemp("prometheus"), exporter.target) as server:
            yield server, exporter


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'mldebt.db'}")
    yield store
    store.close()


def catalog(monitor: dict[str, Any], prometheus_url: str | None) -> Catalog:
    monitoring = {"prometheus": {"url": prometheus_url, "timeout": "2s"}} if prometheus_url else {}
    return Catalog.model_validate({"version": 1, "monitoring": monitoring, "components": [
        {"name": "recommender", "kind": "service", "monitors": [monitor]}]})


def job(cat: Catalog, now: dt.datetime | None = None) -> MonitorJob:
    component = cat.components[0]
    monitor = component.monitors[0]
    now = now or dt.datetime.now(dt.UTC)
    return MonitorJob(key=f"{component.name}/{monitor.name}", component=component, monitor=monitor, catalog=cat,
                      catalog_dir=Path("."), run_id=1, due_at=now, now=now)


def evaluate_until(cat: Catalog, status: MonitorStatus, timeout: float = 30.0) -> tuple[MonitorJob, Evaluation]:
    """Evaluate now and again until the status is `status` (Prometheus scrapes once a second)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        run = job(cat)
        evaluation = KIND.evaluate(run)
        if evaluation.status == status:
            return run, evaluation
        seen.append(evaluation.summary)
        time.sleep(0.2)
    raise AssertionError(f"never {status}: {seen[-3:]}")


def record(store: Store, run: MonitorJob, evaluation: Evaluation) -> Evaluation:
    with store.session() as session:
        return KIND.record(session, run, evaluation)


def incidents(store: Store) -> list[dict[str, Any]]:
    with store.session() as session:
        rows = session.execute(select(IncidentRow).order_by(IncidentRow.id)).scalars().all()
        return [{"source": r.source, "fingerprint": r.fingerprint, "component": r.component, "category": r.category,
                 "open": r.resolved_at is None, "reopen_count": r.reopen_count,
                 "intervals": [i.resolved_at is None for i in session.execute(
                     select(IncidentIntervalRow).where(IncidentIntervalRow.incident_id == r.id)).scalars()]}
                for r in rows]


def test_a_latency_slo_breached_then_restored_opens_and_resolves_one_incident(prometheus, sqlite_store):
    server, exporter = prometheus
    cat = catalog(LAG, server.url)
    run, holds = evaluate_until(cat, MonitorStatus.OK)
    assert "incident" not in record(sqlite_store, run, holds).detail
    assert incidents(sqlite_store) == []

    exporter.set("rec_latency_p95_seconds", 0.5)
    run, breach = evaluate_until(cat, MonitorStatus.BREACH)
    assert breach.summary.startswith("latency_p95 0.5 > 0.3 at all ")
    assert (breach.value, breach.threshold, breach.category) == (0.5, 0.3, "latency")
    assert record(sqlite_store, run, breach).detail["incident"] == "opened"
    run, again = evaluate_until(cat, MonitorStatus.BREACH)
    assert record(sqlite_store, run, again).detail["incident"] == "unchanged"

    exporter.set("rec_latency_p95_seconds", 0.1)
    run, restored = evaluate_until(cat, MonitorStatus.OK)
    assert restored.summary.startswith("latency_p95 0.1 holds (> 0.3 at ")
    assert record(sqlite_store, run, restored).detail["incident"] == "resolved"
    run, still = evaluate_until(cat, MonitorStatus.OK)
    assert "incident" not in record(sqlite_store, run, still).detail

    assert incidents(sqlite_store) == [{"source": "monitor", "fingerprint": "monitor:recommender/lag",
                                        "component": "recommender", "category": "latency", "open": False,
                                        "reopen_count": 0, "intervals": [False]}]


def test_a_burn_rate_slo_fires_on_both_windows_and_resolves_on_the_short_one(prometheus, sqlite_store):
    server, exporter = prometheus
    cat = catalog(BURN, server.url)
    exporter.grow("rec_errors_total", 0)
    run, holds = evaluate_until(cat, MonitorStatus.OK)
    assert holds.summary == "error budget holds: error ratio 0 <= 0.2 over 6s and 3s"
    record(sqlite_store, run, holds)

    exporter.grow("rec_errors_total", 50)  # half the requests fail: 0.5 > 2 x (1 - 0.9)
    run, breach = evaluate_until(cat, MonitorStatus.BREACH)
    assert breach.summary.startswith("error budget burning (fast): error ratio ")
    assert (breach.threshold, breach.category) == (pytest.approx(0.2), "model-error")
    assert breach.detail["pairs"][0]["burning"] is True
    assert record(sqlite_store, run, breach).detail["incident"] == "opened"

    exporter.grow("rec_errors_total", 0)
    run, restored = evaluate_until(cat, MonitorStatus.OK)
    assert record(sqlite_store, run, restored).detail["incident"] == "resolved"
    assert incidents(sqlite_store) == [{"source": "monitor", "fingerprint": "monitor:recommender/errors",
                                        "component": "recommender", "category": "model-error", "open": False,
                                        "reopen_count": 0, "intervals": [False]}]


def test_no_data_is_a_monitor_error_not_an_incident(prometheus, sqlite_store):
    server, _ = prometheus
    cat = catalog({**LAG, "query": "max(no_such_metric)"}, server.url)
    run = job(cat)
    evaluation = KIND.evaluate(run)
    assert (evaluation.status, evaluation.summary) == (MonitorStatus.ERROR,
                                                       "no data: the query gave no value in the last 2s")
    assert record(sqlite_store, run, evaluation) is evaluation
    assert incidents(sqlite_store) == []


def test_a_bad_query_is_a_one_line_monitor_error(prometheus):
    server, _ = prometheus
    evaluation = KIND.evaluate(job(catalog({**LAG, "query": "max(rec_latency_p95_seconds"}, server.url)))
    assert evaluation.status == MonitorStatus.ERROR
    assert evaluation.summary.startswith("Prometheus bad_data: bad_data: ")
    assert "\n" not in evaluation.summary
    assert evaluation.detail["reason"] == "bad_data"


def test_many_series_are_a_monitor_error(prometheus):
    server, _ = prometheus
    query = "label_replace(vector(1), 'a', 'x', '', '') or label_replace(vector(2), 'a', 'y', '', '')"
    evaluation = KIND.evaluate(job(catalog({**LAG, "query": query}, server.url)))
    assert (evaluation.status, evaluation.detail["reason"]) == (MonitorStatus.ERROR, "too_many_series")


def test_an_unreachable_prometheus_is_a_monitor_error_that_touches_no_incident(store):
    url = f"http://127.0.0.1:{free_port()}"
    run = job(catalog(LAG, url))
    evaluation = KIND.evaluate(run)
    assert evaluation.status == MonitorStatus.ERROR
    assert evaluation.summary.startswith(f"Prometheus unreachable: {url}: ConnectError")
    assert evaluation.detail["reason"] == "unreachable"
    assert record(store, run, evaluation).detail == {"reason": "unreachable", "error": evaluation.detail["error"]}
    assert incidents(store) == []


def test_without_monitoring_prometheus_the_monitor_says_so():
    evaluation = KIND.evaluate(job(catalog(LAG, None)))
    assert (evaluation.status, evaluation.summary) == (MonitorStatus.ERROR, "no monitoring.prometheus in mldebt.yaml")


def test_a_burn_rate_query_without_the_window_variable_is_a_monitor_error():
    evaluation = KIND.evaluate(job(catalog({**BURN, "query": "sum(rate(rec_errors_total[5m]))"}, "http://x:9090")))
    assert (evaluation.status, evaluation.summary) == (
        MonitorStatus.ERROR, "a burn_rate query must contain $window (the window of each error ratio)")


def test_category_defaults_by_objective_overrides_and_must_exist():
    monitors = [SloMonitor.model_validate({**LAG, "objective": objective})
                for objective in ("latency_p95", "error_rate", "freshness", "custom")]
    assert [slo_category(m) for m in monitors] == ["latency", "model-error", "data-quality", None]
    assert slo_category(SloMonitor.model_validate({**LAG, "category": "Infrastructure"})) == "infrastructure"
    evaluation = KIND.evaluate(job(catalog({**LAG, "category": "spam"}, "http://127.0.0.1:9")))
    assert evaluation.summary.startswith("category 'spam' is not one of api-mismatch, retraining-delay, latency")


def test_record_opens_keeps_resolves_and_reopens_one_incident(store):
    cat = catalog({**LAG, "category": "infrastructure"}, "http://127.0.0.1:9")
    t0 = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)

    def run(minutes: int, status: MonitorStatus) -> dict[str, Any]:
        evaluation = Evaluation(status, f"latency_p95 {status}", category="infrastructure")
        return record(store, job(cat, t0 + dt.timedelta(minutes=minutes)), evaluation).detail

    assert run(0, MonitorStatus.OK) == {}  # healthy and no incident: nothing written
    assert run(1, MonitorStatus.BREACH) == {"incident": "opened"}
    assert run(2, MonitorStatus.ERROR) == {}  # could not check: the incident stays as it is
    assert run(3, MonitorStatus.BREACH) == {"incident": "unchanged"}
    assert run(4, MonitorStatus.OK) == {"incident": "resolved"}
    assert run(5, MonitorStatus.OK) == {}
    assert run(6, MonitorStatus.BREACH) == {"incident": "reopened"}
    assert incidents(store) == [{"source": "monitor", "fingerprint": "monitor:recommender/lag",
                                 "component": "recommender", "category": "infrastructure", "open": True,
                                 "reopen_count": 1, "intervals": [False, True]}]
