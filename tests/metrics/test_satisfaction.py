import datetime as dt

import pytest

from mldebt.domain.finding import Severity
from mldebt.metrics.satisfaction import SatisfactionPolicy, ScoredResponse, satisfaction_drops

NOW = dt.datetime(2026, 11, 25, 23, 59, 59, tzinfo=dt.UTC)


def answers(component, scores, days_ago, order_values=None, prefix="r"):
    """One answer per score, `days_ago` days before NOW (minus a minute per answer, so all are inside)."""
    values = order_values or [None] * len(scores)
    return [ScoredResponse(f"{prefix}{days_ago}-{n}", component, score,
                           NOW - dt.timedelta(days=days_ago, minutes=n), value)
            for n, (score, value) in enumerate(zip(scores, values, strict=True))]


def test_a_drop_and_a_shortfall_give_one_high_finding_with_both_windows_as_evidence():
    current = answers("order-bot-nlp", [0.25] * 10 + [0.75] * 10, 3, [40.0] * 5 + [None] * 15)
    previous = answers("order-bot-nlp", [0.75] * 20, 40)
    [finding] = satisfaction_drops(current + previous, NOW)
    # current mean (10 x 0.25 + 10 x 0.75) / 20 = 0.5; previous 0.75: drop 0.25 (>= 0.25 is high),
    # shortfall 0.6 - 0.5 = 0.1; half the answers are <= 0.25, five of them with an order of 40
    assert (finding.rule_id, finding.severity, finding.component, finding.source) == (
        "FB001", Severity.HIGH, "order-bot-nlp", "feedback")
    assert finding.message == ("satisfaction with order-bot-nlp is 0.50 from 0.75 over the last 30 days "
                               "(20 responses, 50% dissatisfied; floor 0.6)")
    evidence = finding.evidence
    assert evidence["reasons"] == ["below-floor", "dropped"]
    assert evidence["current"] == {"responses": 20, "mean": 0.5, "low_score_share": 0.5,
                                   "low_score_order_value": 200.0}
    assert evidence["previous"] == {"responses": 20, "mean": 0.75, "low_score_share": 0.0,
                                    "low_score_order_value": 0.0}
    assert (evidence["drop"], evidence["shortfall"]) == (0.25, 0.1)
    assert evidence["low_score_responses"] == [f"r3-{n}" for n in range(10)]  # newest first
    assert evidence["window_end"] == "2026-11-25T23:59:59+00:00"


def test_a_drop_of_exactly_the_minimum_above_the_floor_is_medium():
    found = satisfaction_drops(answers("recs-api", [0.7] * 20, 1) + answers("recs-api", [0.8] * 25, 31), NOW)
    [finding] = found
    assert finding.severity == Severity.MEDIUM
    assert finding.evidence["reasons"] == ["dropped"]
    assert (finding.evidence["drop"], finding.evidence["shortfall"]) == (0.1, 0.0)


def test_below_the_floor_without_a_comparable_previous_window_is_low():
    # 0.55 is 0.05 below the floor; 5 previous answers are too few to call anything a drop
    [finding] = satisfaction_drops(answers("recs-api", [0.55] * 20, 2) + answers("recs-api", [1.0] * 5, 35), NOW)
    assert (finding.severity, finding.evidence["reasons"]) == (Severity.LOW, ["below-floor"])
    assert finding.evidence["drop"] is None and finding.evidence["shortfall"] == 0.05
    assert finding.message.startswith("satisfaction with recs-api is 0.55 over the last 30 days (20 responses")


def test_too_few_answers_steady_scores_and_unlisted_windows_give_nothing():
    few = answers("a", [0.0] * 19, 1)
    steady = answers("b", [0.8] * 20, 1) + answers("b", [0.85] * 20, 40)
    old = answers("c", [0.0] * 30, 61)  # older than both windows
    future = [ScoredResponse("f", "d", 0.0, NOW + dt.timedelta(seconds=1))] * 30
    assert satisfaction_drops(few + steady + old + future, NOW) == []


def test_an_answer_exactly_one_window_ago_belongs_to_the_previous_window():
    boundary = ScoredResponse("edge", "a", 0.0, NOW - dt.timedelta(days=30))
    [finding] = satisfaction_drops([*answers("a", [0.5] * 20, 1), boundary], NOW)
    assert (finding.evidence["current"]["responses"], finding.evidence["previous"]["responses"]) == (20, 1)


def test_the_policy_is_checked_and_changes_the_verdict():
    with pytest.raises(ValueError, match=r"floor must be within \[0, 1\], not 1.5"):
        SatisfactionPolicy(floor=1.5)
    with pytest.raises(ValueError, match="at least 1 response"):
        SatisfactionPolicy(min_responses=0)
    data = answers("a", [0.55] * 10, 1)
    assert satisfaction_drops(data, NOW) == []
    [finding] = satisfaction_drops(data, NOW, SatisfactionPolicy(min_responses=10, window_days=7))
    assert finding.evidence["window_days"] == 7 and finding.severity == Severity.LOW


def test_the_fingerprint_is_the_component_only():
    first = satisfaction_drops(answers("a", [0.1] * 20, 1), NOW)[0]
    later = satisfaction_drops(answers("a", [0.3] * 25, 1), NOW + dt.timedelta(days=3))[0]
    assert first.fingerprint == later.fingerprint
