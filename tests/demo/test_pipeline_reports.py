import datetime as dt

from mldebt.demo.pipeline_reports import record_demo_reports
from mldebt.demo.scenario import scenario_dir


def test_the_pipelines_ci_reports_are_recorded_per_component_and_day_once(store):
    recorded = record_demo_reports(store, scenario_dir(), dt.date(2026, 11, 25))
    assert len(recorded) == 16 and all(r.created for r in recorded)
    by_key = {(r.component, r.kind, r.file.split("/")[-2]): r.summary for r in recorded}
    intent = by_key[("order-intent-model", "junit", "2026-11-17")]
    # 26 tests, 3 failures, 1 skipped: 22 of the 25 that ran passed
    assert (intent["tests"], intent["failures"], intent["skipped"], intent["pass_rate"]) == (26, 3, 1, 0.88)
    coverage = by_key[("order-intent-model", "coverage", "2026-11-17")]
    # only chatbot/intent/** counts (142 + 58 + 96 lines); the shared mlcommon/storage.py is left out
    assert (coverage["lines_valid"], coverage["lines_covered"], coverage["files"]) == (296, 124, 3)
    assert coverage["line_rate"] == round(124 / 296, 6)
    assert sorted({r.component for r in recorded}) == ["demand-forecast", "fraud-model", "order-intent-model",
                                                       "recs-model"]
    again = record_demo_reports(store, scenario_dir(), dt.date(2026, 11, 25))
    assert [r.created for r in again] == [False] * 16


def test_reports_after_the_as_of_day_are_left_out(store):
    recorded = record_demo_reports(store, scenario_dir(), dt.date(2026, 9, 30))
    assert len(recorded) == 8
    assert {r.file.split("/")[-2] for r in recorded} == {"2026-08-11", "2026-08-18", "2026-08-20", "2026-08-25"}
