"""Alert channels against local HTTP servers that record what they receive: exact payloads, retries."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from pathlib import Path

from ruamel.yaml import YAML

from mldebt.domain.alerts import Alert, AlertStatus
from mldebt.domain.monitoring import MonitoringSettings
from mldebt.integrations.alert_channels import CHANNELS
from mldebt.integrations.alert_channels.alertmanager import request_body
from mldebt.integrations.alert_channels.base import (
    RETRY_ATTEMPTS,
    Notification,
    backoff_seconds,
    post_json,
    retry_after_seconds,
)
from mldebt.integrations.alert_channels.signed_webhook import SignedWebhookChannel, signature, verify_signature
from mldebt.integrations.alert_channels.slack import message
from tests.support.alert_samples import STARTED, Sleeps, drift_alert, notification, target
from tests.support.postgres import free_port
from tests.support.recording_http import Answer, RecordingServer

# -- post_json: retries, back-off, failures -------------------------------------------------------

def test_retries_503_twice_then_succeeds_with_doubling_waits():
    sleeps = Sleeps()
    with RecordingServer([503, 503, 200]) as server:
        result = post_json(target(server.url), b"[]", {"X-Test": "1"}, sleep=sleeps)
    assert (result.ok, result.attempts, result.http_status, result.error) == (True, 3, 200, None)
    assert result.waits == (0.5, 1.0) and sleeps == [0.5, 1.0]
    assert [(r.method, r.path, r.body, r.headers["x-test"], r.headers["content-type"]) for r in server.requests] == \
        [("POST", "/", b"[]", "1", "application/json")] * 3


def test_a_400_is_final_and_its_answer_is_in_the_error():
    sleeps = Sleeps()
    with RecordingServer([Answer(400, b"invalid_payload\n  missing  labels"), 200]) as server:
        result = post_json(target(server.url), b"{}", sleep=sleeps)
    assert (result.ok, result.attempts, result.http_status) == (False, 1, 400)
    assert result.error == "am: HTTP 400: invalid_payload missing labels"
    assert sleeps == [] and len(server.requests) == 1


def test_429_waits_what_retry_after_asks_within_the_cap():
    sleeps = Sleeps()
    answers: list[int | Answer] = [Answer(429, headers={"Retry-After": "3"}),
                                   Answer(429, headers={"Retry-After": "120"}), 200]
    with RecordingServer(answers) as server:
        result = post_json(target(server.url), b"[]", sleep=sleeps)
    assert (result.ok, result.attempts, result.waits) == (True, 3, (3.0, 8.0))
    assert sleeps == [3.0, 8.0]


def test_429_without_retry_after_backs_off_like_a_5xx():
    sleeps = Sleeps()
    with RecordingServer([429, 200]) as server:
        result = post_json(target(server.url), b"[]", sleep=sleeps)
    assert (result.ok, result.attempts, result.waits) == (True, 2, (0.5,))


def test_persistent_5xx_gives_up_after_the_attempts_without_a_last_wait():
    sleeps = Sleeps()
    with RecordingServer([Answer(502, b"bad gateway")]) as server:
        result = post_json(target(server.url), b"[]", sleep=sleeps)
    assert (result.ok, result.attempts, result.http_status) == (False, RETRY_ATTEMPTS, 502)
    assert result.waits == (0.5, 1.0, 2.0) and len(server.requests) == RETRY_ATTEMPTS
    assert result.error == f"am: HTTP 502: bad gateway (after {RETRY_ATTEMPTS} attempts)"


def test_connection_refused_is_a_result_not_an_exception():
    sleeps = Sleeps()
    result = post_json(target(f"http://127.0.0.1:{free_port()}/hook"), b"[]", sleep=sleeps)
    assert (result.ok, result.attempts, result.http_status) == (False, RETRY_ATTEMPTS, None)
    assert result.error is not None and result.error.startswith("am: ConnectError")
    assert "127.0.0.1" not in result.error  # a Slack URL is a secret: errors never repeat the URL
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_timeout_is_retried():
    sleeps = Sleeps()
    with RecordingServer([Answer(200, delay=2.0), 200]) as server:
        result = post_json(target(server.url, timeout=0.2), b"[]", sleep=sleeps)
    assert (result.ok, result.attempts, result.waits) == (True, 2, (0.5,))


def test_an_unsupported_url_fails_once_without_retry():
    sleeps = Sleeps()
    result = post_json(target("ftp://127.0.0.1/x"), b"[]", sleep=sleeps)
    assert (result.ok, result.attempts, sleeps) == (False, 1, [])
    assert result.error is not None and result.error.startswith("am: UnsupportedProtocol")


def test_a_huge_error_answer_is_read_only_up_to_the_bound():
    with RecordingServer([Answer(400, b"x" * 5_000_000)]) as server:
        result = post_json(target(server.url), b"[]", sleep=Sleeps())
    assert result.error == "am: HTTP 400: " + "x" * 200


def test_backoff_and_retry_after_parsing():
    assert [backoff_seconds(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("Wed, 02 Dec 2026 12:00:05 GMT", now) == 5.0
    assert retry_after_seconds("Wed, 02 Dec 2026 11:00:00 GMT", now) == 0.0
    assert [retry_after_seconds(v, now) for v in (None, "", "soon", "-4", "1.5")] == [None, None, None, 0.0, 1.5]


# -- alertmanager -----------------------------------------------------------------------------------

AM_LABELS = {"alertname": "MldebtDriftDetected", "mldebt_alert": "fraud-model/daily-drift",
             "component": "fraud-model", "monitor": "daily-drift", "kind": "drift", "severity": "warning",
             "source": "mldebt"}
AM_ANNOTATIONS = {"summary": "daily-drift: PSI of amount above threshold",
                  "description": "amount drifted (PSI 0.31 > 0.2)", "value": "0.31", "threshold": "0.2"}


def test_alertmanager_firing_then_resolved_with_identical_labels():
    with RecordingServer([200]) as server:
        channel = CHANNELS["alertmanager"]
        firing = channel.send(target(server.url + "/"), notification(drift_alert()), sleep=Sleeps())
        resolved = channel.send(target(server.url), notification(drift_alert(AlertStatus.RESOLVED)), sleep=Sleeps())
    assert (firing.ok, firing.attempts, resolved.ok) == (True, 1, True)
    assert [(r.method, r.path) for r in server.requests] == [("POST", "/api/v2/alerts")] * 2
    assert server.requests[0].json() == [
        {"labels": AM_LABELS, "annotations": AM_ANNOTATIONS, "startsAt": "2026-12-02T09:30:00.000Z",
         "generatorURL": "https://mldebt.example.com/drift/runs/7"}]
    assert server.requests[1].json() == [
        {"labels": AM_LABELS, "annotations": AM_ANNOTATIONS, "startsAt": "2026-12-02T09:30:00.000Z",
         "endsAt": "2026-12-02T10:15:30.250Z", "generatorURL": "https://mldebt.example.com/drift/runs/7"}]


def test_alertmanager_keeps_an_absolute_generator_url_and_links_the_dashboard_without_one():
    alerts = (drift_alert(generator_url="http://grafana.test/d/1"), drift_alert(monitor="other", generator_url=None,
                                                                               category="latency",
                                                                               starts_at=STARTED.replace(tzinfo=None)))
    with RecordingServer([200]) as server:
        CHANNELS["alertmanager"].send(target(server.url), notification(*alerts), sleep=Sleeps())
    sent = server.requests[0].json()
    assert [a["generatorURL"] for a in sent] == ["http://grafana.test/d/1", "https://mldebt.example.com/"]
    assert sent[1]["labels"]["category"] == "latency" and sent[1]["startsAt"] == "2026-12-02T09:30:00.000Z"


def test_alertmanager_digest_is_one_alert_of_its_own():
    folded = [drift_alert(monitor=f"m{i}") for i in range(23)]
    with RecordingServer([200]) as server:
        result = CHANNELS["alertmanager"].send(target(server.url), notification(*folded, digest=True), sleep=Sleeps())
    assert result.ok
    [digest] = server.requests[0].json()
    assert digest["labels"] == {"alertname": "MldebtAlertDigest", "component": "fraud-model", "source": "mldebt",
                                "mldebt_alert": "fraud-model/digest"}
    assert digest["annotations"]["summary"] == \
        "23 alerts from fraud-model folded into a digest: the daily alert budget is spent"
    assert digest["annotations"]["folded"] == "23"
    lines = digest["annotations"]["description"].split("\n")
    assert lines[0] == "fraud-model/m0 (firing): m0: PSI of amount above threshold" and lines[-1] == "and 3 more"
    assert len(lines) == 21 and "endsAt" not in digest
    assert digest["generatorURL"] == "https://mldebt.example.com/monitors"


def test_an_empty_notification_sends_nothing():
    with RecordingServer([200]) as server:
        result = CHANNELS["alertmanager"].send(target(server.url), notification(), sleep=Sleeps())
    assert (result.ok, result.attempts, server.requests) == (True, 0, [])


def test_alertmanager_body_is_compact_json():
    with RecordingServer([200]) as server:
        CHANNELS["alertmanager"].send(target(server.url), notification(drift_alert()), sleep=Sleeps())
    body = server.requests[0].body
    assert json.dumps(json.loads(body), separators=(",", ":")).encode() == body


# -- slack ------------------------------------------------------------------------------------------

def slack_send(*alerts: Alert, digest: bool = False) -> dict:
    with RecordingServer([Answer(200, b"ok")]) as server:
        result = CHANNELS["slack"].send(target(server.url + "/services/T0/B0/xyz", kind="slack"),
                                        notification(*alerts, digest=digest, channel="slack"), sleep=Sleeps())
    assert (result.ok, result.attempts, result.http_status) == (True, 1, 200)
    [request] = server.requests
    assert (request.method, request.path, request.headers["content-type"]) == \
        ("POST", "/services/T0/B0/xyz", "application/json")
    return request.json()


def test_slack_message_has_text_header_a_section_per_alert_and_context():
    sent = slack_send(drift_alert(), drift_alert(AlertStatus.RESOLVED, monitor="quality", severity="critical",
                                                 kind="model-quality", value=None, threshold=None,
                                                 summary="recall back above 0.8", description=""))
    assert sent == {
        "text": "[mldebt] fraud-model: 1 firing, 1 resolved: daily-drift: PSI of amount above threshold; "
                "recall back above 0.8",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "fraud-model: 1 firing, 1 resolved",
                                        "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text":
                ":large_orange_circle: *FIRING* daily-drift: PSI of amount above threshold\n"
                "`daily-drift` (drift, warning) · value *0.31* vs threshold 0.2\n"
                "amount drifted (PSI 0.31 &gt; 0.2)\n"
                "<https://mldebt.example.com/drift/runs/7|Evidence>"}},
            {"type": "section", "text": {"type": "mrkdwn", "text":
                ":white_check_mark: *RESOLVED* recall back above 0.8\n"
                "`quality` (model-quality, critical)\n"
                "<https://mldebt.example.com/drift/runs/7|Evidence>"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text":
                "mldebt · component `fraud-model` · 2026-12-02T10:15:30.250Z · "
                "<https://mldebt.example.com/|Dashboard>"}]},
        ]}


def test_slack_escapes_every_user_provided_string():
    hostile = drift_alert(summary="<script>&", description="<!channel> & <https://evil.test|click>",
                          monitor="m<x>", generator_url="https://x.test/a?b=1&c=<2>|3")
    sent = slack_send(hostile)
    section = sent["blocks"][1]["text"]["text"]
    assert section == (":large_orange_circle: *FIRING* &lt;script&gt;&amp;\n"
                       "`m&lt;x&gt;` (drift, warning) · value *0.31* vs threshold 0.2\n"
                       "&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;\n"
                       "<https://x.test/a?b=1&amp;c=&lt;2&gt;%7C3|Evidence>")
    assert sent["text"] == "[mldebt] fraud-model: 1 firing: &lt;script&gt;&amp;"
    assert "<script>" not in json.dumps(sent) and "<!channel>" not in json.dumps(sent)


def test_slack_60_alerts_stay_within_50_blocks_and_fold_the_rest():
    alerts = [drift_alert(monitor=f"m{i:02d}") for i in range(60)]
    sent = slack_send(*alerts)
    blocks = sent["blocks"]
    assert len(blocks) == 50
    assert [b["type"] for b in blocks] == ["header"] + ["section"] * 48 + ["context"]
    assert blocks[47]["text"]["text"].startswith(":large_orange_circle: *FIRING* m46:")
    assert blocks[48]["text"]["text"] == "and 13 more (13 firing): " + ", ".join(f"`m{i}`" for i in range(47, 60))
    assert len(sent["text"]) <= 3000


def test_slack_48_alerts_fit_without_folding():
    blocks = slack_send(*[drift_alert(monitor=f"m{i:02d}") for i in range(48)])["blocks"]
    assert len(blocks) == 50 and "more" not in blocks[48]["text"]["text"]


def test_slack_long_text_is_clipped_to_the_limits_without_cutting_an_escape():
    long = drift_alert(summary="&" * 700, description="<" * 5000, monitor="long")
    sent = slack_send(long)
    section = sent["blocks"][1]["text"]["text"]
    assert len(section) == 3000 and section.endswith("…\n<https://mldebt.example.com/drift/runs/7|Evidence>")
    description = section.split("\n")[2]
    assert description.rstrip("…").replace("&lt;", "") == ""
    assert sent["blocks"][1]["text"]["text"].count("&amp;") == 99  # the 500-char summary: 99 entities and "…"
    assert len(sent["text"]) <= 3000 and sent["text"].endswith("…")
    component = Notification(channel="slack", component="c" * 200, alerts=(long,))
    header = message(component)["blocks"][0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")


def test_slack_digest_is_one_message_listing_what_fits():
    alerts = [drift_alert(monitor=f"m{i:03d}", summary="s" * 100) for i in range(40)]
    sent = slack_send(*alerts, digest=True)
    assert sent["text"] == "[mldebt] fraud-model: 40 alerts in a digest (40 firing)"
    header, section, context = sent["blocks"]
    assert header["text"]["text"] == "fraud-model: 40 alerts in a digest"
    text = section["text"]["text"]
    assert len(text) <= 3000 and text.startswith("The daily alert budget for this channel is spent")
    lines = text.split("\n")
    assert lines[1] == ":large_orange_circle: `fraud-model/m000` " + "s" * 100
    assert lines[-1] == f"and {40 - (len(lines) - 2)} more" and len(lines) - 2 < 40
    assert context["type"] == "context"


def test_slack_rejection_is_reported_without_the_webhook_url():
    with RecordingServer([Answer(404, b"no_service")]) as server:
        result = CHANNELS["slack"].send(target(server.url + "/services/T0/B0/secret", kind="slack"),
                                        notification(drift_alert()), sleep=Sleeps())
    assert (result.ok, result.attempts, result.error) == (False, 1, "slack: HTTP 404: no_service")


# -- signed webhook ---------------------------------------------------------------------------------

SECRET = "whsec-test-1"


def test_webhook_document_is_exact_and_signed():
    clock = iter([1_780_000_000.9, 1_780_000_004.2])
    channel = SignedWebhookChannel(clock=lambda: next(clock))
    sleeps = Sleeps()
    with RecordingServer([503, 200]) as server:
        result = channel.send(target(server.url + "/hooks/mldebt", kind="webhook", secret=SECRET),
                              notification(drift_alert(), drift_alert(AlertStatus.RESOLVED, monitor="quality",
                                                                      value=None, threshold=None), resend=True),
                              sleep=sleeps)
    assert (result.ok, result.attempts, result.waits) == (True, 2, (0.5,))
    first, second = server.requests
    assert result.delivery_id is not None and str(uuid.UUID(result.delivery_id, version=4)) == result.delivery_id
    assert first.headers["x-mldebt-delivery"] == second.headers["x-mldebt-delivery"] == result.delivery_id
    assert (first.headers["x-mldebt-timestamp"], second.headers["x-mldebt-timestamp"]) == \
        ("1780000000", "1780000004")
    assert first.body == second.body and first.path == "/hooks/mldebt"
    for request in (first, second):
        stamp = request.headers["x-mldebt-timestamp"]
        expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256).hexdigest()
        assert request.headers["x-mldebt-signature"] == f"sha256={expected}"
    assert first.json() == {
        "version": 1, "delivery_id": result.delivery_id, "component": "fraud-model", "digest": False, "resend": True,
        "alerts": [
            {"key": "fraud-model/daily-drift", "status": "firing", "labels": AM_LABELS, "annotations": AM_ANNOTATIONS,
             "starts_at": "2026-12-02T09:30:00.000Z", "ends_at": None,
             "generator_url": "https://mldebt.example.com/drift/runs/7", "value": 0.31, "threshold": 0.2},
            {"key": "fraud-model/quality", "status": "resolved",
             "labels": {**AM_LABELS, "mldebt_alert": "fraud-model/quality", "monitor": "quality"},
             "annotations": {"summary": "quality: PSI of amount above threshold",
                             "description": "amount drifted (PSI 0.31 > 0.2)"},
             "starts_at": "2026-12-02T09:30:00.000Z", "ends_at": "2026-12-02T10:15:30.250Z",
             "generator_url": "https://mldebt.example.com/drift/runs/7", "value": None, "threshold": None},
        ]}


def test_webhook_signature_verifies_with_the_secret_and_fails_with_another():
    with RecordingServer([200]) as server:
        CHANNELS["webhook"].send(target(server.url, kind="webhook", secret=SECRET),
                                 notification(drift_alert(), digest=True), sleep=Sleeps())
    [request] = server.requests
    stamp, signed = request.headers["x-mldebt-timestamp"], request.headers["x-mldebt-signature"]
    now = float(stamp)
    assert verify_signature(SECRET, stamp, request.body, signed, now=now)
    assert not verify_signature("another-secret", stamp, request.body, signed, now=now)
    assert not verify_signature(SECRET, stamp, request.body + b" ", signed, now=now)
    assert not verify_signature(SECRET, str(int(stamp) + 1), request.body, signed, now=now)
    assert not verify_signature(SECRET, stamp, request.body, signed, now=now + 301)
    assert not verify_signature(SECRET, "not-a-number", request.body, signed, now=now)
    assert request.json()["digest"] is True and signature(SECRET, stamp, request.body) == signed


def test_webhook_without_a_secret_sends_nothing():
    with RecordingServer([200]) as server:
        result = CHANNELS["webhook"].send(target(server.url, kind="webhook"), notification(drift_alert()),
                                          sleep=Sleeps())
    assert (result.ok, result.attempts, server.requests) == (False, 0, [])
    assert result.error is not None and "no secret" in result.error


def test_every_delivery_gets_its_own_id():
    with RecordingServer([200]) as server:
        ids = [CHANNELS["webhook"].send(target(server.url, kind="webhook", secret=SECRET), notification(drift_alert()),
                                        sleep=Sleeps()).delivery_id for _ in range(2)]
    assert ids[0] != ids[1] and [r.headers["x-mldebt-delivery"] for r in server.requests] == ids


# -- docs/monitoring.md: its examples are what the code does --------------------------------------

def _docs_block(language: str, marker: str) -> str:
    text = (Path(__file__).resolve().parents[2] / "docs" / "monitoring.md").read_text()
    text = text.split("\n## Alert channels\n", 1)[1].split("\n## ", 1)[0]  # this section's blocks only
    blocks = [b.split("```", 1)[0] for b in text.split(f"```{language}\n")[1:]]
    return next(b for b in blocks if marker in b)


def test_the_documented_receiver_check_accepts_mldebt_and_rejects_another_secret():
    namespace: dict[str, object] = {}
    exec(_docs_block("python", "def verify_mldebt"), namespace)
    verify = namespace["verify_mldebt"]
    with RecordingServer([200]) as server:
        CHANNELS["webhook"].send(target(server.url, kind="webhook", secret=SECRET), notification(drift_alert()),
                                 sleep=Sleeps())
    [request] = server.requests
    headers = {"X-Mldebt-Timestamp": request.headers["x-mldebt-timestamp"],
               "X-Mldebt-Signature": request.headers["x-mldebt-signature"]}
    assert verify(SECRET.encode(), headers, request.body) is True  # type: ignore[operator]
    assert verify(b"another", headers, request.body) is False  # type: ignore[operator]


def test_the_documented_channels_yaml_is_valid_settings():
    settings = YAML(typ="safe").load(_docs_block("yaml", "channels:"))["monitoring"]
    parsed = MonitoringSettings.model_validate(settings)
    assert [(c.name, c.kind) for c in parsed.channels] == [("am", "alertmanager"), ("ml-team", "slack"),
                                                           ("ops", "webhook")]


def test_the_documented_payloads_are_the_sent_ones():
    sent = json.loads(_docs_block("json", '"generatorURL"'))
    assert sent == request_body(notification(drift_alert()))
    assert json.loads(_docs_block("json", '"blocks"')) == message(notification(drift_alert(), channel="slack"))
