"""A real Prometheus Alertmanager delivers firing and resolved alerts to a running mldebt."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from mldebt.store.database import open_store
from mldebt.store.ingest_tables import IncidentRow, RawEventRow
from tests.conftest import missing_service
from tests.support.postgres import free_port

CONFIG = """\
global:
  resolve_timeout: 5s
route:
  receiver: mldebt
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: mldebt
    webhook_configs:
      - url: {url}/hooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
"""


@pytest.fixture
def alertmanager(tmp_path: Path):
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        missing_service("prometheus-alertmanager not installed; run scripts/ensure-services as root")
    started: list[subprocess.Popen[bytes]] = []

    def start(mldebt_url: str, token: str) -> str:
        port = free_port()
        (tmp_path / "alertmanager.yml").write_text(CONFIG.format(url=mldebt_url, token=token))
        (tmp_path / "am-data").mkdir()
        with (tmp_path / "alertmanager.log").open("wb") as log:
            started.append(subprocess.Popen(
                [binary, f"--config.file={tmp_path / 'alertmanager.yml'}", f"--web.listen-address=127.0.0.1:{port}",
                 "--cluster.listen-address=", f"--storage.path={tmp_path / 'am-data'}"], stdout=log, stderr=log))
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError((tmp_path / "alertmanager.log").read_text()[-2000:])

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def wait_for(predicate, timeout: float = 40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError("timed out waiting for Alertmanager's delivery")


def test_alertmanager_delivers_firing_then_resolved(server_factory, alertmanager, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'mldebt.db'}"
    server = server_factory(database_url)
    am_url = alertmanager(server.url, "am-token")
    now = dt.datetime.now(dt.UTC)
    alert = {"labels": {"alertname": "RecsLatencyHigh", "service": "recs-api", "severity": "page"},
             "annotations": {"summary": "recs-api p99 latency above 800ms"},
             "startsAt": now.isoformat(), "endsAt": (now + dt.timedelta(seconds=4)).isoformat(),
             "generatorURL": "http://prometheus.test/graph"}
    assert httpx.post(f"{am_url}/api/v2/alerts", json=[alert], timeout=5).status_code == 200
    store = open_store(database_url)

    def incident():
        with store.session() as session:
            return session.scalar(select(IncidentRow))

    firing = wait_for(incident)
    assert (firing.component, firing.category, firing.source) == ("recs-api", "latency", "alertmanager")
    resolved = wait_for(lambda: (row := incident()) is not None and row.resolved_at is not None and row)
    assert resolved.reopen_count == 0
    with store.session() as session:
        statuses = [(r.status, r.verification) for r in session.scalars(select(RawEventRow))]
    store.close()
    assert ("parsed", "verified") in statuses and all(s in ("parsed", "duplicate") for s, _ in statuses)
    assert len([s for s, _ in statuses if s == "parsed"]) == 2
