"""The dicts of `mldebt monitor list` / `monitor noise --format json`: JSON as they are, arguments checked."""

import json

import pytest

from mldebt.errors import UserInputError
from mldebt.service.monitor_view import monitor_alerts, monitor_list, monitor_noise, monitor_runs
from tests.support.monitor_rows import DAY, HOUR, T0, alert, delivery, run, schedule


def test_monitor_list_is_json_with_the_last_result_or_none(store):
    with store.session() as session:
        last = run(session, "recs/drift", T0, "breach", value=0.4, threshold=0.3, summary="drifted",
                   evidence_url="/drift/1")
        schedule(session, "recs/drift", next_due_at=T0 + HOUR, last_run_id=last.id)
        schedule(session, "churn/quality", kind="model-quality", every=90)
        session.commit()
    listed = monitor_list(store)
    assert json.loads(json.dumps(listed)) == listed
    assert listed == [
        {"key": "churn/quality", "component": "churn", "monitor": "quality", "kind": "model-quality", "every": "90s",
         "every_seconds": 90, "enabled": True, "next_due_at": "2026-11-02T08:00:00+00:00", "last": None},
        {"key": "recs/drift", "component": "recs", "monitor": "drift", "kind": "drift", "every": "1h",
         "every_seconds": 3600, "enabled": True, "next_due_at": "2026-11-02T09:00:00+00:00",
         "last": {"run_id": last.id, "status": "breach", "summary": "drifted", "value": 0.4, "threshold": 0.3,
                  "finished_at": "2026-11-02T08:01:00+00:00", "evidence_url": "/drift/1"}}]
    assert [m["key"] for m in monitor_list(store, "recs")] == ["recs/drift"]
    assert monitor_list(store, "") == listed  # an empty filter is no filter


def test_monitor_noise_counts_the_last_days_up_to_now(store):
    with store.session() as session:
        run(session, "recs/drift", T0, "breach")
        run(session, "recs/drift", T0 + DAY, "ok")
        run(session, "recs/drift", T0 + 2 * DAY, "breach")
        a = alert(session, "recs/drift", acknowledged_at=T0 + 2 * DAY + HOUR, acknowledged_by="ana")
        delivery(session, "recs/drift", T0 + 2 * DAY, alert_id=a.id)
        session.commit()
    rows = monitor_noise(store, days=30, now=T0 + 3 * DAY)
    assert json.loads(json.dumps(rows)) == rows
    assert rows == [{"key": "recs/drift", "component": "recs", "monitor": "drift", "fired": 2, "notified": 1,
                     "folded": 0, "suppressed": 0, "failed": 0, "acknowledged": 1, "retrained": 0, "debt_resolved": 0,
                     "acted": 1, "action_rate": 0.5}]
    assert [r["fired"] for r in monitor_noise(store, days=1, now=T0 + 3 * DAY)] == [1]  # only T0+2d


@pytest.mark.parametrize("days", [0, 367, True, 1.5])
def test_monitor_noise_refuses_a_period_out_of_range(store, days):
    with pytest.raises(UserInputError, match="days: a whole number of days from 1 to 366"):
        monitor_noise(store, days=days, now=T0)


def test_runs_and_alerts_check_their_filters_and_are_json(store):
    with store.session() as session:
        run(session, "recs/drift", T0, "ok")
        alert(session, "recs/drift")
        session.commit()
    runs, alerts = monitor_runs(store, "recs/drift"), monitor_alerts(store, "firing")
    assert json.loads(json.dumps([runs, alerts])) == [runs, alerts]
    assert [(r["key"], r["status"], r["started_at"]) for r in runs] == [
        ("recs/drift", "ok", "2026-11-02T08:00:00+00:00")]
    assert [(x["key"], x["acknowledged"], x["deliveries"]) for x in alerts] == [("recs/drift", None, [])]
    with pytest.raises(UserInputError, match="status: expected firing or resolved, got 'open'"):
        monitor_alerts(store, "open")
    with pytest.raises(UserInputError, match="component: at most 100 characters"):
        monitor_list(store, "x" * 101)
    with pytest.raises(UserInputError, match="key: at most 210 characters"):
        monitor_runs(store, "x" * 211)
