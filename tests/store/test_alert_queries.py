"""`noise`: firings counted from the runs (a breach after an ok, not every breach), deliveries by
status, and which firings were followed by an acknowledgement, a retrain or a resolved debt item."""

from __future__ import annotations

import datetime as dt

from mldebt.domain.alerts import Alert, AlertStatus
from mldebt.store import alerts as repo
from mldebt.store.alert_queries import MonitorNoise, noise
from mldebt.store.debt import add_item, change_item
from mldebt.store.models import ComponentRow, RetrainRequestRow
from mldebt.store.monitor_tables import MonitorRunRow

SINCE = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
NOW = SINCE + dt.timedelta(days=1)
LAG = "recs-model/lag"
DATA = "fraud-data/drift"


def at(hours: float) -> dt.datetime:
    return SINCE + dt.timedelta(hours=hours)


def runs(session, key: str, statuses: list[tuple[float, str]]) -> None:
    component = key.split("/")[0]
    for hours, status in statuses:
        session.add(MonitorRunRow(monitor_key=key, component=component, kind="slo", due_at=at(hours),
                                  started_at=at(hours), finished_at=at(hours), status=status, trigger="schedule",
                                  holder="test", detail={}))


def delivery(session, key: str | None, component: str, kind: str, status: str, hours: float) -> None:
    repo.add_delivery(session, channel="team", channel_kind="slack", component=component, kind=kind, status=status,
                      now=at(hours), alert=repo.get_alert(session, key) if key else None)


def retrain(session, component: str, hours: float | None) -> None:
    session.add(RetrainRequestRow(component=component, mode="auto", target="cmd", status="succeeded",
                                  created_at=at(hours or 0), started_at=at(hours) if hours is not None else None,
                                  outcome={}, context={}, attempts=1))


def model(session, name: str, training_data: str) -> None:
    session.add(ComponentRow(name=name, kind="model", lifecycle="production", spec={"training_data": training_data},
                             spec_hash="x", created_at=SINCE, updated_at=SINCE))


def resolved_debt(session, key: str, component: str, hours: float) -> None:
    values = {"key": key, "title": key, "category": "model", "component": component, "source": "scan",
              "severity": "medium", "status": "open", "effort_low_hours": 1.0, "effort_high_hours": 2.0,
              "evidence": [], "evidence_count": 0, "rule_ids": [], "first_seen_at": SINCE - dt.timedelta(days=9)}
    row = add_item(session, values, "test", SINCE - dt.timedelta(days=9))
    change_item(session, row, {"status": "resolved", "resolved_at": at(hours)}, "ana", at(hours), action="resolved")


def test_noise_counts_firings_deliveries_and_what_was_acted_on(store):
    with store.session() as s:
        runs(s, LAG, [(-1, "breach"),  # firing before the period: its breaches in the period are not new
                      (1, "breach"), (2, "ok"), (3, "breach"), (4, "error"), (5, "breach"), (6, "ok"),
                      (8, "breach"), (8.5, "abandoned"), (9, "ok"), (10, "breach"), (25, "ok"), (26, "breach")])
        runs(s, DATA, [(-3, "ok"), (2, "breach"), (3, "breach")])
        runs(s, "shop/quiet", [(1, "ok"), (2, "ok")])
        repo.save_alert(s, Alert(key=LAG, component="recs-model", monitor="lag", kind="slo", severity="critical",
                                 status=AlertStatus.FIRING, summary="p95", description="p95", starts_at=at(10)),
                        run_id=None, evaluated_at=at(10))
        repo.acknowledge(s, LAG, "ana", at(8.5))  # during the second firing of the period
        for kind, status, hours in [("firing", "sent", 3), ("firing", "suppressed", 3.5), ("firing", "suppressed", 5),
                                    ("resolved", "sent", 6), ("firing", "sent", 8), ("resend", "sent", 8.2),
                                    ("resend", "sent", 8.4), ("firing", "folded", 10), ("firing", "failed", 10),
                                    ("firing", "suppressed", 11), ("firing", "suppressed", 12),
                                    ("firing", "sent", -2)]:  # before the period
            delivery(s, LAG, "recs-model", kind, status, hours)
        delivery(s, None, "recs-model", "digest", "sent", 10)  # a digest has no alert
        retrain(s, "recs-model", 3.5)  # after the first firing
        retrain(s, "recs-model", None)  # pending approval, never started
        retrain(s, "other-model", 8.6)
        resolved_debt(s, "d1", "recs-model", 9.5)  # during the second firing (also acknowledged)
        resolved_debt(s, "d2", "recs-model", -5)  # before the period
        model(s, "fraud-model", "fraud-data")
        retrain(s, "fraud-model", 2.5)  # a model trained on the dataset that drifted

    with store.session() as s:
        result = noise(s, SINCE, NOW)

    assert result == [
        MonitorNoise(key=LAG, component="recs-model", monitor="lag", fired=3, sent=3, folded=1, suppressed=4,
                     failed=1, acknowledged=1, retrained=1, debt_resolved=1, acted=2),
        MonitorNoise(key=DATA, component="fraud-data", monitor="drift", fired=1, sent=0, folded=0, suppressed=0,
                     failed=0, acknowledged=0, retrained=1, debt_resolved=0, acted=1),
    ]
    assert result[0].action_rate == 2 / 3 and result[1].action_rate == 1.0


def test_noise_of_an_empty_period_is_empty_and_a_monitor_with_deliveries_only_has_no_rate(store):
    with store.session() as s:
        assert noise(s, SINCE, NOW) == []
        runs(s, LAG, [(-1, "breach"), (1, "breach")])
        repo.save_alert(s, Alert(key=LAG, component="recs-model", monitor="lag", kind="slo", severity="warning",
                                 status=AlertStatus.FIRING, summary="x", description="x", starts_at=at(-1)),
                        run_id=None, evaluated_at=at(1))
        delivery(s, LAG, "recs-model", "firing", "sent", 2)
    with store.session() as s:
        [only] = noise(s, SINCE, NOW)
    assert (only.fired, only.sent, only.acted, only.action_rate) == (0, 1, 0, None)
