"""Every KPI on hand-made records, with the expected numbers worked out by hand in the comments."""

import datetime as dt

from mldebt.metrics.kpis import Period, Quarter, QuarterData
from mldebt.metrics.kpis import ai_linked_tickets as tickets_kpi
from mldebt.metrics.kpis import automated_fix_rate as fix_kpi
from mldebt.metrics.kpis import drift_alerts as drift_kpi
from mldebt.metrics.kpis import models_retrained_share as retrained_kpi
from mldebt.metrics.kpis import mttr_ai_incidents as mttr_kpi
from mldebt.metrics.kpis import open_debt as debt_kpi
from mldebt.metrics.kpis import pipeline_test_pass_rate as pass_kpi
from mldebt.metrics.kpis import retraining_coverage as coverage_kpi
from mldebt.metrics.kpis import satisfaction_by_feature as satisfaction_kpi
from mldebt.metrics.kpis.records import (
    ComponentInfo,
    CoverageReport,
    DriftCount,
    FeedbackTotals,
    JUnitTotals,
    ModelRetrains,
    OpenItem,
    ResolvedIntervals,
    ResolvedItems,
    TicketCount,
)

Q4 = Quarter(2026, 4)
AFTER = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)


def data(now: dt.datetime = AFTER, **fields) -> QuarterData:
    return QuarterData(Period.for_quarter(Q4, now), **fields)


def at(month: int, day: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


def by_component(result):
    return {name: m.to_dict() for name, m in (result.by_component or {}).items()}


def test_mttr_is_mean_and_median_hours_overall_and_per_component():
    result = mttr_kpi.compute(data(intervals=[ResolvedIntervals("a", [1.0, 3.0]), ResolvedIntervals("b", [2.0]),
                                              ResolvedIntervals("b", [10.0])]))
    # [1, 3, 2, 10]: mean 16 / 4 = 4.0; median of 1, 2, 3, 10 = (2 + 3) / 2 = 2.5
    assert result.total.to_dict() == {"value": 4.0, "median_hours": 2.5, "resolved_intervals": 4}
    assert by_component(result) == {"a": {"value": 2.0, "median_hours": 2.0, "resolved_intervals": 2},
                                    "b": {"value": 6.0, "median_hours": 6.0, "resolved_intervals": 2}}


def test_mttr_of_no_resolved_interval_is_unknown():
    assert mttr_kpi.compute(data()).total.to_dict() == {"value": None, "median_hours": None, "resolved_intervals": 0}


def test_retrained_share_counts_models_in_the_inventory_at_the_end_of_the_quarter():
    models = [ModelRetrains("m1", None, (dt.date(2026, 8, 1), dt.date(2026, 11, 3))),
              ModelRetrains("m2", None, (dt.date(2026, 9, 30), dt.date(2027, 1, 1))),  # just outside, both sides
              ModelRetrains("m3", at(12, 1), (dt.date(2026, 11, 5),)),  # retired before the end: not counted
              ModelRetrains("m4", at(1, 10, 2027), (dt.date(2026, 12, 31),))]  # retired after it: counted
    result = retrained_kpi.compute(data(models=models))
    assert result.total.to_dict() == {"value": 0.6667, "models": 3, "retrained": 2}  # 2 / 3
    assert by_component(result) == {"m1": {"value": 1.0, "last_retrained": "2026-11-03"},
                                    "m2": {"value": 0.0, "last_retrained": None},
                                    "m4": {"value": 1.0, "last_retrained": "2026-12-31"}}


def test_retrained_share_of_a_running_quarter_counts_up_to_today():
    models = [ModelRetrains("m1", None, (dt.date(2026, 11, 10),)), ModelRetrains("m2", None, (dt.date(2026, 11, 11),))]
    result = retrained_kpi.compute(data(now=dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC), models=models))
    assert result.total.to_dict() == {"value": 0.5, "models": 2, "retrained": 1}


def test_retrained_share_of_an_inventory_without_models_is_unknown():
    assert retrained_kpi.compute(data()).total.value is None


def test_ai_linked_tickets_and_their_share_of_all_tickets():
    result = tickets_kpi.compute(data(tickets=[TicketCount("a", 3), TicketCount("b", 1), TicketCount(None, 4)]))
    assert result.total.to_dict() == {"value": 4, "all_tickets": 8, "share": 0.5}
    assert by_component(result) == {"a": {"value": 3, "share": 0.375}, "b": {"value": 1, "share": 0.125}}


def test_pass_rate_sums_the_reports_and_leaves_skipped_tests_out():
    rows = [JUnitTotals("a", 2, 20, 1, 1, 2), JUnitTotals(None, 1, 10, 0, 0, 0)]
    result = pass_kpi.compute(data(junit=rows))
    # tests 30, skipped 2 -> 28 ran; failed 1 + 1 = 2; passed 26; 26 / 28 = 0.928571...
    assert result.total.to_dict() == {"value": 0.9286, "reports": 3, "tests": 30, "passed": 26, "failed": 2,
                                      "skipped": 2}
    assert by_component(result)["a"]["value"] == 0.8889  # 16 / 18
    assert by_component(result)["(unlinked)"]["value"] == 1.0
    assert pass_kpi.compute(data()).total.value is None


