"""`mldebt serve` runs the inventory's monitors in a thread whose every write is the writer's: a
monitor that runs long never delays /healthz or a webhook's answer, and holds no transaction."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from mldebt.domain.alerts import MonitorStatus
from mldebt.domain.component import Catalog
from mldebt.service.monitors.base import Evaluation, MonitorJob
from mldebt.service.scheduler import ServeMonitors, serve_monitors_from_settings
from mldebt.settings import MONITORS
from mldebt.store.monitor_tables import MonitorRunRow
from mldebt.store.monitors import lease_holder
from mldebt.web.app import create_app
from tests.support.transactions import EngineWatch
from tests.support.webhooks import SECRETS, fixture_json, signed_headers
from tests.web.conftest import settle

WAIT = 20.0  # only a hang reaches it
CATALOG = Catalog.model_validate({"version": 1, "components": [{"name": "recommender", "kind": "service", "monitors": [
    {"name": "lag", "kind": "slo", "every": "1m", "query": "up", "threshold": 0.3}]}]})


class SlowKind:
    """Evaluates until the test releases it, noting how many transactions its thread has open."""

    name = "slo"

    def __init__(self, watch: EngineWatch) -> None:
        self.watch = watch
        self.started, self.release = threading.Event(), threading.Event()
        self.open_while_evaluating: list[int] = []

    def evaluate(self, job: MonitorJob) -> Evaluation:
        self.open_while_evaluating.append(self.watch.open_here())
        self.started.set()
        self.release.wait(WAIT)
        return Evaluation(MonitorStatus.OK, "latency_p95 0.1 s <= 0.3 s")

    def record(self, session, job: MonitorJob, evaluation: Evaluation) -> Evaluation:
        return evaluation


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def sentry_delivery(n: int) -> tuple[bytes, dict[str, str]]:
    payload = fixture_json("sentry_issue_created.json")
    payload["data"]["issue"]["id"] = str(9_100 + n)
    body = json.dumps(payload).encode()
    return body, signed_headers("sentry", body, request_id=f"during-monitor-{n}")


def test_a_slow_monitor_never_delays_healthz_or_a_webhook_and_writes_only_through_the_writer(store):
    watch = EngineWatch(store.engine)
    kind = SlowKind(watch)
    monitors = ServeMonitors(lambda: CATALOG, Path("."), holder="test:1", interval=0.02, kinds={"slo": kind})

    def run_status() -> list[str]:
        with store.session() as session:
            return [r.status for r in session.scalars(select(MonitorRunRow))]

    try:
        with TestClient(create_app(store, secrets=SECRETS, monitors=monitors)) as api:
            assert kind.started.wait(WAIT), "the scheduler ran no monitor"
            # the monitor is evaluating now, in the scheduler's thread
            health = api.get("/healthz")
            answers = [api.post("/hooks/sentry", content=body, headers=headers).status_code
                       for body, headers in map(sentry_delivery, range(3))]
            settle(api)
            assert (health.status_code, health.json()["status"], answers) == (200, "ok", [202] * 3)
            assert run_status() == ["running"] and not kind.release.is_set()  # all while it ran
            kind.release.set()
            wait_for(lambda: run_status() == ["ok"], "the run to finish")
            units = api.get("/healthz").json()["writer"]["units"]
        writers = set(watch.writer_threads)
    finally:
        kind.release.set()
        watch.close()
    assert kind.open_while_evaluating == [0]  # no transaction open in the thread while evaluating
    assert units >= 4  # lease, abandon check, sync, claim, ..., each a unit of the writer
    # SQLite: the writer writes on the event loop's thread; PostgreSQL: through its own asyncpg engine
    assert len(writers) == (1 if store.engine.dialect.name == "sqlite" else 0)
    assert "mldebt-monitors" not in writers  # the scheduler's thread wrote nothing itself
    with store.session() as session:  # stopping released the lease: a restart takes over at once
        assert lease_holder(session, "monitors", dt.datetime.now(dt.UTC)) is None


def test_serve_runs_monitors_only_when_the_inventory_has_some_and_the_setting_allows(tmp_path, monkeypatch):
    monkeypatch.setenv("MLDEBT_SETTINGS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.delenv(MONITORS.env, raising=False)
    path = tmp_path / "mldebt.yaml"
    assert serve_monitors_from_settings(path) is None  # no inventory
    path.write_text("version: 1\ncomponents:\n  - {name: recommender, kind: service}\n")
    assert serve_monitors_from_settings(path) is None  # no monitors
    path.write_text("version: 1\ncomponents:\n  - name: recommender\n    kind: service\n    monitors:\n"
                    "      - {name: lag, kind: slo, every: 1m, query: up, threshold: 0.3}\n")
    on_outcomes = lambda units, outcomes, now: None  # noqa: E731
    monitors = serve_monitors_from_settings(path, on_outcomes)
    assert monitors is not None
    assert (monitors.catalog_dir, monitors.on_outcomes, monitors.interval) == (tmp_path.resolve(), on_outcomes, 5.0)
    assert [m.name for m in monitors.catalog_loader().components[0].monitors] == ["lag"]
    monkeypatch.setenv(MONITORS.env, "off")
    assert serve_monitors_from_settings(path) is None


def test_an_inventory_broken_by_an_edit_keeps_the_last_valid_monitors(tmp_path, monkeypatch):
    monkeypatch.setenv("MLDEBT_SETTINGS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.delenv(MONITORS.env, raising=False)
    path = tmp_path / "mldebt.yaml"
    path.write_text("version: 1\ncomponents:\n  - name: recommender\n    kind: service\n    monitors:\n"
                    "      - {name: lag, kind: slo, every: 1m, query: up, threshold: 0.3}\n")
    monitors = serve_monitors_from_settings(path)
    assert monitors is not None
    path.write_text("version: 1\ncomponents:\n  - name: recommender\n    kind: service\n    monitors:\n"
                    "      - {name: lag, kind: slo, every: 1m, query: up, threshold: 0.3}\n"
                    "      - {name: errors, kind: slo, every: 1m, query: up, threshold: 0.1}\n")
    os.utime(path, ns=(1, 1))  # a different stamp, whatever the file system's clock resolution
    assert [m.name for m in monitors.catalog_loader().components[0].monitors] == ["lag", "errors"]
    path.write_text("version: 1\ncomponents: [{name: recommender, kind: service, monitors: [{kind: slo}]}]\n")
    os.utime(path, ns=(2, 2))
    assert [m.name for m in monitors.catalog_loader().components[0].monitors] == ["lag", "errors"]
