"""A real `mldebt serve` process on a free loopback port, for end-to-end tests and the benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.postgres import free_port
from tests.support.webhooks import SECRETS

STOREFRONT = Path(__file__).resolve().parents[2] / "examples" / "storefront" / "mldebt.yaml"


class ServerProcess:
    def __init__(self, database_url: str, workdir: Path, port: int | None = None,
                 secrets: dict[str, str] | None = None, monitors: bool = False) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.port = port or free_port()
        self.secrets = SECRETS if secrets is None else secrets
        self.monitors = monitors  # the storefront declares monitors: off unless a test is about them
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        env = {**os.environ, "MLDEBT_DATABASE_URL": self.database_url, "MLDEBT_CATALOG": str(STOREFRONT),
               "MLDEBT_SETTINGS_FILE": str(self.workdir / "none.toml"),
               "MLDEBT_MONITORS": "on" if self.monitors else "off"}
        env.pop("SENTRY_DSN", None)
        env.update({f"MLDEBT_{source.upper()}_SECRET": secret for source, secret in self.secrets.items()})
        exe = Path(sys.executable).with_name("mldebt")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([str(exe), "serve", "--port", str(self.port)], env=env,
                                            cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mldebt serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"mldebt serve did not become healthy: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush: what a crash or OOM kill does."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
