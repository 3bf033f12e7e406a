"""Alerting through the real channel modules to local HTTP servers that record what they receive:
one grouped Slack message per component, a signed webhook retried after a 503 with the same
delivery id, the delivery log's attempts, then the resolve to both."""

from __future__ import annotations

import json

from mldebt.integrations.alert_channels.signed_webhook import verify_signature
from mldebt.service.alerting import handle_outcomes
from mldebt.service.units import direct_units
from mldebt.store.monitor_tables import AlertDeliveryRow
from tests.support.alerting import T0, outcome, write_catalog
from tests.support.recording_http import RecordingServer

SECRET = "whk-secret"


def _monitoring(webhook_url: str) -> str:
    return f"""\
monitoring:
  base_url: https://mldebt.example.com
  channels:
    - {{name: team, kind: slack, url_env: TEST_SLACK_URL}}
    - {{name: ops, kind: webhook, url: {webhook_url}, secret_env: TEST_WEBHOOK_SECRET}}
"""


def test_grouped_alerts_reach_slack_and_a_signed_webhook_with_retries_then_resolve(store, tmp_path):
    with RecordingServer([200]) as slack, RecordingServer([503, 200]) as webhook:
        catalog = write_catalog(tmp_path, _monitoring(webhook.url))
        env = {"TEST_SLACK_URL": f"{slack.url}/services/T0/B0/x", "TEST_WEBHOOK_SECRET": SECRET}
        waits: list[float] = []
        breaches = [outcome(catalog, "recs-model/lag", "breach", T0, summary="p95 0.41 s > 0.3 s <b>", value=0.41,
                            threshold=0.3, category="latency"),
                    outcome(catalog, "recs-model/drift", "breach", T0, summary="2 of 6 columns drifted",
                            evidence_url="/drift/7")]
        fired = handle_outcomes(direct_units(store), breaches, T0, env=env, sleep=waits.append)
        assert [(d.channel, d.kind, d.status, d.alert_count) for d in fired.deliveries] == [
            ("team", "firing", "sent", 2), ("ops", "firing", "sent", 2)]
        assert waits == [0.5]
        [message] = slack.requests
        assert message.path == "/services/T0/B0/x"
        posted = json.loads(message.body)
        assert "&lt;b&gt;" in json.dumps(posted["blocks"]) and "<b>" not in json.dumps(posted["blocks"])
        assert "recs-model" in posted["text"]
        first, retry = webhook.requests
        assert first.headers["x-mldebt-delivery"] == retry.headers["x-mldebt-delivery"]
        assert verify_signature(SECRET, retry.headers["x-mldebt-timestamp"], retry.body,
                                retry.headers["x-mldebt-signature"], now=float(retry.headers["x-mldebt-timestamp"]))
        document = json.loads(retry.body)
        assert sorted((a["key"], a["status"]) for a in document["alerts"]) == [
            ("recs-model/drift", "firing"), ("recs-model/lag", "firing")]
        assert [a["generator_url"] for a in document["alerts"] if a["key"] == "recs-model/drift"] == [
            "https://mldebt.example.com/drift/7"]

        later = T0.replace(hour=10)
        resolved = handle_outcomes(direct_units(store), [outcome(catalog, "recs-model/lag", "ok", later)], later,
                                   env=env, sleep=waits.append)
        assert [(d.channel, d.kind, d.status) for d in resolved.deliveries] == [
            ("team", "resolved", "sent"), ("ops", "resolved", "sent")]
        assert json.loads(webhook.requests[-1].body)["alerts"][0]["status"] == "resolved"
    with store.session() as session:
        attempts = {(r.channel, r.alert_key, r.kind): r.attempts for r in session.query(AlertDeliveryRow)}
    assert attempts[("ops", "recs-model/lag", "firing")] == 2 and attempts[("team", "recs-model/lag", "firing")] == 1
