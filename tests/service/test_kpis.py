"""KPIs of a quarter read from a real store (SQLite and PostgreSQL), against the previous quarter."""

import datetime as dt
from pathlib import Path

import pytest

from mldebt.errors import UserInputError
from mldebt.metrics.kpis import KPI_IDS
from mldebt.service.kpis import compute_kpis, default_quarter
from mldebt.service.test_reports import record_coverage, record_junit
from tests.support import kpi_store as build
from tests.support.kpi_store import at

NOW = at(12, 2, 3)  # 2026Q4 is running
REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "scan"


def load(store) -> None:
    with store.session() as s:
        recs_model = build.component(s, "recs-model", "model", customer_facing=True)
        build.component(s, "fraud-model", "model", trained_at=dt.date(2026, 8, 1))
        build.component(s, "old-model", "model", retired_at=at(6, 1))
        build.component(s, "recs-api", "service", customer_facing=True)
        build.component(s, "train-pipe", "pipeline")
        build.component(s, "bot", "feature")
        build.retrain_entry(s, recs_model, dt.date(2026, 11, 1))
        # MTTR: Q4 intervals 2 h, 6 h (opened in Q3, resolved in Q4) and 30 min; Q3 one of 4 h
        build.incident(s, "recs-api", (at(10, 1, 10), at(10, 1, 12)))
        build.incident(s, "recs-api", (at(9, 30, 22), at(10, 1, 4)), (at(11, 3, 9), at(11, 3, 9, 30)))
        build.incident(s, "recs-api", (at(9, 15, 8), at(9, 15, 12)))
        build.incident(s, None, (at(10, 2, 0), at(10, 2, 1)))  # unlinked: not an AI incident
        build.incident(s, "recs-api", (at(11, 20), None))  # still open: not timed
        for name, day in (("recs-api", at(10, 5)), ("recs-api", at(11, 5)), (None, at(10, 6)), (None, at(12, 1)),
                          ("recs-api", at(9, 1))):
            build.ticket(s, name, day)
        build.junit(s, "train-pipe", at(11, 1), tests=12, failures=1, skipped=2)
        build.junit(s, None, at(11, 2), tests=10)
        build.coverage(s, "train-pipe", at(10, 1), 100, 50)
        build.coverage(s, "train-pipe", at(11, 1), 100, 80)
        build.coverage(s, "recs-api", at(11, 1), 100, 10)  # a service: not retraining code
        build.feedback(s, "bot", 1.0, at(10, 10))
        build.feedback(s, "bot", 0.5, at(11, 10))
        build.feedback(s, "bot", None, at(11, 11))  # free text: no score
        build.feedback(s, "fraud-model", 0.0, at(11, 10))  # not an AI feature
        build.feedback(s, "recs-api", 0.25, at(9, 10))  # Q3
        build.drift_run(s, "recs-model", at(10, 20), True)
        build.drift_run(s, "recs-model", at(11, 20), False)
        fixed = build.debt_item(s, "recs-api", at(9, 1))
        build.resolve(s, fixed, at(10, 15), "automated")
        accepted = build.debt_item(s, "recs-api", at(9, 10))
        build.set_status(s, accepted, "accepted", at(11, 20))
        build.debt_item(s, "fraud-model", at(11, 1), effort=(2, 4), interest=(100, 200, 1.5))


def values(report, field="value"):
    return {k["id"]: k[field] for k in report.to_dict()["kpis"]}


