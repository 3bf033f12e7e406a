"""Pools of observed cost, their sharing among items, drag and the interest range, on hand-worked numbers.

Rates are the defaults (incident hour 300, ticket 15, AI revenue share 0.1, dissatisfied order
loss 0.2, engineer hour 100); the window is 84 days (12 weeks) and the recent window 28 days (4 weeks).
"""

import pytest

from mldebt.domain.costs import CostRates
from mldebt.metrics.interest import (
    CHURN_PERIOD_WEEKS,
    Churn,
    DebtFacts,
    Windows,
    dissatisfaction_pool,
    drag,
    incident_pool,
    interest,
    pools,
    relevance,
    revenue_pool,
    share_pools,
    ticket_pool,
)
from mldebt.metrics.observations import FeedbackStats, IncidentStats, RevenueStats, TicketStats

RATES = CostRates()
W = Windows(84, 28)
MODEL_ERRORS = IncidentStats("bot", "model-error", incidents=1, intervals=2, recent_intervals=1, hours=6.0,
                             recent_hours=4.0, resolved=2, resolved_hours=6.0, sample_ids=(7, 3))
TICKETS = TicketStats("bot", "other", tickets=24, recent_tickets=4, sample_ids=(12, 11))
# A: the bot's own model debt (medium: 2); B: the bot's committed credential (critical: 8, governance);
# C: the intent model's debt (high: 4), upstream of the bot; D: debt of a component nobody's signal touches.
A = DebtFacts(1, "bot", "model", "medium", 2.0, 6.0, Churn(CHURN_PERIOD_WEEKS * 0.5, 1, ("bot/route.py",), 26))
B = DebtFacts(2, "bot", "governance", "critical", 0.5, 1.0)
C = DebtFacts(3, "intent", "model", "high", 2.0, 8.0)
D = DebtFacts(4, "elsewhere", "model", "high", 2.0, 8.0)
DEPENDS_ON = {"bot": ["intent", "bot"], "intent": []}


def test_windows_in_weeks_and_the_recent_window_never_longer_than_the_window():
    assert (W.weeks, W.recent_weeks) == (12.0, 4.0)
    assert Windows.of(90) == Windows(90, 30) and Windows.of(14) == Windows(14, 14)


def test_pools_price_each_observed_cost_per_week_over_both_windows():
    incidents = incident_pool(MODEL_ERRORS, RATES, W)
    assert (incidents.per_week, incidents.recent_per_week) == (150.0, 300.0)  # 6 h / 12 wk x 300; 4 h / 4 wk x 300
    assert (incidents.hours_per_week, incidents.recent_hours_per_week) == (0.5, 1.0)
    tickets = ticket_pool(TICKETS, RATES, W)
    assert (tickets.per_week, tickets.recent_per_week) == (30.0, 15.0)  # 24 / 12 x 15; 4 / 4 x 15
    revenue = revenue_pool(RevenueStats("bot", 3, 600.0, 1, 100.0), RATES, W)
    assert (revenue.per_week, revenue.recent_per_week) == (5.0, 2.5)  # 600 / 12 x 0.1; 100 / 4 x 0.1
    unhappy = dissatisfaction_pool(FeedbackStats("bot", 10, 10, 0.56, 0.9, 4, 240.0, 2, 100.0), RATES, W)
    assert (unhappy.per_week, unhappy.recent_per_week) == (pytest.approx(4.0), 5.0)  # 240 / 12 x 0.2; 100 / 4 x 0.2
    assert incidents.label == "bot incidents (model-error)" and unhappy.label == "bot dissatisfied orders"
    assert incidents.observed["incident_ids"] == [7, 3] and incidents.observed["mean_hours_to_resolve"] == 3.0


@pytest.mark.parametrize(("debt", "signal", "group", "expected"), [
    ("code", "api-mismatch", "deprecated-bigcommerce-api", 1.0),
    ("dependencies", "api-mismatch", "deprecated-api", 1.0),
    ("code", "api-mismatch", "debt-markers", 0.3), ("model", "api-mismatch", None, 0.1),
    ("model", "retraining-delay", "retrain-overdue", 1.0), ("model", "retraining-delay", "unseeded-randomness", 0.3),
    ("infrastructure", "data-quality", "depends-on-retiring", 1.0), ("model", "model-error", None, 1.0),
    ("infrastructure", "latency", None, 1.0), ("model", None, None, 1.0), ("code", "other", None, 1.0),
    ("governance", None, None, 0.1), ("documentation", "other", None, 0.1), ("governance", "model-error", None, 0.1),
    ("code", "a-category-nobody-listed", None, 1.0)])
def test_relevance_of_a_signal_to_a_kind_of_debt_and_its_root_cause(debt, signal, group, expected):
    assert relevance(debt, signal, group) == expected


