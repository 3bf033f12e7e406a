"""Metric families from plain records: exact values, the cap on component labels, Prometheus' naming."""

from __future__ import annotations

import datetime as dt

from prometheus_client.parser import text_string_to_metric_families

from mldebt.metrics.exposition import (
    OTHER,
    DebtGroup,
    DriftLatest,
    FindingGroup,
    IncidentGroup,
    SatisfactionGroup,
    StoreSnapshot,
    kept_components,
    render,
)
from tests.support.metrics_data import samples

AT = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _debt(component: str, items: int, interest_high: float, priority: float) -> DebtGroup:
    return DebtGroup(component, "code", "USD", items, 1.0 * items, 2.0 * items, interest_high / 2, interest_high,
                     priority)


# a: most interest; b and c tie on interest, b has more items (5 against c's item, findings and open
# incident: 4); d carries no debt at all.
SNAPSHOT = StoreSnapshot(
    taken_at=AT, seconds=0.004,
    debt=(_debt("a", 1, 900.0, 10.0), _debt("b", 5, 100.0, 20.0), _debt("c", 1, 100.0, 30.0)),
    incidents=(IncidentGroup("a", 1, 600.0, 0), IncidentGroup("c", 1, 100.0, 1), IncidentGroup("d", 3, 300.0, 2)),
    drift=(DriftLatest("c", 0.2, False), DriftLatest("d", 0.7, True)),
    satisfaction=(SatisfactionGroup("c", 1, 1.0), SatisfactionGroup("d", 3, 0.6)),
    findings=(FindingGroup("c", "scan", "MLD102", 2), FindingGroup("d", "scan", "MLD104", 3),
              FindingGroup("d", "drift", "DRIFT-psi", 1)),
    deliveries={("sentry", "parsed"): 5, ("sentry", "failed"): 1}, tickets={"zendesk": 4},
    incidents_by_source={"sentry": 6})


def test_components_are_ranked_by_interest_then_items_then_name():
    assert kept_components(SNAPSHOT, 2) == {"a", "b"}
    assert kept_components(SNAPSHOT, 3) == {"a", "b", "c"}


def test_components_past_the_cap_are_folded_into_other_keeping_each_family_meaningful():
    got = samples(render(SNAPSHOT, max_components=2).decode())
    other = (("component", OTHER),)
    code_other = (("category", "code"), ("component", OTHER))
    assert got[("mldebt_debt_open_items", code_other)] == 1.0  # c's item; d has none
    assert got[("mldebt_debt_open_interest_high_per_week", (*code_other, ("currency", "USD")))] == 100.0
    assert got[("mldebt_debt_top_priority", other)] == 30.0  # the worst of the folded
    assert got[("mldebt_ai_incident_mttr_seconds", other)] == (100.0 * 1 + 300.0 * 3) / 4  # weighted: 250 s
    assert got[("mldebt_ai_incident_resolved_outages", other)] == 4.0
    assert got[("mldebt_ai_incidents_open", other)] == 3.0
    assert got[("mldebt_drift_share_ratio", other)] == 0.7
    assert got[("mldebt_drift_dataset_drifted", other)] == 1.0
    assert got[("mldebt_feedback_satisfaction_ratio", other)] == (1.0 + 0.6 * 3) / 4  # 0.7
    findings = "mldebt_findings_open"
    assert got[(findings, (("category", "dependencies"), ("component", OTHER), ("source", "scan")))] == 5.0
    assert got[(findings, (("category", "data"), ("component", OTHER), ("source", "drift")))] == 1.0
    assert got[("mldebt_metrics_folded_components", ())] == 2.0
    components = {dict(labels).get("component") for _, labels in got} - {None}
    assert components == {"a", "b", OTHER}


def test_kept_components_keep_their_own_values():
    got = samples(render(SNAPSHOT, max_components=2).decode())
    assert got[("mldebt_debt_open_effort_low_seconds", (("category", "code"), ("component", "b")))] == 5 * 3600.0
    assert got[("mldebt_debt_open_effort_high_seconds", (("category", "code"), ("component", "b")))] == 10 * 3600.0
    assert got[("mldebt_ai_incident_mttr_seconds", (("component", "a"),))] == 600.0


def test_ingest_counters_end_in_total_and_sum_the_statuses():
    got = samples(render(SNAPSHOT).decode())
    assert got[("mldebt_webhook_deliveries_total", (("source", "sentry"),))] == 6.0
    assert got[("mldebt_webhook_deliveries_by_status", (("source", "sentry"), ("status", "failed")))] == 1.0
    assert got[("mldebt_tickets_total", (("source", "zendesk"),))] == 4.0
    assert got[("mldebt_incidents_total", (("source", "sentry"),))] == 6.0
    assert got[("mldebt_metrics_snapshot_timestamp_seconds", ())] == AT.timestamp()
    assert got[("mldebt_metrics_snapshot_duration_seconds", ())] == 0.004


def test_every_family_follows_the_naming_conventions_even_without_samples():
    families = list(text_string_to_metric_families(render(StoreSnapshot(taken_at=AT)).decode()))
    types = {f.name: f.type for f in families}
    assert all(name.startswith("mldebt_") for name in types)
    assert {name for name, kind in types.items() if kind == "counter"} == {
        "mldebt_webhook_deliveries", "mldebt_tickets", "mldebt_incidents"}  # exposed with `_total`
    assert len(types) == 21
    units = ("_seconds", "_ratio", "_per_week", "_items", "_open", "_drifted", "_priority", "_outages",
             "_responses", "_by_status", "_components", "_deliveries", "_tickets", "_incidents")
    assert [name for name in types if not name.endswith(units)] == []
