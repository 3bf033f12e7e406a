"""The Prometheus client against a real Prometheus, a local misbehaving server and a closed port."""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mldebt.integrations.prometheus import MAX_RESPONSE_BYTES, MAX_SERIES, PrometheusClient, PrometheusError, Sample
from tests.support.postgres import free_port
from tests.support.prometheus_server import Exporter, PrometheusServer

T0 = dt.datetime(2026, 1, 5, 12, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrometheusServer, Exporter]]:
    with Exporter() as exporter:
        exporter.set("rec_latency_p95_seconds", 0.25)
        for index in range(MAX_SERIES + 1):
            exporter.set(f'many_series{{i="{index}"}}', 1.0)
        with PrometheusServer(tmp_path_factory.mktemp("prometheus"), exporter.target) as server:
            server.wait_for("rec_latency_p95_seconds")
            yield server, exporter


def _error(call: Any) -> PrometheusError:
    with pytest.raises(PrometheusError) as caught:
        call()
    return caught.value


def test_an_instant_vector_has_the_series_labels_and_value(prometheus):
    server, exporter = prometheus
    with PrometheusClient(server.url, timeout=5) as client:
        [sample] = client.query("rec_latency_p95_seconds", dt.datetime.now(dt.UTC))
    assert sample.labels == {"__name__": "rec_latency_p95_seconds", "instance": exporter.target, "job": "exporter"}
    assert sample.value == 0.25


def test_a_scalar_is_one_sample_without_labels_at_the_asked_time(prometheus):
    server, _ = prometheus
    with PrometheusClient(server.url, timeout=5) as client:
        assert client.query("scalar(vector(2))", T0) == [Sample({}, T0, 2.0)]
        assert client.query("vector(3)", T0) == [Sample({}, T0, 3.0)]
        assert client.query("rec_latency_p95_seconds > 100", dt.datetime.now(dt.UTC)) == []


def test_nan_and_infinities_come_back_as_floats(prometheus):
    server, _ = prometheus
    with PrometheusClient(server.url, timeout=5) as client:
        [nan] = client.query("vector(0) / 0", T0)
        [inf] = client.query("vector(1) / 0", T0)
        [minus_inf] = client.query("vector(-1) / 0", T0)
    assert math.isnan(nan.value)
    assert (inf.value, minus_inf.value) == (math.inf, -math.inf)


def test_a_range_has_one_point_per_step(prometheus):
    server, _ = prometheus
    with PrometheusClient(server.url, timeout=5) as client:
        [series] = client.query_range("vector(3)", T0, T0 + dt.timedelta(seconds=4), 1)
    assert series.labels == {}
    assert series.points == tuple((T0 + dt.timedelta(seconds=s), 3.0) for s in range(5))


def test_a_bad_promql_is_prometheus_own_bad_data_error(prometheus):
    server, _ = prometheus
    with PrometheusClient(server.url, timeout=5) as client:
        error = _error(lambda: client.query("sum(", T0))
        range_error = _error(lambda: client.query_range("rate(x)", T0, T0 + dt.timedelta(seconds=10), 1))
    assert error.reason == "bad_data"
    assert error.message.startswith("bad_data: ")
    assert "parse error" in error.message
    assert range_error.reason == "bad_data"
    assert "range vector" in range_error.message
    assert "\n" not in error.summary() and error.summary().startswith("Prometheus bad_data: bad_data: ")


def test_a_range_vector_from_an_instant_query_is_refused(prometheus):
    server, _ = prometheus
    with PrometheusClient(server.url, timeout=5) as client:
        error = _error(lambda: client.query("rec_latency_p95_seconds[5s]", dt.datetime.now(dt.UTC)))
    assert (error.reason, error.message) == ("bad_data", "the query gives a matrix, not an instant vector or a scalar")


def test_too_many_series_are_refused(prometheus):
    server, _ = prometheus
    now = dt.datetime.now(dt.UTC)
    with PrometheusClient(server.url, timeout=5) as client:
        instant = _error(lambda: client.query("many_series", now))
        ranged = _error(lambda: client.query_range("many_series", now - dt.timedelta(seconds=2), now, 1))
    assert (instant.reason, instant.message) == ("too_many_series", f"{MAX_SERIES + 1} series (at most {MAX_SERIES})")
    assert ranged.reason == "too_many_series"


