"""A real Prometheus scrapes a running mldebt with a viewer token and answers PromQL with the store's values."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from mldebt.service.tokens import create_api_token
from mldebt.store.database import open_store
from tests.conftest import missing_service
from tests.support.metrics_data import seed
from tests.support.postgres import free_port
from tests.support.promql import dashboard, panel_expressions, substituted

CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mldebt
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: {token_file}
    static_configs:
      - targets: ["{target}"]
"""


@pytest.fixture
def prometheus(tmp_path: Path):
    binary = shutil.which("prometheus")
    if binary is None:
        missing_service("prometheus not installed; run scripts/ensure-services as root")
    started: list[subprocess.Popen[bytes]] = []
    log_file = tmp_path / "prometheus.log"

    def start(target: str, token: str) -> str:
        port = free_port()
        token_file = tmp_path / "mldebt.token"
        token_file.write_text(token)
        token_file.chmod(0o600)
        (tmp_path / "prometheus.yml").write_text(CONFIG.format(token_file=token_file, target=target))
        with log_file.open("wb") as log:
            started.append(subprocess.Popen(
                [binary, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=log))
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            if started[-1].poll() is not None:
                break
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(log_file.read_text()[-2000:])

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def query(url: str, expression: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/api/v1/query", params={"query": expression}, timeout=5)
    body: dict[str, Any] = response.json()
    return body


def value_of(url: str, expression: str, timeout: float = 30.0) -> float:
    """The single value of an instant query, waiting until Prometheus has it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = query(url, expression)["data"]["result"]
        if result:
            assert len(result) == 1, result
            return float(result[0]["value"][1])
        time.sleep(0.25)
    raise AssertionError(f"Prometheus had no value for {expression}")


def test_prometheus_scrapes_mldebt_and_promql_gives_the_store_values(server_factory, prometheus, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'mldebt.db'}"
    store = open_store(database_url)
    seed(store, dt.datetime.now(dt.UTC))
    token = create_api_token(store, "viewer", "prometheus")["token"]
    store.close()
    server = server_factory(database_url)
    url = prometheus(server.url.removeprefix("http://"), token)

    assert value_of(url, 'up{job="mldebt"} == 1') == 1.0  # scraped, with the token
    assert value_of(url, 'sum(mldebt_debt_open_items{component="chatbot"})') == 3.0
    assert value_of(url, 'sum(mldebt_debt_open_interest_high_per_week{component="chatbot", currency="USD"})') == 850.0
    assert value_of(url, 'mldebt_ai_incident_mttr_seconds{component="chatbot"}') == 2700.0
    assert value_of(url, 'mldebt_drift_share_ratio{component="recs-api"}') == 0.6
    assert value_of(url, 'sum(mldebt_http_requests_total{route="/metrics", code="200"}) > 0') > 0

    failures = []
    for title, expression in panel_expressions(dashboard()):
        answer = query(url, substituted(expression))
        if answer.get("status") != "success":
            failures.append((title, expression, answer.get("error")))
    assert failures == []


def test_prometheus_without_the_token_sees_the_target_down(server_factory, prometheus, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'mldebt.db'}"
    open_store(database_url).close()
    server = server_factory(database_url)
    url = prometheus(server.url.removeprefix("http://"), "not-a-token")
    assert value_of(url, 'up{job="mldebt"} == 0') == 0.0
    targets = httpx.get(f"{url}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
    assert "401" in targets[0]["lastError"]
