"""The evidence scoring reads from the store: exact aggregates of the world of test_scoring (SQLite, PostgreSQL)."""

import pytest

from mldebt.metrics.interest import Windows
from mldebt.metrics.observations import FeedbackStats, IncidentStats, RevenueStats, TicketStats
from mldebt.service.evidence import gather
from tests.service.test_scoring import BOT, FORECAST, INTENT, LEGACY, NOW, build


@pytest.fixture
def evidence(store):
    with store.session() as session:
        items = build(session)
        yield gather(session, list(items.values()), Windows.of(84), NOW), items


def test_incident_intervals_are_clipped_to_the_window_and_open_ones_run_to_now(evidence):
    found, _ = evidence
    by_pool = {(s.component, s.category): s for s in found.incidents}
    assert set(by_pool) == {(BOT, "model-error"), (BOT, "api-mismatch"), (BOT, "latency"), (FORECAST, "data-quality")}
    model = by_pool[(BOT, "model-error")]  # the interval 100 days ago and the one after NOW do not count
    assert (model.incidents, model.intervals, model.recent_intervals, model.resolved) == (1, 2, 2, 2)
    assert (model.hours, model.recent_hours, model.resolved_hours) == pytest.approx((6.0, 6.0, 6.0))
    api = by_pool[(BOT, "api-mismatch")]  # 3 h, and 1 h inside the window of one opened 2 h before it
    assert (api.intervals, api.hours, api.recent_hours, api.resolved, api.resolved_hours) == pytest.approx(
        (1, 4.0, 0.0, 2, 6.0))
    latency = by_pool[(BOT, "latency")]
    assert (latency.hours, latency.resolved, latency.mean_hours_to_resolve) == (pytest.approx(2.0), 0, None)
    assert isinstance(model, IncidentStats) and model.sample_ids == (1,)


def test_tickets_orders_and_answers_per_component(evidence):
    found, _ = evidence
    [tickets] = found.tickets
    assert tickets == TicketStats(BOT, "other", 12, 4, (4, 3, 2, 1, 12))  # latest first; the 90-day-old one is out
    [revenue] = found.revenue
    assert revenue == RevenueStats(BOT, 3, 700.0, 1, 100.0, ("1001", "1002", "1003"))
    [answers] = found.feedback
    assert answers == FeedbackStats(BOT, 10, 10, pytest.approx(0.56), pytest.approx(0.9), 4, 200.0, 2, 100.0)


def test_drift_streak_components_and_churn(evidence):
    found, items = evidence
    drift = found.drift[INTENT]
    assert (drift.runs, drift.latest_drifted, drift.latest_share, drift.streak_runs) == (3, True, 0.6, 2)
    assert drift.streak_days == pytest.approx(6.0) and len(drift.streak_run_ids) == 2
    assert found.profiles[LEGACY].dependants == (FORECAST,) and found.profiles[BOT].depends_on == (INTENT,)
    assert found.profiles[INTENT].dependants == (BOT,)
    todo, notebooks = items[(LEGACY, "MLD301")], items[(LEGACY, "MLD201")]
    churn = found.churn(todo.id)
    assert (churn.mean_changes, churn.findings, churn.files, churn.max_changes) == (26.0, 1, ("legacy/job.py",), 26)
    assert found.churn(notebooks.id).mean_changes == 0.0  # its file never changed
    assert found.churn(items[(INTENT, "INV001")].id).files == ()
