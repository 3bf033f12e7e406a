"""One item scored end to end from its shares, with the breakdown's numbers computed by hand."""

import datetime as dt

import pytest

from mldebt.domain.costs import CostRates
from mldebt.metrics.debt_score import ScoringContext, item_signals, score_debt
from mldebt.metrics.interest import incident_pool, share_pools, ticket_pool
from mldebt.metrics.observations import DriftStats
from mldebt.metrics.priority import ComponentProfile
from tests.metrics.test_interest import DEPENDS_ON, MODEL_ERRORS, RATES, TICKETS, A, B, C, W

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
BOT = ComponentProfile("bot", True, "production", True, True, depends_on=("intent",), dependants=("report",))


def shares_of_a():
    return share_pools([incident_pool(MODEL_ERRORS, RATES, W), ticket_pool(TICKETS, RATES, W)], [A, B, C],
                       DEPENDS_ON)[A.id]


def test_the_bots_model_debt_scored_by_hand():
    score = score_debt(A, BOT, shares_of_a(), None, RATES, W)
    p = {s.name: s.probability for s in score.signals}
    assert p["incident_frequency"] == pytest.approx(1 / 7)  # 2 intervals / 12 weeks = 1/6 a week; (1/6) / (1/6 + 1)
    assert p["time_to_resolve"] == pytest.approx(3 / 7)  # 6 h over 2 resolved = 3 h; 3 / (3 + 4)
    assert p["ticket_volume"] == pytest.approx(2 / 7)  # 24 / 12 = 2 a week; 2 / (2 + 5)
    assert p["churn"] == pytest.approx(0.5)  # 0.5 changes a week; 0.5 / (0.5 + 0.5)
    assert score.likelihood == pytest.approx(1 - 0.95 * (6 / 7) * (4 / 7) * (5 / 7) * 0.5)  # 0.8338
    assert score.impact.value == pytest.approx(2 * 3 * 1.0 * 1.1)  # medium x (1 + facing + critical) x 1 dependant
    assert score.risk == pytest.approx(6.6 * 0.833819, abs=1e-5)
    full, recent = 180 * 2 / 4.16, 315 * 2 / 4.16  # see test_interest: A's 2/4.16 of the two pools, 86.54 and 151.44
    assert score.interest.per_week == pytest.approx(full + 20)  # 106.54: shared + 20 drag
    assert (score.priority.value, score.priority.low, score.priority.high) == pytest.approx(
        ((full + 20) / 4, (full + 10) / 6, (recent + 30) / 2))  # mid effort 4 h; low / 6 h; high / 2 h


def test_the_breakdown_shows_every_number_with_its_source_and_the_rates_used():
    score = score_debt(A, BOT, shares_of_a(), None, RATES, W)
    b = score.breakdown(ScoringContext(RATES, W, NOW))
    assert (b["window_days"], b["recent_days"], b["currency"]) == (84, 28, "USD")
    assert "as_of" not in b  # the moment is the item's scored_at (service.debt_view adds it when shown)
    assert b["impact"]["value"] == 6.6 and b["impact"]["exposure"] == 3.0 and b["impact"]["dependants"] == 1
    assert b["interest"]["text"] == "$97-180/week"
    # 180 x 2/4.16 + 10 = 96.54; + 20 = 106.54; 315 x 2/4.16 + 30 = 181.44 (to cents)
    assert (b["interest"]["low"], b["interest"]["per_week"], b["interest"]["high"]) == (96.54, 106.54, 181.44)
    first, second = b["interest"]["parts"]
    # 150 x 2/4.16 = 72.115; 2/4.16 = 0.48077
    assert (first["kind"], first["per_week"], first["share"], first["pool_per_week"]) == ("incidents", 72.12, 0.4808,
                                                                                         150.0)
    assert first["observed"]["intervals"] == 2 and first["observed"]["incident_ids"] == [7, 3]
    assert (second["kind"], second["per_week"]) == ("tickets", 14.42)  # 30 x 2/4.16 = 14.423
    assert b["interest"]["drag"]["hours_per_week"] == 0.2 and b["interest"]["drag"]["per_week"] == 20.0
    assert b["priority"]["value"] == 26.6346 and b["priority"]["effort_mid_hours"] == 4.0  # 106.538 / 4
    assert [s["name"] for s in b["likelihood"]["signals"]] == ["incident_frequency", "time_to_resolve",
                                                             "ticket_volume", "churn"]
    assert b["likelihood"]["without_evidence"] == ["dissatisfaction", "satisfaction_drop", "drift_share",
                                                   "drift_duration"]
    assert b["rates"]["incident_hour"] == 300.0 and "incident_hour" in b["defaults_used"]
    assert b["reasons"][0] == ("bot incidents (model-error): 2 incident interval(s), 6 h open, 48% of $150/week "
                               "-> $72/week")
    assert b["reasons"][1].startswith("churn: its files change 0.5 times a week -> 0.2 h/week of drag")


def test_set_rates_are_not_reported_as_defaults():
    rates = CostRates.from_mapping({"incident_hour": 500, "currency": "EUR"})
    b = score_debt(B, BOT, [], None, rates, W).breakdown(ScoringContext(rates, W, NOW))
    assert "incident_hour" not in b["defaults_used"] and "ticket_handling" in b["defaults_used"]
    assert b["reasons"] == ["no incidents, tickets, at-risk orders, dissatisfied answers or churn point at it"]
    assert b["interest"]["text"] == "€0/week"


def test_drift_counts_fully_for_data_and_model_debt_and_a_fiftieth_for_the_rest():
    drift = DriftStats("intent", runs=3, latest_run_id=9, latest_drifted=True, latest_share=0.6, streak_runs=2,
                       streak_days=6.0, streak_run_ids=(8, 9))
    model = {s.name: s for s in item_signals(C, [], drift, W)}
    assert model["drift_share"].probability == pytest.approx(0.6 / 1.1)
    assert model["drift_duration"].probability == pytest.approx(6 / 20)
    assert model["drift_duration"].sources == ("drift run 8", "drift run 9")
    code = {s.name: s for s in item_signals(C.__class__(5, "intent", "code", "high", 1, 2), [], drift, W)}
    # 0.02 x 0.6 and 0.02 x 6 days
    assert code["drift_share"].value == pytest.approx(0.012) and code["drift_duration"].value == pytest.approx(0.12)
    calm = DriftStats("intent", 3, 9, False, 0.1, 0, 0.0)
    assert {s.name: s.value for s in item_signals(C, [], calm, W)}["drift_share"] == 0.0
