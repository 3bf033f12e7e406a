"""Reads of the monitoring tables: schedules with their last run, recent runs, alerts with their
latest delivery per channel, and the noise of each monitor (firings, messages, actions)."""

import dataclasses
import datetime as dt

from mldebt.store.monitor_queries import NoiseRow, alerts_view, noise, recent_runs, schedules
from tests.support.monitor_rows import DAY, HOUR, T0, alert, debt_change, delivery, retrain, run, schedule

MINUTE = dt.timedelta(minutes=1)


def test_schedules_show_the_last_run_and_leave_out_removed_monitors(store):
    with store.session() as session:
        last = run(session, "recs/drift", T0, "breach", value=0.4, threshold=0.3, summary="4 of 10 columns drifted",
                   evidence_url="/drift/12")
        schedule(session, "recs/drift", next_due_at=T0 + HOUR, last_run_id=last.id, last_status="breach",
                 last_finished_at=T0 + MINUTE)
        schedule(session, "recs/latency", kind="slo", every=300, next_due_at=T0 + 5 * MINUTE, last_status="error",
                 last_finished_at=T0)  # no run linked: the schedule's own columns
        schedule(session, "recs/old", removed_at=T0)
        schedule(session, "churn/quality", kind="model-quality", every=86400, enabled=False)
        session.commit()
    with store.session() as session:
        every = schedules(session)
        recs = schedules(session, component="recs")
    assert [(s.key, s.kind, s.every, s.enabled) for s in every] == [
        ("churn/quality", "model-quality", dt.timedelta(days=1), False),
        ("recs/drift", "drift", dt.timedelta(hours=1), True), ("recs/latency", "slo", dt.timedelta(minutes=5), True)]
    drift = recs[0]
    assert (drift.last_status, drift.last_summary, drift.last_value, drift.last_threshold, drift.last_finished_at,
            drift.last_evidence_url, drift.next_due_at) == (
        "breach", "4 of 10 columns drifted", 0.4, 0.3, T0 + MINUTE, "/drift/12", T0 + HOUR)
    assert (recs[1].last_status, recs[1].last_finished_at, recs[1].last_summary) == ("error", T0, None)
    assert [s.key for s in recs] == ["recs/drift", "recs/latency"]
    assert (every[0].last_run_id, every[0].last_status) == (None, None)


def test_recent_runs_are_newest_first_per_key_and_bounded(store):
    with store.session() as session:
        for i in range(5):
            run(session, "recs/drift", T0 + i * HOUR, "ok" if i % 2 else "breach")
        run(session, "recs/latency", T0 + 10 * HOUR, "running", kind="slo")
        session.commit()
    with store.session() as session:
        assert [(r.key, r.status, r.finished_at) for r in recent_runs(session, limit=2)] == [
            ("recs/latency", "running", None), ("recs/drift", "breach", T0 + 4 * HOUR + MINUTE)]
        drift = recent_runs(session, key="recs/drift")
        assert [r.started_at for r in drift] == [T0 + i * HOUR for i in (4, 3, 2, 1, 0)]
        assert recent_runs(session, key="nope/none") == []
        assert len(recent_runs(session, limit=0)) == 1  # clipped to at least one


def test_alerts_are_firing_first_with_acknowledgement_and_latest_delivery_per_channel(store):
    with store.session() as session:
        old = alert(session, "churn/quality", status="resolved", starts_at=T0 + 3 * HOUR, ends_at=T0 + 4 * HOUR)
        fire = alert(session, "recs/drift", starts_at=T0, summary="<b>drift</b>", acknowledged_at=T0 + HOUR,
                     acknowledged_by="ana", fire_count=3, generator_url="/drift/12")
        delivery(session, "recs/drift", T0, alert_id=fire.id, status="failed", http_status=503, reason="503")
        delivery(session, "recs/drift", T0 + MINUTE, alert_id=fire.id, status="sent", http_status=200)
        delivery(session, "recs/drift", T0, alert_id=fire.id, channel="team-slack", channel_kind="slack",
                 status="folded", reason="budget of 5 a day reached")
        delivery(session, None, T0 + 2 * MINUTE, kind="digest", channel="team-slack", component="recs")
        session.commit()
    with store.session() as session:
        alerts = alerts_view(session)
        firing = alerts_view(session, status="firing")
    assert [a.key for a in alerts] == ["recs/drift", "churn/quality"]
    assert [a.key for a in firing] == ["recs/drift"]
    recs = alerts[0]
    assert (recs.summary, recs.acknowledged_at, recs.acknowledged_by, recs.fire_count, recs.generator_url) == (
        "<b>drift</b>", T0 + HOUR, "ana", 3, "/drift/12")
    assert [(d.channel, d.status, d.http_status, d.created_at) for d in recs.deliveries] == [
        ("ops-alertmanager", "sent", 200, T0 + MINUTE), ("team-slack", "folded", None, T0)]
    assert recs.deliveries[1].reason == "budget of 5 a day reached"
    assert (alerts[1].id, alerts[1].deliveries, alerts[1].ends_at) == (old.id, (), T0 + 4 * HOUR)


