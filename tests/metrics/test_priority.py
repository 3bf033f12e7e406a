"""Impact, likelihood and CD3 on hand-worked numbers."""

from pathlib import Path

import pytest

from mldebt.domain.costs import CostRates
from mldebt.metrics.priority import (
    LIFECYCLE_WEIGHTS,
    SEVERITY_WEIGHTS,
    SIGNALS,
    ComponentProfile,
    Signal,
    cd3,
    impact,
    likelihood,
    severity_weight,
    transitive_dependants,
)


def test_severity_weights_double_per_step_and_an_unknown_severity_counts_as_medium():
    assert [severity_weight(s) for s in ("info", "low", "medium", "high", "critical")] == [0.5, 1, 2, 4, 8]
    assert severity_weight("bogus") == 2.0


def test_impact_of_a_customer_facing_revenue_critical_production_service_with_three_dependants():
    profile = ComponentProfile("bot", True, "production", True, True, dependants=("a", "b", "c"))
    result = impact("high", profile)
    assert result.value == pytest.approx(4 * 3 * 1.0 * 1.3)  # severity x exposure x lifecycle x (1 + 0.1 x 3)
    assert result.to_dict()["dependant_names"] == ["a", "b", "c"]


def test_impact_of_a_deprecated_internal_job_is_a_fifth_and_dependants_count_up_to_ten():
    profile = ComponentProfile("legacy", True, "deprecated", dependants=tuple(f"c{i}" for i in range(25)))
    assert impact("high", profile).value == pytest.approx(4 * 1 * 0.2 * 2.0)
    assert impact("high", ComponentProfile("legacy", True, "production", retired=True)).value == pytest.approx(0.8)


def test_a_component_the_inventory_does_not_know_counts_as_production_and_internal():
    assert impact("medium", ComponentProfile("ghost")).value == 2.0


def test_transitive_dependants_follow_every_path_and_survive_cycles():
    graph = {"bot": ["intent"], "intent": ["transcripts"], "transcripts": [], "report": ["bot", "transcripts"],
             "a": ["b"], "b": ["a"]}
    reach = transitive_dependants(graph)
    assert reach["transcripts"] == ("bot", "intent", "report")
    assert reach["intent"] == ("bot", "report")
    assert reach["report"] == ()
    assert reach["a"] == ("b",) and reach["b"] == ("a",)


def test_a_signal_gives_even_odds_at_its_half_value():
    assert Signal("incident_frequency", 1.0).probability == 0.5
    assert Signal("ticket_volume", 15.0).probability == 0.75  # 15 / (15 + 5)
    assert Signal("churn", 0.0).probability == 0.0
    assert Signal("drift_share", -1.0).probability == 0.0
    assert set(SIGNALS) == {"incident_frequency", "time_to_resolve", "drift_share", "drift_duration",
                            "ticket_volume", "dissatisfaction", "satisfaction_drop", "churn"}


def test_likelihood_combines_signals_as_independent_causes_over_the_base_rate():
    signals = [Signal("incident_frequency", 1.0), Signal("time_to_resolve", 4.0)]  # p = 0.5 and 0.5
    assert likelihood(signals) == pytest.approx(1 - 0.95 * 0.5 * 0.5)
    assert likelihood([]) == pytest.approx(0.05)


def test_cd3_divides_interest_by_mid_effort_and_its_range_by_the_opposite_ends():
    p = cd3(interest=300.0, interest_low=200.0, interest_high=400.0, effort_low=2.0, effort_high=8.0)
    assert (p.value, p.low, p.high) == (60.0, 25.0, 200.0)  # 300 / 5, 200 / 8, 400 / 2


def test_cd3_floors_effort_at_half_an_hour():
    p = cd3(10.0, 10.0, 10.0, 0.0, 0.0)
    assert (p.value, p.effort_low, p.effort_high) == (20.0, 0.5, 0.5)


def test_every_signal_weight_and_rate_is_documented_with_its_value():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "prioritization.md").read_text()
    assert [n for n, s in SIGNALS.items() if f"| `{n}` | {s.half:g} |" not in doc] == []
    assert [n for n in CostRates.model_fields if f"| `{n}` |" not in doc] == []
    assert ", ".join(f"{s} {w:g}" for s, w in SEVERITY_WEIGHTS.items()) in doc
    assert ", ".join(f"{s} {w:g}" for s, w in LIFECYCLE_WEIGHTS.items()) in doc
