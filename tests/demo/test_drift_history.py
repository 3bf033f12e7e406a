"""The demo's drift over windows: five weekly runs of recs-model before today's, the shift growing."""

import datetime as dt

import pytest

from mldebt.demo.scenario import load_demo
from mldebt.service.drift_view import drift_overview
from mldebt.store.database import open_store
from mldebt.store.drift import retrain_requests

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo_drift(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # the demo writes its generated data under ./.mldebt
        store = open_store(f"sqlite:///{folder / 'demo.db'}")
        try:
            first = load_demo(store, AS_OF)
            once = drift_overview(store, "recs-model", 50, 0)
            load_demo(store, AS_OF)
            twice = drift_overview(store, "recs-model", 50, 0)
            with store.session() as session:
                requests = [(r.status, r.drift_run_id) for r in retrain_requests(session, "recs-model")]
        finally:
            store.close()
    return folder, first, once, twice, requests


def test_the_weeks_before_today_show_the_shift_growing(demo_drift):
    _, first, once, _, _ = demo_drift
    [window] = once["windows"]
    assert [(r["date"], r["drift_share"], r["dataset_drift"]) for r in window["runs"]] == [
        ("2026-10-21", 0.0, False), ("2026-10-28", 0.0, False), ("2026-11-04", 0.25, False),
        ("2026-11-11", 0.5, True), ("2026-11-18", 0.5, True), ("2026-11-25", 0.5, True)]
    assert [r["drifted_shown"] for r in once["runs"]] == [
        ["price", "channel"], ["price", "channel"], ["price", "channel"], ["price"], [], []]
    assert first.drift is not None and first.drift.run_id == 6 and once["runs"][0]["id"] == 6


def test_each_week_is_checked_against_the_training_window_and_kept_as_data(demo_drift):
    folder, _, once, _, _ = demo_drift
    oldest = once["runs"][-1]
    assert (oldest["reference"], oldest["current"]) == (
        ".mldebt/demo-data/clickstream-reference.parquet", ".mldebt/demo-data/clickstream-week-1.parquet")
    assert sorted(p.name for p in (folder / ".mldebt" / "demo-data").glob("clickstream-*.parquet")) == [
        "clickstream-current.parquet", "clickstream-reference.parquet",
        *(f"clickstream-week-{week}.parquet" for week in range(1, 6))]


def test_loading_again_adds_only_todays_run_and_the_weeks_fire_no_retrain(demo_drift):
    _, _, once, twice, requests = demo_drift
    assert (once["total"], twice["total"]) == (6, 7)
    assert requests == [("pending", 6)]  # only today's run fired the approve-mode trigger