def _noisy_history(session):
    """30 days from T0: recs/drift fires twice, churn/quality three times, search/latency once, fraud/slo
    only has a message; actions before, between and after the firings."""
    run(session, "recs/drift", T0 - DAY, "breach")  # already firing when the period starts
    for offset, status in ((HOUR, "breach"), (2 * HOUR, "ok"), (3 * HOUR, "error"), (4 * HOUR, "breach"),
                           (5 * HOUR, "breach"), (6 * HOUR, "error"), (7 * HOUR, "breach"), (DAY, "ok"),
                           (2 * DAY, "breach"), (3 * DAY, "running"), (31 * DAY, "ok"), (32 * DAY, "breach")):
        run(session, "recs/drift", T0 + offset, status)
    run(session, "search/latency", T0 - 2 * DAY, "ok", kind="slo")
    run(session, "search/latency", T0 + 10 * DAY, "breach", kind="slo")
    for day, status in enumerate(("breach", "ok", "breach", "ok", "breach"), start=1):
        run(session, "churn/quality", T0 + day * DAY, status, kind="model-quality")
    run(session, "fraud/slo", T0 - 3 * DAY, "breach", kind="slo")

    recs = alert(session, "recs/drift", acknowledged_at=T0 + 4 * HOUR + 30 * MINUTE, acknowledged_by="ana")
    alert(session, "churn/quality", acknowledged_at=T0 - HOUR)  # before the period
    for channel, kind in (("ops-alertmanager", "firing"), ("team-slack", "firing"), ("ops-alertmanager", "firing"),
                          ("ops-alertmanager", "resolved")):
        delivery(session, "recs/drift", T0 + 4 * HOUR, channel=channel, kind=kind, alert_id=recs.id)
    for i in range(5):
        delivery(session, "recs/drift", T0 + (5 + i) * HOUR, kind="resend", alert_id=recs.id)  # keep-alives
    for status in ("folded", "folded", "suppressed", "failed", "pending"):
        delivery(session, "recs/drift", T0 + 2 * DAY, status=status, alert_id=recs.id)
    delivery(session, "recs/drift", T0 - HOUR)  # before the period
    delivery(session, None, T0 + 2 * DAY, kind="digest", component="recs")
    for day in (1, 3, 5):
        delivery(session, "churn/quality", T0 + day * DAY)
    delivery(session, "fraud/slo", T0 + DAY, status="folded")

    debt_change(session, "recs", T0 + 5 * HOUR, "resolved")  # after the first firing of recs/drift
    retrain(session, "recs", T0 + 3 * DAY, None)  # asked for, never started
    retrain(session, "search", T0 + 9 * DAY, T0 + 9 * DAY)  # before search/latency fired
    retrain(session, "search", T0 + 10 * DAY, T0 + 10 * DAY + HOUR)
    debt_change(session, "churn", T0 + 12 * HOUR, "auto-resolved")  # before churn/quality fired
    debt_change(session, "churn", T0 + DAY + HOUR, "updated")
    debt_change(session, "churn", T0 + 3 * DAY + HOUR, "reopened")
    debt_change(session, "churn", T0 + 31 * DAY, "resolved")  # after the period


def test_noise_counts_firings_messages_and_actions_per_monitor(store):
    with store.session() as session:
        _noisy_history(session)
        session.commit()
    with store.session() as session:
        rows = noise(session, T0, T0 + 30 * DAY)
    assert [dataclasses.astuple(r) for r in rows] == [dataclasses.astuple(r) for r in [
        NoiseRow("churn/quality", "churn", "quality", fired=3, notified=3, folded=0, suppressed=0, failed=0,
                 acknowledged=0, retrained=0, debt_resolved=0, acted=0, action_rate=0.0),
        NoiseRow("recs/drift", "recs", "drift", fired=2, notified=4, folded=2, suppressed=1, failed=1,
                 acknowledged=1, retrained=0, debt_resolved=1, acted=1, action_rate=0.5),
        NoiseRow("search/latency", "search", "latency", fired=1, notified=0, folded=0, suppressed=0, failed=0,
                 acknowledged=0, retrained=1, debt_resolved=0, acted=1, action_rate=1.0),
        NoiseRow("fraud/slo", "fraud", "slo", fired=0, notified=0, folded=1, suppressed=0, failed=0,
                 acknowledged=0, retrained=0, debt_resolved=0, acted=0, action_rate=None)]]


def test_noise_of_a_later_period_credits_an_action_to_the_firing_before_it(store):
    with store.session() as session:
        _noisy_history(session)
        session.commit()
    with store.session() as session:
        rows = {r.key: r for r in noise(session, T0 + 2 * DAY, T0 + 40 * DAY)}
    # recs/drift: its breach at T0+2d opens the period after an ok run, and the one at T0+32d after another.
    assert (rows["recs/drift"].fired, rows["recs/drift"].acted, rows["recs/drift"].folded) == (2, 0, 2)
    # churn/quality fired at T0+3d and T0+5d in this period; the resolution at T0+31d follows the second.
    churn = rows["churn/quality"]
    assert (churn.fired, churn.notified, churn.debt_resolved, churn.acted, churn.action_rate) == (2, 2, 1, 1, 0.5)
    assert "fraud/slo" not in rows


def test_noise_of_an_empty_store_is_empty(store):
    with store.session() as session:
        assert noise(session, T0, T0 + DAY) == []
