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
    ("code", "api-mismatch", "debt-markers", 0.0), ("model", "api-mismatch", None, 0.02),
    ("model", "retraining-delay", "retrain-overdue", 1.0), ("model", "retraining-delay", "unseeded-randomness", 0.0),
    ("infrastructure", "data-quality", "depends-on-retiring", 1.0), ("model", "model-error", None, 1.0),
    ("infrastructure", "latency", None, 1.0), ("model", None, None, 1.0), ("code", "other", None, 1.0),
    ("governance", None, None, 0.02), ("documentation", "other", None, 0.02),
    ("governance", "model-error", None, 0.02),
    ("code", "a-category-nobody-listed", None, 1.0)])
def test_relevance_of_a_signal_to_a_kind_of_debt_and_its_root_cause(debt, signal, group, expected):
    assert relevance(debt, signal, group) == expected


def test_a_pool_is_shared_by_severity_relevance_and_relation_and_adds_up_to_the_observed_cost():
    [incidents] = pools([MODEL_ERRORS], [], [], [], RATES, W)
    shares = share_pools([incidents], [A, B, C, D], DEPENDS_ON)
    # weights: A 2 x 1 x 1 = 2; B 8 x 0.02 x 1 = 0.16; C 4 x 1 x 0.5 (upstream) = 2; D is not linked:
    # total max(2.16, 2) + 2 = 4.16
    [a], [b], [c] = shares[1], shares[2], shares[3]
    assert shares[4] == []
    assert [(s.relation, s.relevance, s.weight) for s in (a, b, c)] == [
        ("own", 1.0, 2.0), ("own", 0.02, pytest.approx(0.16)), ("upstream", 1.0, 2.0)]
    assert a.fraction == pytest.approx(2 / 4.16) and b.fraction == pytest.approx(0.16 / 4.16)
    # 150 and 300 x 2/4.16: 72.12 and 144.23
    assert a.per_week == pytest.approx(150 * 2 / 4.16) and a.recent_per_week == pytest.approx(300 * 2 / 4.16)
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
    # weights 2 x 0.02 and 8 x 0.02 (neither is infrastructure debt): total (0.04 + 0.16) / 0.02 = 10
    assert (a.fraction, b.fraction) == (pytest.approx(0.004), pytest.approx(0.016))
    assert a.per_week + b.per_week == pytest.approx(6.0)  # a fiftieth of the pool; the rest is unexplained


def test_a_signal_that_names_its_cause_is_no_evidence_against_other_debt_of_that_kind():
    delay = incident_pool(IncidentStats("bot", "retraining-delay", 1, 1, 1, 12.0, 4.0, 1, 12.0), RATES, W)  # 300/week
    retrain = DebtFacts(5, "bot", "model", "high", 2.0, 8.0, group="retrain-overdue")
    unseeded = DebtFacts(6, "bot", "model", "critical", 2.0, 8.0, group="unseeded-randomness")
    # weights: the named cause 4 x 1 = 4; the unseeded split 8 x 0 = 0 (model debt, but not the named cause);
    # B 8 x 0.02 = 0.16 (governance): total 4.16, the named cause takes 4/4.16 and the sibling nothing (no share)
    shares = share_pools([delay], [retrain, unseeded, B], DEPENDS_ON)
    [named], [b] = shares[5], shares[2]
    assert (named.relevance, shares[6]) == (1.0, [])
    assert named.per_week == pytest.approx(300 * 4 / 4.16) and b.per_week == pytest.approx(300 * 0.16 / 4.16)
    # without the named cause in the backlog the pool is claimed only at the best relevance (0.02): B weighs
    # 0.16 of a total 0.16 / 0.02 = 8, so it takes a fiftieth (6 a week), the sibling still nothing
    shares = share_pools([delay], [unseeded, B], DEPENDS_ON)
    [b] = shares[2]
    assert (shares[6], b.fraction, b.per_week) == ([], pytest.approx(0.02), pytest.approx(6.0))
    # and with only the sibling, nobody is charged
    assert share_pools([delay], [unseeded], DEPENDS_ON) == {6: []}


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
    assert ticket_share.per_week == pytest.approx(30 * 2 / 4.16)  # 14.42 (B's relevance to tickets is 0.02 too)
    owed = interest([incident_share, ticket_share], drag(A), RATES.engineer_hour)
    # A takes 2/4.16 of each pool: full window (150 + 30) x 2/4.16 = 86.54; recent (300 + 15) x 2/4.16 = 151.44;
    # drag 0.1 / 0.2 / 0.3 h x 100
    full, recent = 180 * 2 / 4.16, 315 * 2 / 4.16
    assert (owed.signals_per_week, owed.signals_recent_per_week) == (pytest.approx(full), pytest.approx(recent))
    assert owed.per_week == pytest.approx(full + 20)  # 106.54
    assert (owed.low, owed.high) == (pytest.approx(full + 10), pytest.approx(recent + 30))  # 96.54, 181.44
    assert owed.hours_per_week == pytest.approx(0.5 * 2 / 4.16 + 0.2)  # shared incident hours + drag hours
