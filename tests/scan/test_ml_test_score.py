"""The ML Test Score: automatic evidence, answers from mldebt.yaml, sections and the final minimum."""

from mldebt.scan.ml_test_score import TESTS, Evidence, score


def test_28_tests_in_four_sections():
    assert len(TESTS) == 28
    assert {section for section, _ in TESTS.values()} == {"data", "model", "infrastructure", "monitoring"}


def test_nothing_known_scores_zero_and_names_every_test():
    result = score("m", Evidence())
    assert result.final == 0 and len(result.missing) == 28


def test_evidence_and_answers_combine_and_the_final_is_the_weakest_section():
    evidence = Evidence(has_schema=True, has_tests=True, reproducible=True, has_metric_thresholds=True,
                        has_model_card=True, rolled_back_before=True, drift_monitored=True, retrain_interval=True,
                        retrain_automated=True)
    answers = {"D2": "automated", "M2": "manual", "I7": "automated", "Mon1": "no", "X9": "automated", "M5": "maybe"}
    result = score("m", evidence, answers)
    assert {s: result.section(s) for s in ("data", "model", "infrastructure", "monitoring")} == {
        "data": 3.0, "model": 1.5, "infrastructure": 3.5, "monitoring": 3.0}
    assert result.final == 1.5
    assert result.points["I7"] == 1.0 and result.how["I7"] == "answered automated in mldebt.yaml"
    assert result.points["Mon4"] == 1.0 and "Mon1" in result.missing and "M5" in result.missing
    assert result.to_dict()["missing"][0] == "D3 No feature's cost is too much"


def test_the_governance_line_is_shown_beside_the_score_and_does_not_change_it():
    reviewed = score("m", Evidence(has_schema=True, governance="reviewed"))
    assert (reviewed.governance, reviewed.to_dict()["governance"]) == ("reviewed", "reviewed")
    assert reviewed.points == score("m", Evidence(has_schema=True)).points
    assert score("m", Evidence()).governance == "not reviewed"