def test_a_pool_is_shared_by_severity_relevance_and_relation_and_adds_up_to_the_observed_cost():
    [incidents] = pools([MODEL_ERRORS], [], [], [], RATES, W)
    shares = share_pools([incidents], [A, B, C, D], DEPENDS_ON)
    # weights: A 2 x 1 x 1 = 2; B 8 x 0.1 x 1 = 0.8; C 4 x 1 x 0.5 (upstream) = 2; D is not linked: total 4.8
    [a], [b], [c] = shares[1], shares[2], shares[3]
    assert shares[4] == []
    assert [(s.relation, s.relevance, s.weight) for s in (a, b, c)] == [
        ("own", 1.0, 2.0), ("own", 0.1, pytest.approx(0.8)), ("upstream", 1.0, 2.0)]
    assert a.fraction == pytest.approx(2 / 4.8) and b.fraction == pytest.approx(0.8 / 4.8)
    assert a.per_week == pytest.approx(62.5) and a.recent_per_week == pytest.approx(125.0)  # 150 and 300 x 2/4.8
    assert sum(s.per_week for s in (a, b, c)) == pytest.approx(150.0)  # nothing counted twice
    assert (a.link, c.link) == (1.0, 0.5)


def test_the_dependencies_items_take_at_most_half_a_pool_and_deprecated_debt_a_fifth_of_its_weight():
    [incidents] = pools([MODEL_ERRORS], [], [], [], RATES, W)
    [c] = share_pools([incidents], [C], DEPENDS_ON)[C.id]  # the bot has no item of its own
    assert (c.weight, c.fraction, c.per_week) == (2.0, 0.5, 75.0)  # 2 / (max(0, 2) + 2): half stays unallocated
    retiring = DebtFacts(5, "intent", "model", "high", 2.0, 8.0, lifecycle_weight=0.2)
    a, old = share_pools([incidents], [A, retiring], DEPENDS_ON).values()
    assert old[0].weight == pytest.approx(0.4) and a[0].fraction == pytest.approx(2 / 2.4)  # 4 x 1 x 0.5 x 0.2


def test_a_pool_no_candidate_is_relevant_to_is_claimed_only_at_their_best_relevance():
    latency = incident_pool(IncidentStats("bot", "latency", 1, 1, 1, 12.0, 4.0, 1, 12.0), RATES, W)  # 300 a week
    a, b = (shares[0] for shares in share_pools([latency], [A, B], DEPENDS_ON).values())
    # weights 2 x 0.1 and 8 x 0.1 (neither is infrastructure debt): total (0.2 + 0.8) / 0.1 = 10
    assert (a.fraction, b.fraction) == (pytest.approx(0.02), pytest.approx(0.08))
    assert a.per_week + b.per_week == pytest.approx(30.0)  # a tenth of the pool; the rest is unexplained


def test_a_pool_with_nobody_to_charge_stays_unallocated():
    stray = incident_pool(IncidentStats("nobody", "latency", 1, 1, 1, 2.0, 2.0, 1, 2.0), RATES, W)
    assert share_pools([stray], [A, B], DEPENDS_ON) == {1: [], 2: []}


def test_drag_is_a_tenth_of_the_effort_per_change_of_the_items_files():
    result = drag(A)  # 0.5 changes a week x 0.1 = 0.05 of the effort per week
    assert result.changes_per_week == pytest.approx(0.5)
    assert (result.hours_low, result.hours_mid, result.hours_high) == pytest.approx((0.1, 0.2, 0.3))
    assert drag(B).hours_high == 0.0


def test_interest_point_and_range_from_both_windows_and_the_effort_range():
    incident_share, ticket_share = (share_pools([incident_pool(MODEL_ERRORS, RATES, W), ticket_pool(TICKETS, RATES, W)],
                                                [A, B, C], DEPENDS_ON)[1])
    assert ticket_share.per_week == pytest.approx(12.5)  # 30 x 2/4.8 (B's relevance to tickets is 0.1 too)
    owed = interest([incident_share, ticket_share], drag(A), RATES.engineer_hour)
    # full window: 62.5 + 12.5 = 75; recent: 125 + 6.25 = 131.25; drag 0.1 / 0.2 / 0.3 h x 100
    assert (owed.signals_per_week, owed.signals_recent_per_week) == (pytest.approx(75.0), pytest.approx(131.25))
    assert owed.per_week == pytest.approx(95.0)
    assert (owed.low, owed.high) == (pytest.approx(85.0), pytest.approx(161.25))
    assert owed.hours_per_week == pytest.approx(0.5 * 2 / 4.8 + 0.2)  # shared incident hours + drag hours