def test_coverage_takes_the_latest_report_of_each_model_or_pipeline_weighted_by_lines():
    components = {"m1": ComponentInfo("m1", "model", False), "p1": ComponentInfo("p1", "pipeline", False),
                  "s1": ComponentInfo("s1", "service", True)}
    reports = [CoverageReport(1, "m1", at(10, 5), 100, 50, 0.5), CoverageReport(2, "m1", at(12, 1), 200, 150, 0.75),
               CoverageReport(3, "p1", at(11, 1), 100, 80, 0.8), CoverageReport(4, "p1", at(11, 1), 100, 90, 0.9),
               CoverageReport(5, "s1", at(12, 2), 1000, 0, 0.0),  # a service: not retraining code
               CoverageReport(6, "gone", at(12, 2), 1000, 0, 0.0)]  # not in the inventory
    result = coverage_kpi.compute(data(components=components, coverage=reports))
    # m1's latest 150/200, p1's latest (same time, higher id) 90/100: (150 + 90) / (200 + 100) = 0.8
    assert result.total.to_dict() == {"value": 0.8, "components": 2, "lines_valid": 300, "lines_covered": 240}
    assert {name: m["value"] for name, m in by_component(result).items()} == {"m1": 0.75, "p1": 0.9}


def test_coverage_without_line_counts_falls_back_to_the_mean_line_rate():
    components = {"m1": ComponentInfo("m1", "model", False), "m2": ComponentInfo("m2", "model", False)}
    reports = [CoverageReport(1, "m1", at(10, 5), None, None, 0.6), CoverageReport(2, "m2", at(10, 5), 0, 0, 0.8)]
    assert coverage_kpi.compute(data(components=components, coverage=reports)).total.value == 0.7


def test_automated_fix_rate_of_the_items_resolved_in_the_quarter():
    rows = [ResolvedItems("a", "automated", 3), ResolvedItems("a", "manual", 1), ResolvedItems("b", None, 1)]
    result = fix_kpi.compute(data(resolved_items=rows))
    assert result.total.to_dict() == {"value": 0.6, "resolved": 5, "automated": 3, "manual": 1, "unrecorded": 1}
    assert by_component(result)["a"]["value"] == 0.75 and by_component(result)["b"]["value"] == 0.0


def test_satisfaction_per_ai_feature_weighs_every_answer_the_same():
    components = {"f1": ComponentInfo("f1", "feature", False), "c1": ComponentInfo("c1", "model", True),
                  "i1": ComponentInfo("i1", "model", False), "gone": ComponentInfo("gone", "feature", False, at(9, 1))}
    rows = [FeedbackTotals("f1", 4, 3.0), FeedbackTotals("c1", 2, 0.5), FeedbackTotals("i1", 10, 10.0)]
    d = data(components=components, feedback=rows)
    result = satisfaction_kpi.compute(d)
    # i1 is neither a feature nor customer facing; (3.0 + 0.5) / (4 + 2) = 0.58333
    assert d.ai_features() == ["c1", "f1"]
    assert result.total.to_dict() == {"value": 0.583, "responses": 6, "features": 2}
    assert by_component(result) == {"c1": {"value": 0.25, "responses": 2}, "f1": {"value": 0.75, "responses": 4}}


def test_open_debt_sums_effort_and_interest_and_takes_the_median_age():
    items = [OpenItem("a", 2, 4, 100, 300, 1.5, "USD", at(12, 1)),   # 31 days before 2027-01-01
             OpenItem("a", 1, 2, 50, 50, 0.5, "USD", at(10, 2)),     # 91 days
             OpenItem("b", 4, 8, 0, 0, 0.0, "USD", at(12, 31))]      # 1 day
    result = debt_kpi.compute(data(open_items=items))
    assert result.total.to_dict() == {"value": 3, "effort_low_hours": 7, "effort_high_hours": 14,
                                      "interest_low": 150, "interest_high": 350, "interest_hours": 2.0,
                                      "currency": "USD", "median_age_days": 31.0}
    assert by_component(result)["a"]["median_age_days"] == 61.0  # (31 + 91) / 2
    assert debt_kpi.compute(data()).total.to_dict()["value"] == 0


def test_drift_alerts_count_the_runs_with_dataset_drift():
    result = drift_kpi.compute(data(drift=[DriftCount("a", 4, 1), DriftCount("b", 2, 2)]))
    assert result.total.to_dict() == {"value": 3, "runs": 6, "share": 0.5}
    assert by_component(result) == {"a": {"value": 1, "runs": 4, "share": 0.25},
                                    "b": {"value": 2, "runs": 2, "share": 1.0}}
