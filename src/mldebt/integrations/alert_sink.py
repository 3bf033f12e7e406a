"""A local Alertmanager-like sink: receives `POST /api/v2/alerts` the way Alertmanager does.

The demo (and anyone without an Alertmanager at hand) points an `alertmanager` channel at it and
watches alerts arrive. It keeps what Alertmanager keeps, in memory: one alert per label set (the
same labels are the same alert, updated in place), resolved once its `endsAt` is past, and answers
`GET /api/v2/alerts` with the current list and `GET /-/healthy`. Unlike Alertmanager it lists
resolved alerts too (state `resolved`), so a demo can show that a resolve arrived; it routes and
notifies no one, except the optional `on_alert` callback, called once per received alert.

Requests are bounded (body size, alerts per request, alerts kept) and a malformed one is answered
400 with a message naming the problem, as `{"code": 400, "message": ...}` like Alertmanager.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY_BYTES = 1024 * 1024
MAX_ALERTS_PER_REQUEST = 1000
MAX_ALERTS_KEPT = 10_000
ZERO_TIME_YEAR = 1  # Go's zero time (0001-01-01T00:00:00Z) means "not set"

log = logging.getLogger(__name__)


class SinkError(ValueError):
    """A request the sink refuses; the message names the problem."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SinkAlert:
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    generator_url: str | None
    received_at: dt.datetime

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(sorted(self.labels.items())).encode()).hexdigest()[:16]

    def resolved(self, now: dt.datetime) -> bool:
        return self.ends_at is not None and self.ends_at <= now

    def line(self, now: dt.datetime | None = None) -> str:
        """One line for a terminal: state, alertname, the mldebt key (or the labels), the summary."""
        state = "resolved" if self.resolved(now or self.received_at) else "firing"
        name = self.labels.get("alertname", "-")
        who = self.labels.get("mldebt_alert") or ",".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        summary = " ".join(self.annotations.get("summary", "").split())
        return f"{state} {name} {who}" + (f": {summary}" if summary else "")

    def as_json(self, now: dt.datetime) -> dict[str, Any]:
        return {"labels": self.labels, "annotations": self.annotations, "startsAt": _format(self.starts_at),
                "endsAt": _format(self.ends_at) if self.ends_at else None, "generatorURL": self.generator_url,
                "fingerprint": self.fingerprint, "updatedAt": _format(self.received_at),
                "status": {"state": "resolved" if self.resolved(now) else "active", "silencedBy": [],
                           "inhibitedBy": []}}


class AlertSink:
    """The kept alerts, by label set; thread-safe (the server answers each request in a thread)."""

    def __init__(self, on_alert: Callable[[SinkAlert], None] | None = None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.on_alert = on_alert
        self.clock = clock
        self.lock = threading.Lock()
        self.kept: dict[tuple[tuple[str, str], ...], SinkAlert] = {}
        self.received = 0

    def receive(self, body: bytes) -> list[SinkAlert]:
        """Validate a POST body and keep its alerts; SinkError names what is wrong (nothing is kept then)."""
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SinkError(f"body is not JSON: {exc}") from None
        if not isinstance(payload, list):
            raise SinkError("body must be a JSON list of alerts")
        if len(payload) > MAX_ALERTS_PER_REQUEST:
            raise SinkError(f"at most {MAX_ALERTS_PER_REQUEST} alerts per request, got {len(payload)}")
        now = self.clock()
        alerts = [_alert(item, f"alerts[{i}]", now) for i, item in enumerate(payload)]
        with self.lock:
            for alert in alerts:
                self.kept.pop(_identity(alert.labels), None)
                self.kept[_identity(alert.labels)] = alert
                self.received += 1
            while len(self.kept) > MAX_ALERTS_KEPT:
                del self.kept[next(iter(self.kept))]  # the least recently updated
        for alert in alerts:
            self._notify(alert)
        return alerts

    def alerts(self) -> list[SinkAlert]:
        with self.lock:
            return list(self.kept.values())

    def listing(self) -> list[dict[str, Any]]:
        now = self.clock()
        return [alert.as_json(now) for alert in self.alerts()]

    def _notify(self, alert: SinkAlert) -> None:
        if self.on_alert is None:
            return
        try:
            self.on_alert(alert)
        except Exception:  # a printing callback must not turn a received alert into a 500
            log.exception("alert sink: on_alert failed")


class AlertSinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sink: AlertSink) -> None:
        super().__init__(address, _Handler)
        self.sink = sink

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def start_sink(host: str = "127.0.0.1", port: int = 0,
               on_alert: Callable[[SinkAlert], None] | None = None) -> tuple[AlertSinkServer, threading.Thread]:
    """Serve a sink in a daemon thread (port 0: a free one, see `server.url`); stop with
    `server.shutdown(); server.server_close()`."""
    server = AlertSinkServer((host, port), AlertSink(on_alert))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="alert-sink",
                              daemon=True)
    thread.start()
    return server, thread


class _Handler(BaseHTTPRequestHandler):
    server: AlertSinkServer
    server_version = "mldebt-alert-sink"

    def log_message(self, *_: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/api/v2/alerts":
            self._answer(200, self.server.sink.listing())
        elif path in ("/-/healthy", "/-/ready"):
            self._answer(200, None, b"OK")
        else:
            self._answer(404, {"code": 404, "message": f"no route {path}"})

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path != "/api/v2/alerts":
            self._answer(404, {"code": 404, "message": f"no route {path}"})
            return
        try:
            self.server.sink.receive(self._body())
        except SinkError as exc:
            self._answer(exc.status, {"code": exc.status, "message": str(exc)})
            return
        self._answer(200, None)

    def _body(self) -> bytes:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            raise SinkError("Content-Length is required", 411)
        try:
            length = int(length_header)
        except ValueError:
            raise SinkError("Content-Length must be a number") from None
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body must not be taken for the next request
            raise SinkError(f"body larger than {MAX_BODY_BYTES} bytes", 413)
        return self.rfile.read(length)

    def _answer(self, status: int, payload: Any, raw: bytes | None = None) -> None:
        data = raw if raw is not None else (b"" if payload is None else json.dumps(payload).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if raw is None else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _identity(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def _alert(item: Any, where: str, now: dt.datetime) -> SinkAlert:
    if not isinstance(item, dict):
        raise SinkError(f"{where} must be an object")
    labels = _strings(item.get("labels"), f"{where}.labels")
    if not labels:
        raise SinkError(f"{where}.labels must be a non-empty object")
    annotations = _strings(item.get("annotations", {}), f"{where}.annotations")
    url = item.get("generatorURL")
    if url is not None and not isinstance(url, str):
        raise SinkError(f"{where}.generatorURL must be a string")
    return SinkAlert(labels=labels, annotations=annotations,
                     starts_at=_time(item.get("startsAt"), f"{where}.startsAt") or now,
                     ends_at=_time(item.get("endsAt"), f"{where}.endsAt"), generator_url=url or None,
                     received_at=now)


def _strings(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SinkError(f"{where} must be an object of strings")
    for key, text in value.items():
        if not isinstance(text, str):
            raise SinkError(f"{where}.{key} must be a string")
    return dict(value)


def _time(value: Any, where: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or "T" not in value.upper():
        raise SinkError(f"{where} must be an RFC3339 time")
    try:
        parsed = dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise SinkError(f"{where} must be an RFC3339 time, got {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise SinkError(f"{where} must carry a time zone (Z or an offset)")
    return None if parsed.year == ZERO_TIME_YEAR else parsed.astimezone(dt.UTC)


def _format(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
