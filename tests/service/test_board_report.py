"""build_board_report: the demo's quarter against figures read from the store here, empty and one-quarter
stores, paying debt down, a frozen comparison quarter, and bad quarter strings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from mldebt.demo.scenario import scenario_dir
from mldebt.domain.costs import CostRates
from mldebt.errors import UserInputError
from mldebt.metrics.kpis import KPI_IDS
from mldebt.service.backlog import load_rates
from mldebt.service.board_model import GREEN, NO_STATUS, WEEKS_PER_MONTH, MoneyRange
from mldebt.service.board_report import build_board_report
from mldebt.service.board_summary import no_data_sentence
from mldebt.service.kpis import compute_kpis
from mldebt.service.review import freeze_review
from mldebt.store import debt as debt_store
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.ingest_tables import IncidentIntervalRow, IncidentRow
from tests.support.demo_store import BACKENDS, NOW, demo_store_fixture

demo_store = pytest.fixture(scope="module", params=BACKENDS)(demo_store_fixture)
ACTIVE = ("open", "planned", "in-progress")
Q4_START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
RATES = CostRates()


@pytest.fixture(scope="module")
def demo_report(demo_store):
    return build_board_report(demo_store, "2026Q4", NOW, rates=RATES)


def test_the_demo_report_counts_the_open_debt_the_store_holds(demo_store, demo_report):
    with demo_store.session() as session:
        active = session.scalar(select(func.count()).select_from(DebtItemRow).where(DebtItemRow.status.in_(ACTIVE)))
        low, high = session.execute(select(func.sum(DebtItemRow.interest_low), func.sum(DebtItemRow.interest_high))
                                    .where(DebtItemRow.status.in_(ACTIVE))).one()
    assert demo_report.open_debt_items == active == 34
    assert demo_report.open_debt_items_previous == 0  # every demo item entered the backlog in 2026Q4
    assert demo_report.interest_month == MoneyRange(pytest.approx(low * WEEKS_PER_MONTH),
                                                    pytest.approx(high * WEEKS_PER_MONTH), "USD")
    assert demo_report.interest_month_previous is None  # 2026Q3 was not frozen
    assert demo_report.progress.open_at_end[-1] == active
    assert sum(n for _, n in demo_report.progress.ageing) == active


def test_the_demo_report_counts_the_quarters_resolved_items_and_incidents_by_category(demo_store, demo_report):
    with demo_store.session() as session:
        resolved = session.scalar(select(func.count()).select_from(DebtItemRow).where(
            DebtItemRow.status == "resolved", DebtItemRow.resolved_at >= Q4_START))
        by_category = dict(session.execute(
            select(IncidentRow.category, func.count()).select_from(IncidentIntervalRow)
            .join(IncidentRow, IncidentRow.id == IncidentIntervalRow.incident_id)
            .where(IncidentIntervalRow.opened_at >= Q4_START, IncidentIntervalRow.opened_at <= NOW)
            .group_by(IncidentRow.category)).all())
    assert demo_report.progress.resolved_total == resolved == 0
    assert dict(demo_report.failures.incidents_by_category) == by_category
    assert demo_report.failures.incidents_by_category == [
        ("latency", 8), ("api-mismatch", 3), ("data-quality", 3), ("false-positives", 3), ("model-error", 2),
        ("retraining-delay", 2), ("infrastructure", 1)]
    assert demo_report.failures.incidents_by_component == [
        ("recs-api", 8), ("demand-forecast", 5), ("order-bot-nlp", 5), ("fraud-model", 4)]


def test_the_demo_reports_top_risks_are_the_backlog_in_priority_order(demo_store, demo_report):
    with demo_store.session() as session:
        titles = list(session.scalars(select(DebtItemRow.title).where(DebtItemRow.status.in_(ACTIVE))
                                      .order_by(DebtItemRow.priority.desc(), DebtItemRow.risk.desc(), DebtItemRow.id)
                                      .limit(10)))
    risks = demo_report.risks
    assert [r.title for r in risks] == titles
    assert [r.rank for r in risks] == list(range(1, 11))
    top = risks[0]
    assert top.title == "Hard-coded decision thresholds in fraud-model"
    assert top.owner == "risk-engineering"  # the inventory's owner: the item has none of its own
    assert top.reason == "3 incidents (15 h open) and 10 orders at risk in the last 90 days"
    assert (top.effort_low_hours, top.effort_high_hours, top.evidence_count) == (0.5, 1.0, 1)


def test_the_demo_reports_kpi_table_follows_the_registry_and_compute_kpis(demo_store, demo_report):
    kpis = compute_kpis(demo_store, "2026Q4", NOW)
    assert [row.id for row in demo_report.kpis] == list(KPI_IDS)
    for row in demo_report.kpis:
        entry = kpis.entry(row.id)
        if row.id != "open_debt":
            assert (row.value, row.previous) == (entry.value, entry.previous)
    debt = next(row for row in demo_report.kpis if row.id == "open_debt")  # the headline's count, as it says
    assert (debt.value, debt.previous, debt.change, debt.status) == (34, 0, 34, "red")
    mttr = next(row for row in demo_report.kpis if row.id == "mttr_ai_incidents")
    assert (mttr.value, mttr.previous, mttr.change, mttr.direction, mttr.status) == (4.51, 2.27, 2.24, "lower", "red")
    tickets = next(row for row in demo_report.kpis if row.id == "ai_linked_tickets")
    assert (tickets.value, tickets.previous, tickets.status) == (23, 35, GREEN)
    fixes = next(row for row in demo_report.kpis if row.id == "automated_fix_rate")
    assert fixes.status == NO_STATUS
    satisfaction = next(row for row in demo_report.kpis if row.id == "satisfaction_by_feature")
    assert satisfaction.by_component == {"order-bot-nlp": 0.59, "recs-api": 0.67}


def test_the_demo_report_says_where_it_stands_and_what_it_compares_with(demo_report):
    r = demo_report
    assert (r.quarter, r.compare, r.compare_source, r.has_data, r.has_previous) == ("2026Q4", "2026Q3", "computed",
                                                                                    True, True)
    assert (r.period_start, r.period_end, r.as_of, r.complete) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31), NOW,
                                                                  False)
    assert r.summary[:2] == ["2026Q4 is still running: the figures are as of 25 Nov 2026.",
                             "Open AI debt rose from 0 to 34 items since the end of 2026Q3 (+34)."]
    assert r.summary[3].startswith("The three risks that matter most carry ")
    assert [s.split(" costs ")[0] for s in r.summary[4:7]] == [risk.title for risk in r.risks[:3]]
    assert r.summary[-1] == "No debt was paid down in 2026Q4, while 34 items appeared."
    assert r.progress.week_labels == ["2026-10-07", "2026-10-14", "2026-10-21", "2026-10-28", "2026-11-04",
                                      "2026-11-11", "2026-11-18", "2026-11-25"]
    assert r.failures.recurring == [{"component": "recs-api", "count": 3, "title": (
        "recurring failure: TimeoutError: recs model call exceeded 2.0s (3 times in 30 days)")}]
    assert r.failures.drift_alerts == [{"component": "recs-model", "runs": 6, "alerts": 3, "last_at": "2026-11-25"}]
    assert r.failures.test_scores[0] == ("promo-uplift-model", 0.0)
    assert r.failures.overdue_reviews == []
    assert not any("governance" in note for note in r.notes)  # every production model records its reviews
    assert r.appendix.kpi_definitions[0][:2] == ("MTTR of AI incidents", "hours")
    assert len(r.appendix.kpi_definitions) == len(KPI_IDS)
    assert r.appendix.model["Relevance of a mismatched signal (MISMATCH_RELEVANCE)"] == 0.02
    assert r.appendix.model["Cost rates"]["engineer_hour"] == 100.0
    assert any(note.startswith("The backlog was last scored with other cost rates") for note in r.notes)


def test_without_rates_the_report_reads_the_inventory_files_costs(demo_store, monkeypatch):
    monkeypatch.setenv("MLDEBT_CATALOG", str(scenario_dir() / "mldebt.yaml"))
    report = build_board_report(demo_store, "2026Q4", NOW)
    assert report.appendix.model["Cost rates"] == load_rates(scenario_dir() / "mldebt.yaml").model_dump()
    assert report.appendix.model["Cost rates"]["engineer_hour"] == 110.0
    assert not any("other cost rates" in note for note in report.notes)  # the demo was scored with them


def test_an_older_comparison_quarter_reads_that_quarters_values(demo_store):
    report = build_board_report(demo_store, "2026Q4", NOW, compare="2026Q2", rates=RATES)
    q2 = compute_kpis(demo_store, "2026Q2", NOW)
    assert report.compare == "2026Q2"
    assert [row.previous for row in report.kpis] == [q2.entry(row.id).value for row in report.kpis]


def test_a_store_without_data_says_so_in_one_sentence(store):
    report = build_board_report(store, "2026Q4", NOW, rates=RATES)
    assert (report.has_data, report.has_previous, report.compare_source) == (False, False, "none")
    assert report.summary == [no_data_sentence("2026Q4", NOW)]
    assert report.summary == ["2026Q4 has no recorded data: no incidents, support tickets, survey answers, scan "
                              "findings or debt items were recorded in it up to 25 Nov 2026, so there is nothing to "
                              "report."]
    assert (report.open_debt_items, report.open_debt_items_previous, report.risks) == (0, None, [])


def _item(store, key: str, seen: dt.datetime, low: float, high: float, status: str = "open",
          resolved: dt.datetime | None = None, effort: tuple[float, float] = (2.0, 6.0)) -> None:
    with store.session() as session:
        debt_store.add_item(session, {
            "key": key, "title": f"item {key}", "category": "model", "component": "recs-model", "source": "manual",
            "severity": "high", "status": status, "effort_low_hours": effort[0], "effort_high_hours": effort[1],
            "first_seen_at": seen, "resolved_at": resolved, "interest_low": low, "interest_high": high,
            "priority": high / effort[1]}, actor="t", at=seen)


def test_a_store_without_the_previous_quarter_says_there_is_nothing_to_compare_with(store):
    _item(store, "a", dt.datetime(2026, 10, 5, tzinfo=dt.UTC), 30.0, 60.0)
    report = build_board_report(store, "2026Q4", NOW, rates=RATES)
    assert (report.has_data, report.has_previous, report.compare_source) == (True, False, "none")
    assert report.open_debt_items_previous is None
    assert report.summary[1] == ("There is nothing to compare with: the store holds no records of 2026Q3. "
                                 "Open AI debt stands at 1 item.")


def test_paying_debt_down_shows_in_the_burn_down_interest_removed_and_return_per_hour(store):
    day = dt.timedelta(days=1)
    _item(store, "old", Q4_START - 200 * day, 10.0, 20.0)  # open, > 180 days old at as_of
    _item(store, "mid", NOW - 45 * day, 5.0, 5.0)  # open, 30-90 days old: appeared on 11 Oct (week 2)
    _item(store, "done", Q4_START + 2 * day, 12.0, 24.0, status="resolved", resolved=Q4_START + 10 * day)
    _item(store, "kept", Q4_START + 3 * day, 1.0, 1.0, status="accepted")  # accepted debt is not open debt
    report = build_board_report(store, "2026Q4", NOW, rates=RATES)
    p = report.progress
    assert p.opened == [1, 1, 0, 0, 0, 0, 0, 0]  # weeks end 8 Oct, 15 Oct, ..., 19 Nov, then as_of (25 Nov)
    assert p.resolved == [0, 1, 0, 0, 0, 0, 0, 0]
    assert p.open_at_end == [2, 2, 2, 2, 2, 2, 2, 2]
    assert (p.opened_total, p.resolved_total) == (2, 1)
    assert p.interest_removed_month == MoneyRange(pytest.approx(12 * WEEKS_PER_MONTH),
                                                  pytest.approx(24 * WEEKS_PER_MONTH), "USD")
    assert p.effort_spent_hours == 4.0
    assert p.return_per_hour == MoneyRange(pytest.approx(12 * WEEKS_PER_MONTH / 4),
                                           pytest.approx(24 * WEEKS_PER_MONTH / 4), "USD")
    assert p.ageing == [("< 30 days", 0), ("30-90 days", 1), ("90-180 days", 0), ("> 180 days", 1)]
    assert report.open_debt_items == 2
    assert report.open_debt_items_previous == 1  # "old" was open at the end of 2026Q3
    assert report.summary[-1] == ("In 2026Q4 the team resolved 1 item (while 2 items appeared), removing an "
                                  "estimated $52-100/month of cost for about 4 h of work: $13-26/month saved for "
                                  "each hour spent.")


def test_a_frozen_comparison_quarter_gives_the_debt_and_cost_the_board_saw(store):
    _item(store, "old", dt.datetime(2026, 8, 1, tzinfo=dt.UTC), 10.0, 20.0)
    freeze_review(store, "2026Q3", dt.datetime(2026, 10, 2, tzinfo=dt.UTC), actor="board")
    _item(store, "new", dt.datetime(2026, 10, 20, tzinfo=dt.UTC), 30.0, 40.0)
    report = build_board_report(store, "2026Q4", NOW, rates=RATES)
    assert (report.compare_source, report.has_previous) == ("snapshot", True)
    assert report.open_debt_items_previous == 1
    assert report.interest_month_previous == MoneyRange(pytest.approx(10 * WEEKS_PER_MONTH),
                                                        pytest.approx(20 * WEEKS_PER_MONTH), "USD")
    assert report.summary[1] == "Open AI debt rose from 1 to 2 items since the end of 2026Q3 (+1, +100%)."
    assert report.summary[2].endswith(", up from $43-87/month at the end of 2026Q3.")


@pytest.mark.parametrize(("quarter", "compare", "message"), [
    ("2026Q5", None, "--quarter: '2026Q5' is not a quarter like 2026Q4"),
    ("last quarter", None, "--quarter: 'last quarter' is not a quarter like 2026Q4"),
    ("2027Q1", None, "--quarter: 2027Q1 has not started yet (as of 2026-11-25 the current quarter is 2026Q4)"),
    ("2026Q4", "2026-Q3", "--compare: '2026-Q3' is not a quarter like 2026Q4"),
    ("2026Q4", "2026Q4", "--compare: 2026Q4 is not before 2026Q4 (compare a quarter with an earlier one)"),
])
def test_a_bad_quarter_or_comparison_is_a_user_error_naming_it(tmp_path, quarter, compare, message):
    from mldebt.store.database import open_store

    store = open_store(f"sqlite:///{tmp_path / 'q.db'}")
    try:
        with pytest.raises(UserInputError) as caught:
            build_board_report(store, quarter, NOW, compare=compare, rates=RATES)
    finally:
        store.close()
    assert str(caught.value) == message


def test_a_past_quarter_is_read_at_its_end(store):
    report = build_board_report(store, "2026Q3", NOW, rates=RATES)
    assert (report.complete, report.as_of, report.period_end) == (True, Q4_START, dt.date(2026, 9, 30))
    assert report.summary == ["2026Q3 has no recorded data: no incidents, support tickets, survey answers, scan "
                              "findings or debt items were recorded in it up to 30 Sep 2026, so there is nothing to "
                              "report."]
    assert len(report.progress.week_labels) == 13
