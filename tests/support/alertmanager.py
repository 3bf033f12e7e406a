"""A real Prometheus Alertmanager for tests (Debian's binary) whose one receiver is a mldebt server's
`/hooks/alertmanager`, with a bearer token; short group waits so a test sees deliveries within seconds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.conftest import missing_service
from tests.support.alertmanager_process import AlertmanagerProcess, binary

CONFIG = """\
global:
  resolve_timeout: {resolve_timeout}
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


def alertmanager_factory(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`start(mldebt_url, token, resolve_timeout="5s") -> Alertmanager's URL`; stops what it started."""
    if binary() is None:
        missing_service("prometheus-alertmanager not installed; run scripts/ensure-services as root")
    started: list[AlertmanagerProcess] = []

    def start(mldebt_url: str, token: str, resolve_timeout: str = "5s") -> str:
        config = CONFIG.format(url=mldebt_url, token=token, resolve_timeout=resolve_timeout)
        started.append(AlertmanagerProcess(tmp_path, config).start())
        return started[-1].url

    yield start
    for process in started:
        process.stop()


def wait_for(predicate: Callable[[], Any], timeout: float = 40.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError("timed out waiting for Alertmanager's delivery")
