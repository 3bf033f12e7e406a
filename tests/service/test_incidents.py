"""Incident lifecycle, MTTR and recurring failures through the service, on SQLite and PostgreSQL."""

import datetime as dt
import json

import pytest
from sqlalchemy import select

from mldebt.domain.component import SourceRule
from mldebt.domain.incident import IncidentSignal, SignalAction
from mldebt.ingest.common import Delivery, ParsedDelivery
from mldebt.service.incidents import mttr_report, relink, sync_recurring, unlinked
from mldebt.service.ingest import apply_parsed, receive, replay
from mldebt.service.linker import Linker
from mldebt.store import raw_events
from mldebt.store.findings import open_findings
from mldebt.store.ingest_tables import IncidentRow

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
LINKER = Linker(sources={"alertmanager": [SourceRule(match={"service": "recs-api"}, component="recs-api")]},
                components=["recs-api", "fraud-model"])


def signal(action: str, minutes: float, key: str = "alert:a", started: float | None = None, **attrs) -> IncidentSignal:
    return IncidentSignal(source="alertmanager", key=key, action=SignalAction(action),
                          at=T0 + dt.timedelta(minutes=minutes),
                          started_at=T0 + dt.timedelta(minutes=started) if started is not None else None,
                          title="recs latency", culprit=attrs.pop("culprit", None),
                          attributes={"service": "recs-api", **attrs}, text="recs timeout")


def apply(store, *signals):
    with store.session() as session:
        apply_parsed(session.connection(), ParsedDelivery("x", signals=list(signals)), LINKER, raw_id=1)


def intervals(store):
    with store.session() as session:
        row = session.scalar(select(IncidentRow))
        return row.reopen_count, [((i.opened_at.replace(tzinfo=dt.UTC) - T0).total_seconds() / 60,
                                   None if i.resolved_at is None else
                                   (i.resolved_at.replace(tzinfo=dt.UTC) - T0).total_seconds() / 60)
                                  for i in row.intervals]


def test_open_resolve_reopen_makes_a_new_interval(store):
    apply(store, signal("open", 0), signal("open", 5), signal("resolve", 30), signal("open", 90),
          signal("resolve", 100))
    assert intervals(store) == (1, [(0, 30), (90, 100)])
    [result] = mttr_report(store)
    assert (result.group, result.incidents, result.resolved, result.mean_minutes, result.median_minutes) == (
        "recs-api", 2, 2, 20.0, 20.0)


def test_out_of_order_and_repeated_signals_change_nothing(store):
    apply(store, signal("resolve", 40, started=10))   # resolved arrives first
    apply(store, signal("open", 10), signal("resolve", 40, started=10), signal("open", 20))
    assert intervals(store) == (0, [(10, 40)])


def test_mttr_by_category_and_quarter(store):
    apply(store, signal("open", 0, key="alert:a"), signal("resolve", 10, key="alert:a"),
          signal("open", 0, key="alert:b"), signal("resolve", 30, key="alert:b"),
          signal("open", 0, key="alert:c"), signal("resolve", 110, key="alert:c"))
    [by_category] = mttr_report(store, by="category")
    assert (by_category.group, by_category.mean_minutes, by_category.median_minutes) == ("latency", 50.0, 30.0)
    assert by_category.p90_minutes == pytest.approx(94.0)  # numpy.percentile([10, 30, 110], 90) == 94.0
    assert [r.group for r in mttr_report(store, by="quarter")] == ["2026-Q4"]


def test_three_occurrences_in_30_days_become_a_recurring_failure_finding(store):
    for i in range(3):
        apply(store, signal("open", i * 1440), signal("resolve", i * 1440 + 20))
    findings, result = sync_recurring(store, T0 + dt.timedelta(days=5))
    [finding] = findings
    assert (finding.rule_id, finding.source, finding.component) == ("INC001", "incidents", "recs-api")
    assert finding.message == "recurring failure: recs latency (3 times in 30 days)"
    assert len(finding.evidence["incidents"]) == 3 and result.new == [finding.fingerprint]
    _, later = sync_recurring(store, T0 + dt.timedelta(days=60))
    assert later.fixed == [finding.fingerprint]
    with store.session() as session:
        assert open_findings(session, source="incidents") == []


def test_same_culprit_across_problems_recurs(store):
    for i, key in enumerate(["alert:x", "alert:y", "alert:z"]):
        apply(store, signal("open", i * 60, key=key, culprit="recs.api.views"))
    [finding] = sync_recurring(store, T0 + dt.timedelta(days=1))[0]
    assert finding.evidence["kind"] == "culprit" and finding.evidence["identity"] == "recs.api.views"


def test_replay_parses_failed_events_once(store):
    body = json.dumps({"alerts": [{"status": "firing", "labels": {"service": "recs-api"}, "fingerprint": "f1",
                                   "startsAt": "2026-11-01T12:00:00Z", "endsAt": "0001-01-01T00:00:00Z"}]}).encode()
    with store.session() as session:  # stored as failed by an earlier, buggier parser
        for _ in range(2):
            event = raw_events.RawEvent("alertmanager", None, {}, body, T0, "verified", "failed",
                                        error="old parser bug")
            raw_events.append(session.connection(), event)
    result = replay(store, LINKER)
    assert (result.parsed, result.duplicate, result.failed) == (1, 1, 0)
    assert replay(store, LINKER).to_dict() == {"parsed": 0, "duplicate": 0, "failed": 0, "errors": []}
    with store.session() as session:
        assert [r.status for r in raw_events.list_events(session)] == ["duplicate", "parsed"]


def test_unlinked_until_the_inventory_maps_it(store):
    body = json.dumps({"alerts": [{"status": "firing", "labels": {"service": "fraud-scorer"}, "fingerprint": "f2",
                                   "startsAt": "2026-11-01T12:00:00Z"}]}).encode()
    receive(store, [Delivery("alertmanager", body)], LINKER, {}, verification="backfill (local file)")
    [item] = unlinked(store, LINKER)
    assert item.suggestion == "sources.alertmanager: - match: {service: fraud-scorer}  component: fraud-model"
    fixed = Linker(sources={"alertmanager": [SourceRule(match={"service": "fraud-*"}, component="fraud-model")]})
    assert relink(store, fixed) == 1 and unlinked(store, fixed) == []