def test_too_many_points_are_refused_before_asking(prometheus):
    server, _ = prometheus
    with PrometheusClient(server.url, timeout=5) as client:
        error = _error(lambda: client.query_range("vector(1)", T0, T0 + dt.timedelta(hours=1), 0.1))
    assert error.reason == "too_many_points"
    assert error.message.startswith("36001 points per series (at most 11000)")


def test_a_closed_port_is_unreachable():
    url = f"http://127.0.0.1:{free_port()}"
    error = _error(lambda: PrometheusClient(url, timeout=2).query("up", T0))
    assert error.reason == "unreachable"
    assert error.message.startswith(f"{url}: ConnectError")


class _Misbehaving(BaseHTTPRequestHandler):
    """The first path segment says how to misbehave; `/echo` answers a scalar and records headers."""

    seen: list[dict[str, str]] = []

    def log_message(self, *_: Any) -> None:
        pass

    def do_GET(self) -> None:
        mode = self.path.split("/")[1]
        try:
            if mode == "html":
                self._send(502, b"<html><body>Bad gateway</body></html>", "text/html")
            elif mode == "huge":
                self._huge()
            elif mode == "slow":
                time.sleep(3)
                self._send(200, b"{}")
            elif mode == "drip":
                self._drip()
            elif mode == "echo":
                type(self).seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                self._json({"status": "success", "data": {"resultType": "scalar", "result": [1767614400, "1"]}})
            elif mode == "shape":
                self._json({"status": "success", "data": {"resultType": "vector", "result": "nope"}})
            elif mode == "noenvelope":
                self._json({"hello": "world"})
            elif mode == "word":
                self._json({"status": "success", "data": {"resultType": "vector", "result": [
                    {"metric": {}, "value": [1767614400, "lots"]}]}})
            elif mode == "timeout":
                self._json({"status": "error", "errorType": "timeout", "error": "query timed out in expression "
                                                                                 "evaluation"}, status=503)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, body: Any, status: int = 200) -> None:
        self._send(status, json.dumps(body).encode())

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        chunk = b" " * 65536
        for _ in range(MAX_RESPONSE_BYTES // len(chunk) + 2):
            self.wfile.write(chunk)

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        for _ in range(30):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.1)


@pytest.fixture(scope="module")
def misbehaving() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("mode", "reason", "message"), [
    ("html", "not_json", "HTTP 502, not JSON: '<html><body>Bad gateway</body></html>'"),
    ("huge", "too_large", f"the answer is over {MAX_RESPONSE_BYTES} bytes"),
    ("shape", "malformed", "data.result must be an array"),
    ("noenvelope", "malformed", "HTTP 200: no Prometheus envelope (status success or error)"),
    ("word", "malformed", "data.result[0].value: 'lots' is not a number"),
    ("timeout", "timeout", "timeout: query timed out in expression evaluation"),
])
def test_misbehaving_answers_have_one_reason_each(misbehaving, mode, reason, message):
    error = _error(lambda: PrometheusClient(f"{misbehaving}/{mode}", timeout=5).query("up", T0))
    assert (error.reason, error.message) == (reason, message)


def test_no_answer_within_the_timeout_is_a_timeout(misbehaving):
    error = _error(lambda: PrometheusClient(f"{misbehaving}/slow", timeout=0.5).query("up", T0))
    assert (error.reason, error.message) == ("timeout", f"no answer from {misbehaving}/slow within 0.5s")


def test_an_answer_that_trickles_past_the_timeout_is_a_timeout(misbehaving):
    error = _error(lambda: PrometheusClient(f"{misbehaving}/drip", timeout=0.5).query("up", T0))
    assert (error.reason, error.message) == ("timeout", "no complete answer within 0.5s")


def test_the_bearer_token_and_the_query_timeout_are_sent(misbehaving):
    _Misbehaving.seen.clear()
    with PrometheusClient(f"{misbehaving}/echo/", timeout=2, bearer="s3cret") as client:
        assert client.query("up", T0) == [Sample({}, dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC), 1.0)]
    assert _Misbehaving.seen[0]["authorization"] == "Bearer s3cret"
    assert _Misbehaving.seen[0]["path"] == "/echo/api/v1/query?query=up&time=1767614400.000&timeout=2s"