def test_every_kpi_of_the_running_quarter_with_the_previous_one_computed(store):
    load(store)
    report = compute_kpis(store, "2026Q4", NOW)
    d = report.to_dict()
    assert (d["quarter"], d["period"], d["previous"], d["frozen"], d["ai_features"]) == (
        "2026Q4", {"start": "2026-10-01T00:00:00+00:00", "end": "2027-01-01T00:00:00+00:00",
                   "as_of": "2026-12-02T03:00:00+00:00", "complete": False},
        {"quarter": "2026Q3", "source": "computed", "taken_at": None}, None, ["bot", "recs-api", "recs-model"])
    assert [k["id"] for k in d["kpis"]] == list(KPI_IDS)
    assert values(report) == {
        "mttr_ai_incidents": 2.83,          # (2 + 6 + 0.5) / 3
        "models_retrained_share": 0.5,      # recs-model of recs-model, fraud-model (old-model retired)
        "ai_linked_tickets": 2,             # of 4 in Q4
        "pipeline_test_pass_rate": 0.95,    # passed (12 - 1 - 2) + 10 = 19 of (12 - 2) + 10 = 20 run
        "retraining_coverage": 0.8,         # train-pipe's latest report
        "automated_fix_rate": 1.0,
        "satisfaction_by_feature": 0.75,    # bot: (1.0 + 0.5) / 2
        "open_debt": 1,                     # the fraud-model item (the accepted one is not owed)
        "drift_alerts": 1}
    assert values(report, "previous") == {
        "mttr_ai_incidents": 4.0, "models_retrained_share": 0.5, "ai_linked_tickets": 1,
        "pipeline_test_pass_rate": None, "retraining_coverage": None, "automated_fix_rate": None,
        "satisfaction_by_feature": 0.25, "open_debt": 2, "drift_alerts": 0}
    assert values(report, "change_is_good") == {
        "mttr_ai_incidents": True, "models_retrained_share": None, "ai_linked_tickets": False,
        "pipeline_test_pass_rate": None, "retraining_coverage": None, "automated_fix_rate": None,
        "satisfaction_by_feature": True, "open_debt": True, "drift_alerts": False}


def test_details_and_per_component_breakdowns_read_from_the_store(store):
    load(store)
    kpis = {k["id"]: k for k in compute_kpis(store, "2026Q4", NOW).to_dict()["kpis"]}
    assert kpis["mttr_ai_incidents"]["details"] == {"median_hours": 2.0, "resolved_intervals": 3}
    assert kpis["ai_linked_tickets"]["details"] == {"all_tickets": 4, "share": 0.5}
    assert kpis["models_retrained_share"]["by_component"] == {
        "fraud-model": {"value": 0.0, "last_retrained": None},
        "recs-model": {"value": 1.0, "last_retrained": "2026-11-01"}}
    assert kpis["open_debt"]["details"] == {"effort_low_hours": 2.0, "effort_high_hours": 4.0, "interest_low": 100.0,
                                            "interest_high": 200.0, "interest_hours": 1.5, "currency": "USD",
                                            "median_age_days": 31.1}  # 2026-11-01 to 2026-12-02 03:00
    assert kpis["drift_alerts"]["by_component"] == {"recs-model": {"value": 1, "runs": 2, "share": 0.5}}


def test_a_past_quarter_counts_open_debt_by_the_status_its_history_recorded_at_its_end(store):
    load(store)
    kpis = {k["id"]: k for k in compute_kpis(store, "2026Q3", NOW).to_dict()["kpis"]}
    # at 2026-10-01 both recs-api items were open: one was resolved, the other accepted, only later
    assert kpis["open_debt"]["value"] == 2 and kpis["open_debt"]["details"]["median_age_days"] == 25.5


def test_a_bad_or_future_quarter_is_refused_before_reading(store):
    with pytest.raises(UserInputError, match="bad quarter '2026-4'"):
        compute_kpis(store, "2026-4", NOW)
    with pytest.raises(UserInputError, match="quarter 2027Q1 has not started yet"):
        compute_kpis(store, "2027Q1", NOW)
    assert default_quarter(NOW) == "2026Q4"


def test_test_kpis_read_reports_recorded_by_mldebt_ingest(store, tmp_path):
    with store.session() as s:
        build.component(s, "recs-model", "model")
    inventory = tmp_path / "mldebt.yaml"
    inventory.write_text("version: 1\ncomponents:\n  - {name: recs-model, kind: model, paths: ['training/recs/**']}\n")
    record_junit(store, REPORTS / "junit.xml", "recs-model", now=at(11, 1))  # 5 tests: 2 passed of 4 run
    record_coverage(store, REPORTS / "coverage.xml", "recs-model", inventory, now=at(11, 1))  # 3 of 4 lines
    kpis = {k["id"]: k for k in compute_kpis(store, "2026Q4", NOW).to_dict()["kpis"]}
    assert kpis["pipeline_test_pass_rate"]["value"] == 0.5
    assert kpis["pipeline_test_pass_rate"]["details"] == {"reports": 1, "tests": 5, "passed": 2, "failed": 2,
                                                          "skipped": 1}
    assert kpis["retraining_coverage"]["value"] == 0.75
    assert kpis["retraining_coverage"]["by_component"] == {"recs-model": {
        "value": 0.75, "lines_valid": 4, "lines_covered": 3, "recorded_at": "2026-11-01T00:00:00+00:00"}}
