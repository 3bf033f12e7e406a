"""Debian's Prometheus Alertmanager as a throwaway process on a free loopback port.

`AlertmanagerProcess(workdir, config).start()` writes the config, starts the binary without
clustering, and waits for `/-/ready`; `stop()` ends it. `binary()` is None when it is not installed
(the caller decides: `tests.conftest.missing_service`).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.postgres import free_port

NULL_RECEIVER_CONFIG = """\
global:
  resolve_timeout: 5m
route:
  receiver: blackhole
  group_by: [alertname]
receivers:
  - name: blackhole
"""


def binary() -> str | None:
    return shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


class AlertmanagerProcess:
    def __init__(self, workdir: Path, config: str = NULL_RECEIVER_CONFIG) -> None:
        self.workdir = workdir
        self.config = config
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"alertmanager-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> AlertmanagerProcess:
        executable = binary()
        if executable is None:
            raise RuntimeError("prometheus-alertmanager is not installed")
        config = self.workdir / f"alertmanager-{self.port}.yml"
        config.write_text(self.config)
        storage = self.workdir / f"am-data-{self.port}"
        storage.mkdir()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [executable, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{self.port}",
                 "--cluster.listen-address=", f"--storage.path={storage}"], stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"alertmanager did not become ready: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
