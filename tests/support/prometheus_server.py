"""A real Prometheus for tests (Debian's binary, 1 s scrapes) and a tiny exporter it scrapes.

`Exporter` serves `/metrics` in the text exposition format from values the test sets: `set` a gauge
(`rec_latency_p95_seconds 0.41`), or `grow` a counter by a fixed amount on every scrape, so that
`rate(errors[..]) / rate(requests[..])` is exactly the ratio of the two amounts. `PrometheusServer`
starts Prometheus scraping it on a free loopback port and waits until the exporter's `up` is 1.
Use both as context managers (module- or function-scoped fixtures in the tests).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import missing_service
from tests.support.postgres import free_port

CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: exporter
    static_configs:
      - targets: ["{target}"]
"""


class Exporter:
    """`/metrics` from `gauges` and `counters` (name or `name{labels}` -> value), thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.gauges: dict[str, float] = {}
        self.counters: dict[str, float] = {}
        self.growth: dict[str, float] = {}
        self.scrapes = 0
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                body = exporter.exposition().encode() if self.path == "/metrics" else b""
                self.send_response(200 if self.path == "/metrics" else 404)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def set(self, name: str, value: float) -> None:
        with self.lock:
            self.gauges[name] = value

    def grow(self, name: str, per_scrape: float) -> None:
        """From now on `name` (a counter) grows by `per_scrape` at every scrape."""
        with self.lock:
            self.counters.setdefault(name, 0.0)
            self.growth[name] = per_scrape

    def exposition(self) -> str:
        with self.lock:
            self.scrapes += 1
            for name, step in self.growth.items():
                self.counters[name] += step
            lines = [f"{name} {_text(value)}" for name, value in sorted(self.gauges.items())]
            lines += [f"{name} {_text(value)}" for name, value in sorted(self.counters.items())]
        return "\n".join(lines) + "\n"

    def __enter__(self) -> Exporter:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _text(value: float) -> str:
    return {float("inf"): "+Inf", float("-inf"): "-Inf"}.get(value, "NaN" if value != value else repr(value))


class PrometheusServer:
    """Prometheus scraping `target` every second, its data in `directory`."""

    def __init__(self, directory: Path, target: str) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            missing_service("prometheus not installed; run scripts/ensure-services as root")
        self.binary = str(binary)
        self.directory = directory
        self.target = target
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrometheusServer:
        port = free_port()
        config = self.directory / "prometheus.yml"
        config.write_text(CONFIG.format(target=self.target))
        log_file = self.directory / "prometheus.log"
        with log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [self.binary, f"--config.file={config}", f"--storage.tsdb.path={self.directory / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=log)
        self.url = f"http://127.0.0.1:{port}"
        if not self._wait_until('up{job="exporter"} == 1'):
            self.__exit__()
            raise RuntimeError(log_file.read_text()[-2000:])
        return self

    def _wait_until(self, expression: str, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                answer = httpx.get(f"{self.url}/api/v1/query", params={"query": expression}, timeout=1).json()
                if answer.get("status") == "success" and answer["data"]["result"]:
                    return True
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        return False

    def wait_for(self, expression: str, timeout: float = 30.0) -> None:
        """Until `expression` gives a non-empty result (a value the exporter was just set to is scraped)."""
        if not self._wait_until(expression, timeout):
            raise AssertionError(f"Prometheus never answered {expression!r} with a value")

    def __exit__(self, *_: object) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
