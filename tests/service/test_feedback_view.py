"""The feedback page's data: weekly mean scores, this quarter against the last (the KPI's numbers), negative answers."""

import datetime as dt

import pytest

from mldebt.errors import UserInputError
from mldebt.service import feedback_view as view
from mldebt.service.kpis import compute_kpis
from tests.support.incident_rows import add_answer
from tests.support.kpi_store import component

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # 2026Q4; its week starts Monday 2026-11-23 (week 25)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def seeded(store):
    with store.session() as session:
        for n, (name, score, when) in enumerate([
            ("recs", 1.0, "2026-11-23 00:00:00"), ("recs", 0.5, "2026-11-23 10:00"),  # week 25
            ("recs", 0.0, "2026-11-22 23:59:59"),  # week 24
            ("recs", 1.0, "2026-08-10 09:00"), ("recs", 1.0, "2026-08-11 09:00"),
            ("recs", 0.75, "2026-08-12 09:00"),  # week 10, 2026Q3
            ("search", 0.75, "2026-10-05 12:00"),  # week 18, 2026Q4
            ("search", 0.25, "2026-09-30 23:59:59"),  # week 17, 2026Q3
            (None, 0.0, "2026-11-24 10:00"),  # unlinked: no feature's satisfaction, still a negative answer
            ("recs", None, "2026-11-24 11:00"),  # free text nobody mapped: not scored
            ("recs", 0.0, "2026-05-20 08:00"),  # before the chart and both quarters
        ]):
            add_answer(session, n, name, score, at(when))
    return store


def test_the_trend_is_the_weekly_mean_score_per_component(seeded):
    trend = view.satisfaction_trend(seeded, NOW)
    assert (trend.labels[0], trend.labels[-1], len(trend.labels)) == ("2026-06-01", "2026-11-23", 26)
    recs = [None] * 26
    recs[10], recs[24], recs[25] = 0.917, 0.0, 0.75
    search = [None] * 26
    search[17], search[18] = 0.25, 0.75
    assert trend.series == {"recs": recs, "search": search}
    assert trend.responses == {"recs": 6, "search": 2} and trend.left_out == 0


def test_the_quarter_table_compares_this_quarter_with_the_last(seeded):
    table = view.satisfaction_by_quarter(seeded, NOW)
    assert (table.quarter, table.previous_quarter) == ("2026Q4", "2026Q3")
    assert [r.to_dict() for r in table.rows] == [
        {"component": "recs", "responses": 3, "satisfaction": 0.5, "low_share": 0.333, "previous_responses": 3,
         "previous": 0.917, "change": -0.417, "change_is_good": False},
        {"component": "search", "responses": 1, "satisfaction": 0.75, "low_share": 0.0, "previous_responses": 1,
         "previous": 0.25, "change": 0.5, "change_is_good": True},
    ]


def test_the_quarter_values_are_the_satisfaction_kpi_of_each_ai_feature(seeded):
    with seeded.session() as session:
        component(session, "recs", kind="feature")
        component(session, "search", kind="service", customer_facing=True)
    kpi = compute_kpis(seeded, "2026Q4", NOW).entry("satisfaction_by_feature")
    table = {r.component: r for r in view.satisfaction_by_quarter(seeded, NOW).rows}
    assert {name: m.value for name, m in kpi.result.by_component.items()} == {
        name: row.satisfaction for name, row in table.items()}
    assert kpi.previous == pytest.approx((2.75 + 0.25) / 4, abs=1e-3)


def test_more_components_than_a_chart_holds_keeps_those_with_the_most_answers(store):
    with store.session() as session:
        n = 0
        for c in range(14):
            for _ in range(c + 1):
                n += 1
                add_answer(session, n, f"c{c:02d}", 1.0, at("2026-11-24 09:00"))
    trend = view.satisfaction_trend(store, NOW)
    assert list(trend.series) == [f"c{c:02d}" for c in range(2, 14)] and trend.left_out == 2


def test_negative_answers_are_newest_first_and_filtered_by_component(seeded):
    total, rows = view.negative_answers(seeded, None, 0, 50)
    assert total == 4
    assert [(r["component"], r["score"], r["created_at"]) for r in rows] == [
        (None, 0.0, at("2026-11-24 10:00")), ("recs", 0.0, at("2026-11-22 23:59:59")),
        ("search", 0.25, at("2026-09-30 23:59:59")), ("recs", 0.0, at("2026-05-20 08:00"))]
    assert [r["answer"] for r in view.negative_answers(seeded, None, 1, 2)[1]] == ["answer 2", "answer 7"]
    total, rows = view.negative_answers(seeded, "recs", 0, 50)
    assert total == 2 and [r["answer"] for r in rows] == ["answer 2", "answer 10"]


def test_a_long_component_filter_is_refused_with_its_length():
    assert view.component_filter("") is None and view.component_filter("recs") == "recs"
    with pytest.raises(UserInputError, match="component: at most 100 characters, got 101"):
        view.component_filter("x" * 101)


def test_an_empty_store_has_no_trend_rows_or_answers(store):
    trend = view.satisfaction_trend(store, NOW)
    assert trend.series == {} and trend.responses == {} and trend.left_out == 0
    assert view.satisfaction_by_quarter(store, NOW).rows == []
    assert view.negative_answers(store, None, 0, 50) == (0, [])
