"""The local Alertmanager-like sink: validates what it receives, keeps one alert per label set."""

from __future__ import annotations

import datetime as dt
import json
import socket

import httpx
import pytest

from mldebt.domain.alerts import AlertStatus
from mldebt.integrations.alert_channels import CHANNELS
from mldebt.integrations.alert_sink import MAX_BODY_BYTES, AlertSink, SinkAlert, SinkError, start_sink
from tests.support.alert_samples import Sleeps, drift_alert, notification, target


@pytest.fixture
def sink():
    received: list[SinkAlert] = []
    server, thread = start_sink("127.0.0.1", 0, on_alert=received.append)
    server.received_alerts = received  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_firing_then_resolved_with_the_same_labels_is_one_resolved_alert(sink):
    channel = CHANNELS["alertmanager"]
    assert channel.send(target(sink.url), notification(drift_alert()), sleep=Sleeps()).ok
    [active] = httpx.get(f"{sink.url}/api/v2/alerts").json()
    assert active["status"]["state"] == "active" and active["endsAt"] is None
    assert channel.send(target(sink.url), notification(drift_alert(AlertStatus.RESOLVED)), sleep=Sleeps()).ok
    [resolved] = httpx.get(f"{sink.url}/api/v2/alerts").json()
    assert resolved["labels"] == drift_alert().labels == active["labels"]
    assert resolved["fingerprint"] == active["fingerprint"]
    assert (resolved["status"]["state"], resolved["endsAt"]) == ("resolved", "2026-12-02T10:15:30.250Z")
    assert resolved["generatorURL"] == "https://mldebt.example.com/drift/runs/7"
    assert [a.line() for a in sink.received_alerts] == [
        "firing MldebtDriftDetected fraud-model/daily-drift: daily-drift: PSI of amount above threshold",
        "resolved MldebtDriftDetected fraud-model/daily-drift: daily-drift: PSI of amount above threshold"]


def test_different_labels_are_different_alerts(sink):
    CHANNELS["alertmanager"].send(target(sink.url), notification(drift_alert(), drift_alert(monitor="other")),
                                  sleep=Sleeps())
    keys = sorted(a["labels"]["mldebt_alert"] for a in httpx.get(f"{sink.url}/api/v2/alerts").json())
    assert keys == ["fraud-model/daily-drift", "fraud-model/other"]


@pytest.mark.parametrize(("body", "message"), [
    (b"{not json", "body is not JSON: "),
    (b'{"labels": {"a": "b"}}', "body must be a JSON list of alerts"),
    (b'["x"]', "alerts[0] must be an object"),
    (b'[{"labels": {"a": "b"}}, {"annotations": {}}]', "alerts[1].labels must be an object of strings"),
    (b'[{"labels": {}}]', "alerts[0].labels must be a non-empty object"),
    (b'[{"labels": {"a": 1}}]', "alerts[0].labels.a must be a string"),
    (b'[{"labels": {"a": "b"}, "annotations": {"s": null}}]', "alerts[0].annotations.s must be a string"),
    (b'[{"labels": {"a": "b"}, "endsAt": "yesterday"}]', "alerts[0].endsAt must be an RFC3339 time"),
    (b'[{"labels": {"a": "b"}, "startsAt": "2026-12-02T10:00:00"}]',
     "alerts[0].startsAt must carry a time zone (Z or an offset)"),
    (b'[{"labels": {"a": "b"}, "generatorURL": 7}]', "alerts[0].generatorURL must be a string"),
])
def test_a_malformed_post_is_400_naming_the_problem_and_keeps_nothing(sink, body, message):
    response = httpx.post(f"{sink.url}/api/v2/alerts", content=body)
    assert response.status_code == 400
    assert response.json()["code"] == 400 and response.json()["message"].startswith(message)
    assert httpx.get(f"{sink.url}/api/v2/alerts").json() == [] and sink.received_alerts == []


def test_an_oversized_body_is_refused_unread(sink):
    with socket.create_connection(sink.server_address[:2]) as conn:
        conn.sendall(b"POST /api/v2/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1))
        chunks = []
        while chunk := conn.recv(4096):  # the sink closes the connection after answering
            chunks.append(chunk)
    answer = b"".join(chunks).decode()
    assert answer.startswith("HTTP/1.0 413") and f"body larger than {MAX_BODY_BYTES} bytes" in answer


def test_health_and_unknown_routes(sink):
    assert (httpx.get(f"{sink.url}/-/healthy").status_code, httpx.get(f"{sink.url}/-/healthy").text) == (200, "OK")
    assert httpx.get(f"{sink.url}/api/v1/alerts").status_code == 404
    assert httpx.post(f"{sink.url}/hooks", content=b"[]").status_code == 404


def test_an_end_in_the_future_is_active_until_it_passes():
    now = [dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)]
    sink = AlertSink(clock=lambda: now[0])
    sink.receive(json.dumps([{"labels": {"alertname": "X"}, "startsAt": "2026-12-02T11:59:00.123456789Z",
                              "endsAt": "2026-12-02T12:05:00+01:00"}]).encode())
    assert [a["status"]["state"] for a in sink.listing()] == ["resolved"]  # 12:05+01:00 is 11:05 UTC
    sink.receive(json.dumps([{"labels": {"alertname": "X"}, "endsAt": "2026-12-02T12:05:00Z"}]).encode())
    [alert] = sink.listing()
    assert (alert["status"]["state"], alert["startsAt"]) == ("active", "2026-12-02T12:00:00.000Z")
    now[0] += dt.timedelta(minutes=5)
    assert [a["status"]["state"] for a in sink.listing()] == ["resolved"]


def test_go_zero_time_means_no_end_and_a_failing_callback_does_not_lose_the_alert():
    def explode(_: SinkAlert) -> None:
        raise RuntimeError("printer on fire")

    sink = AlertSink(on_alert=explode)
    [alert] = sink.receive(b'[{"labels": {"alertname": "X"}, "endsAt": "0001-01-01T00:00:00Z"}]')
    assert alert.ends_at is None and sink.received == 1 and len(sink.alerts()) == 1
    with pytest.raises(SinkError, match="at most 1000 alerts per request"):
        sink.receive(json.dumps([{"labels": {"a": "b"}}] * 1001).encode())
