"""Monitor outcomes to alert states and notifications: fire once, cool down, resolve, group per
component, spend a daily budget then fold into one digest, re-send to Alertmanager, acknowledge;
channels are reached only through their contract (a recording test double) and never inside a
transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from mldebt.domain.alerts import AlertStatus
from mldebt.errors import NotFoundError
from mldebt.integrations.alert_channels.base import SendResult
from mldebt.service.alerting import DeliveryRecord, Transition, acknowledge, alert_for, handle_outcomes, resend_active
from mldebt.service.monitors.base import OnOutcomes
from mldebt.service.units import direct_units
from mldebt.store import alerts as repo
from mldebt.store.monitor_tables import AlertDeliveryRow
from tests.support.alerting import T0, outcome, recording_channels, write_catalog
from tests.support.transactions import EngineWatch

MINUTE = dt.timedelta(minutes=1)
ON_OUTCOMES: OnOutcomes = handle_outcomes  # what the scheduler calls: handle_outcomes(units, outcomes, now)
LAG = "recs-model/lag"
DRIFT = "recs-model/drift"


@pytest.fixture
def watch(store):
    watch = EngineWatch(store.engine)
    yield watch
    watch.close()


@pytest.fixture
def channels(watch):
    return recording_channels(watch.open_here)


def log(store) -> list[tuple[str | None, str, str, str, str | None, int]]:
    with store.session() as session:
        rows = session.query(AlertDeliveryRow).order_by(AlertDeliveryRow.id).all()
        return [(r.alert_key, r.channel, r.kind, r.status, r.reason, r.alert_count) for r in rows]


def alert_row(store, key: str):
    with store.session() as session:
        return repo.get_alert(session, key)


def run(store, channels, outcomes, now, **kwargs):
    return handle_outcomes(direct_units(store), outcomes, now, channels=channels, sleep=lambda _: None, **kwargs)


def test_a_breach_fires_once_is_suppressed_within_the_cooldown_and_repeats_after_it(store, tmp_path, channels):
    catalog = write_catalog(tmp_path)
    first = run(store, channels, [outcome(catalog, LAG, "breach", T0, summary="p95 0.41 s > 0.3 s", value=0.41,
                                          threshold=0.3, category="latency")], T0)
    assert first.transitions == [Transition(LAG, None, "firing")]
    assert first.deliveries == [DeliveryRecord("team", "recs-model", "firing", "sent", 1, None, (LAG,))]
    [(target, notification, open_then)] = channels["slack"].sent
    assert open_then == 0  # no transaction open while sending
    assert (target.name, target.kind, target.url) == ("team", "slack", "http://127.0.0.1:9/slack")
    [alert] = notification.alerts
    assert (alert.status, alert.severity, alert.starts_at, alert.value, alert.category) == (
        AlertStatus.FIRING, "critical", T0, 0.41, "latency")
    assert alert.generator_url == "https://mldebt.example.com/monitors?key=recs-model%2Flag"
    assert notification.dashboard_url == "https://mldebt.example.com" and not notification.digest

    again = run(store, channels, [outcome(catalog, LAG, "breach", T0 + 10 * MINUTE)], T0 + 10 * MINUTE)
    assert again.transitions == []
    assert again.deliveries == [DeliveryRecord("team", "recs-model", "firing", "suppressed", 1, "cooldown", (LAG,))]
    assert len(channels["slack"].sent) == 1

    later = run(store, channels, [outcome(catalog, LAG, "breach", T0 + 61 * MINUTE)], T0 + 61 * MINUTE)
    assert [d.status for d in later.deliveries] == ["sent"]
    assert [n.alerts[0].starts_at for n in channels["slack"].notifications] == [T0, T0]  # the same firing
    assert log(store) == [(LAG, "team", "firing", "sent", None, 1),
                          (LAG, "team", "firing", "suppressed", "cooldown", 1),
                          (LAG, "team", "firing", "sent", None, 1)]
    row = alert_row(store, LAG)
    assert (row.status, row.fire_count, row.notified["team"]["status"]) == ("firing", 1, "sent")


def test_ok_resolves_a_firing_alert_with_the_same_labels_and_a_new_firing_counts(store, tmp_path, channels):
    catalog = write_catalog(tmp_path)
    run(store, channels, [outcome(catalog, LAG, "breach", T0, category="latency")], T0)
    resolved = run(store, channels, [outcome(catalog, LAG, "ok", T0 + 5 * MINUTE, summary="p95 0.2 s")],
                   T0 + 5 * MINUTE)
    assert resolved.transitions == [Transition(LAG, "firing", "resolved")]
    assert resolved.deliveries == [DeliveryRecord("team", "recs-model", "resolved", "sent", 1, None, (LAG,))]
    fired, ended = (n.alerts[0] for n in channels["slack"].notifications)
    assert ended.status == AlertStatus.RESOLVED and ended.ends_at == T0 + 5 * MINUTE and ended.starts_at == T0
    assert ended.labels == fired.labels and ended.labels["category"] == "latency"
    assert run(store, channels, [outcome(catalog, LAG, "ok", T0 + 6 * MINUTE)], T0 + 6 * MINUTE).deliveries == []

    refired = run(store, channels, [outcome(catalog, LAG, "breach", T0 + 7 * MINUTE)], T0 + 7 * MINUTE)
    assert refired.transitions == [Transition(LAG, "resolved", "firing")]
    assert [d.status for d in refired.deliveries] == ["sent"]  # a new firing is not held back by the cooldown
    row = alert_row(store, LAG)
    assert (row.fire_count, row.starts_at, row.ends_at, row.first_fired_at) == (2, T0 + 7 * MINUTE, None, T0)


def test_alerts_of_one_component_in_one_batch_go_out_in_one_notification(store, tmp_path, channels):
    catalog = write_catalog(tmp_path)
    report = run(store, channels, [outcome(catalog, LAG, "breach", T0), outcome(catalog, DRIFT, "breach", T0,
                                                                                evidence_url="/drift/12"),
                                   outcome(catalog, "fraud-model/drift", "breach", T0)], T0)
    assert [(d.component, d.alert_count, d.keys) for d in report.deliveries] == [
        ("recs-model", 2, (LAG, DRIFT)), ("fraud-model", 1, ("fraud-model/drift",))]
    grouped = channels["slack"].notifications[0]
    assert [a.key for a in grouped.alerts] == [LAG, DRIFT]
    assert grouped.alerts[1].generator_url == "https://mldebt.example.com/drift/12"
    assert [entry[-1] for entry in log(store)] == [2, 2, 1]


BUDGET = """\
monitoring:
  budget_per_day: 2
  channels:
    - {name: team, kind: slack, url: http://127.0.0.1:9/slack}
    - {name: ops, kind: webhook, url: http://127.0.0.1:9/ops, budget_per_day: 5}
"""
MANY = "components:\n  - name: shop\n    kind: service\n    owner: ops\n    monitors:\n" + "".join(
    f"      - {{name: m{i}, kind: slo, every: 1m, query: q{i}, threshold: 1}}\n" for i in range(1, 7))


def test_beyond_the_daily_budget_alerts_fold_into_one_digest_a_day(store, tmp_path, channels):
    catalog = write_catalog(tmp_path, BUDGET, MANY)
    report = run(store, channels, [outcome(catalog, f"shop/m{i}", "breach", T0) for i in range(1, 6)], T0)
    assert [(d.channel, d.kind, d.status, d.alert_count) for d in report.deliveries if d.status != "folded"] == [
        ("team", "firing", "sent", 2), ("team", "digest", "sent", 3), ("ops", "firing", "sent", 5)]
    sent, digest = channels["slack"].notifications
    assert [a.key for a in sent.alerts] == ["shop/m1", "shop/m2"] and not sent.digest
    assert [a.key for a in digest.alerts] == ["shop/m3", "shop/m4", "shop/m5"] and digest.digest
    assert len(channels["webhook"].notifications) == 1  # the channel's own budget (5) overrides the setting

    later = run(store, channels, [outcome(catalog, "shop/m6", "breach", T0 + 60 * MINUTE)], T0 + 60 * MINUTE)
    assert [(d.channel, d.kind, d.status, d.reason) for d in later.deliveries] == [
        ("team", "firing", "folded", "budget spent: in today's digest"),
        ("ops", "firing", "folded", "budget spent: folded into the day's digest"), ("ops", "digest", "sent", None)]
    assert len(channels["slack"].notifications) == 2  # no second digest that day
    with store.session() as session:
        rows = session.query(AlertDeliveryRow).filter_by(channel="team").order_by(AlertDeliveryRow.id).all()
        digest_row = next(r for r in rows if r.kind == "digest")
        folded = [r.alert_key for r in rows if r.status == "folded" and r.digest_id == digest_row.id]
        assert folded == ["shop/m3", "shop/m4", "shop/m5", "shop/m6"]
        assert (digest_row.alert_id, digest_row.alert_count, digest_row.status) == (None, 3, "sent")
        assert repo.sent_today(session, "team", "shop", T0) == 2

    resolves = run(store, channels, [outcome(catalog, "shop/m1", "ok", T0 + 61 * MINUTE),
                                     outcome(catalog, "shop/m3", "ok", T0 + 61 * MINUTE)], T0 + 61 * MINUTE)
    assert [(d.channel, d.kind, d.status, d.keys) for d in resolves.deliveries if d.channel == "team"] == [
        ("team", "resolved", "folded", ("shop/m3",)), ("team", "resolved", "sent", ("shop/m1",))]

    next_day = T0.replace(hour=0) + dt.timedelta(days=1, minutes=1)
    fresh = run(store, channels, [outcome(catalog, "shop/m4", "breach", next_day)], next_day)
    # team saw m4 only in yesterday's digest, ops saw it over a cooldown ago: a fresh budget for both
    assert [(d.channel, d.kind, d.status) for d in fresh.deliveries] == [("team", "firing", "sent"),
                                                                          ("ops", "firing", "sent")]


def test_an_error_or_a_running_monitor_leaves_the_alert_alone(store, tmp_path, channels):
    catalog = write_catalog(tmp_path)
    run(store, channels, [outcome(catalog, LAG, "breach", T0, run_id=1)], T0)
    report = run(store, channels, [outcome(catalog, LAG, "error", T0 + MINUTE, run_id=2),
                                   outcome(catalog, LAG, "running", T0 + MINUTE, run_id=3),
                                   outcome(catalog, DRIFT, "error", T0 + MINUTE, run_id=4)], T0 + MINUTE)
    assert (report.transitions, report.deliveries) == ([], [])
    row = alert_row(store, LAG)
    assert (row.status, row.last_run_id, row.last_evaluated_at) == ("firing", 1, T0)
    assert alert_row(store, DRIFT) is None and len(log(store)) == 1


MISSING_ENV = """\
monitoring:
  channels:
    - {name: team, kind: slack, url_env: MLDEBT_TEST_SLACK_URL}
    - {name: ops, kind: webhook, url: http://127.0.0.1:9/ops, secret_env: MLDEBT_TEST_WEBHOOK_SECRET}
"""


def test_a_channel_whose_environment_variable_is_missing_is_logged_failed_without_raising(store, tmp_path, channels):
    catalog = write_catalog(tmp_path, MISSING_ENV)
    report = run(store, channels, [outcome(catalog, LAG, "breach", T0)], T0, env={})
    assert [(d.channel, d.status, d.reason) for d in report.deliveries] == [
        ("team", "failed", "environment variable MLDEBT_TEST_SLACK_URL (the URL of channel team) is not set"),
        ("ops", "failed", "environment variable MLDEBT_TEST_WEBHOOK_SECRET (the secret of channel ops) is not set")]
    assert channels["slack"].sent == [] and channels["webhook"].sent == []

    env = {"MLDEBT_TEST_SLACK_URL": "http://127.0.0.1:9/from-env", "MLDEBT_TEST_WEBHOOK_SECRET": "s3cret"}
    retried = run(store, channels, [outcome(catalog, LAG, "breach", T0 + MINUTE)], T0 + MINUTE, env=env)
    assert [d.status for d in retried.deliveries] == ["sent", "sent"]  # never reached: not held by the cooldown
    assert channels["slack"].sent[0][0].url == "http://127.0.0.1:9/from-env"
    assert channels["webhook"].sent[0][0].secret == "s3cret"


def test_a_failed_send_is_logged_with_its_attempts_and_status(store, tmp_path, channels):
    catalog = write_catalog(tmp_path)
    channels["slack"].result = SendResult(ok=False, attempts=4, http_status=503, error="HTTP 503 after 4 attempts")
    report = run(store, channels, [outcome(catalog, LAG, "breach", T0)], T0)
    assert report.deliveries == [DeliveryRecord("team", "recs-model", "firing", "failed", 1,
                                                "HTTP 503 after 4 attempts", (LAG,))]
    with store.session() as session:
        [row] = session.query(AlertDeliveryRow).all()
        assert (row.status, row.attempts, row.http_status, row.sent_at) == ("failed", 4, 503, None)
    assert alert_row(store, LAG).notified["team"]["status"] == "failed"


ROUTED = """\
monitoring:
  resend_every: 1m
  channels:
    - {name: am, kind: alertmanager, url: http://127.0.0.1:9/am}
    - {name: team, kind: slack, url: http://127.0.0.1:9/slack}
"""
ONLY_AM = """\
components:
  - name: recs-model
    kind: model
    owner: ml
    monitors:
      - {name: lag, kind: slo, every: 1m, query: rec_p95, threshold: 0.3, channels: [am]}
"""


def test_alertmanager_hears_active_alerts_again_every_resend_every(store, tmp_path, channels):
    catalog = write_catalog(tmp_path, ROUTED, ONLY_AM)
    units = direct_units(store)
    settings = catalog.monitoring
    run(store, channels, [outcome(catalog, LAG, "breach", T0, value=0.4)], T0)
    assert channels["slack"].sent == []  # the monitor names only am
    assert resend_active(units, settings, T0 + 30 * dt.timedelta(seconds=1), channels=channels).deliveries == []
    resent = resend_active(units, settings, T0 + MINUTE, channels=channels, sleep=lambda _: None)
    assert resent.deliveries == [DeliveryRecord("am", "recs-model", "resend", "sent", 1, None, (LAG,))]
    first, again = channels["alertmanager"].notifications
    assert again.resend and not first.resend and again.alerts[0].labels == first.alerts[0].labels
    assert again.alerts[0].value == 0.4 and again.alerts[0].starts_at == T0

    soon = run(store, channels, [outcome(catalog, LAG, "breach", T0 + 90 * dt.timedelta(seconds=1))],
               T0 + 90 * dt.timedelta(seconds=1))
    assert [(d.kind, d.status, d.reason) for d in soon.deliveries] == [("firing", "suppressed", "resend_every")]
    due = run(store, channels, [outcome(catalog, LAG, "breach", T0 + 2 * MINUTE)], T0 + 2 * MINUTE)
    assert [(d.kind, d.status) for d in due.deliveries] == [("resend", "sent")]

    run(store, channels, [outcome(catalog, LAG, "ok", T0 + 3 * MINUTE)], T0 + 3 * MINUTE)
    assert channels["alertmanager"].notifications[-1].alerts[0].status == AlertStatus.RESOLVED
    assert resend_active(units, settings, T0 + 10 * MINUTE, channels=channels).deliveries == []


def test_an_acknowledged_alert_stops_repeating_but_alertmanager_keeps_it(store, tmp_path, channels):
    catalog = write_catalog(tmp_path, ROUTED)
    units = direct_units(store)
    with pytest.raises(NotFoundError, match="no alert 'recs-model/lag'"):
        acknowledge(units, LAG, "ana", T0)
    run(store, channels, [outcome(catalog, LAG, "breach", T0)], T0)
    state = acknowledge(units, LAG, "ana", T0 + MINUTE)
    assert (state.key, state.status, state.acknowledged_by, state.acknowledged_at) == (
        LAG, "firing", "ana", T0 + MINUTE)
    report = run(store, channels, [outcome(catalog, LAG, "breach", T0 + 2 * dt.timedelta(hours=1))],
                 T0 + 2 * dt.timedelta(hours=1))
    assert [(d.channel, d.kind, d.status, d.reason) for d in report.deliveries] == [
        ("team", "firing", "suppressed", "acknowledged"), ("am", "resend", "sent", None)]


def test_alert_for_says_nothing_for_errors_and_for_ok_while_resolved(tmp_path):
    catalog = write_catalog(tmp_path)
    settings = catalog.monitoring
    assert alert_for(outcome(catalog, LAG, "error", T0), settings, None) is None
    assert alert_for(outcome(catalog, LAG, "ok", T0), settings, None) is None
    alert = alert_for(outcome(catalog, DRIFT, "breach", T0, summary="3 of 12 columns drifted",
                              evidence_url="/drift/7"), settings, None)
    assert alert is not None
    assert (alert.key, alert.component, alert.monitor, alert.kind, alert.severity, alert.status) == (
        DRIFT, "recs-model", "drift", "drift", "warning", AlertStatus.FIRING)
    assert (alert.summary, alert.description) == ("3 of 12 columns drifted",
                                                 "Monitor drift of recs-model (drift) breached.")
    assert alert.generator_url == "https://mldebt.example.com/drift/7"
