import pytest

from mldebt.domain.categories import categorize, rules_from_data
from mldebt.domain.component import SourceRule
from mldebt.domain.feedback import score_answer
from mldebt.domain.incident import Category
from mldebt.domain.linking import link


@pytest.mark.parametrize(("text", "category"), [
    ("KeyError: 'shipping_status' in lookup_order", Category.API_MISMATCH),
    ("TimeoutError: recs model call exceeded 2.0s", Category.LATENCY),
    ("Fraud model wrongly flagged legitimate order", Category.FALSE_POSITIVES),
    ("NaN in price feature after export", Category.DATA_QUALITY),
    ("Demand forecast retrain overdue", Category.RETRAINING_DELAY),
    ("Pod OOMKilled: out of memory", Category.INFRASTRUCTURE),
    ("Intent model prediction confidence collapsed", Category.MODEL_ERROR),
    ("Something odd happened", Category.OTHER),
])
def test_default_keyword_rules(text, category):
    assert categorize(text, {}) == category


def test_explicit_category_label_or_tag_wins():
    assert categorize("timeout", {"category": "data-quality"}) == Category.DATA_QUALITY
    assert categorize("timeout", {"tag": ["chatbot", "category:model-error"]}) == Category.MODEL_ERROR
    assert categorize("timeout", {"category": "nonsense"}) == Category.LATENCY


def test_configured_rules_replace_the_defaults():
    rules = rules_from_data([{"category": "infrastructure", "labels": {"team": "sre"}}])
    assert categorize("timeout", {"team": "SRE"}, rules) == Category.INFRASTRUCTURE
    assert categorize("timeout", {}, rules) == Category.OTHER
    with pytest.raises(ValueError, match="rule 0: category must be one of"):
        rules_from_data([{"category": "bugs", "keywords": ["x"]}])


def test_link_tries_each_tag():
    rules = [SourceRule(match={"tag": "recommendations"}, component="recs-api")]
    assert link(rules, {"tag": ["stock", "recommendations"]}) == "recs-api"
    assert link(rules, {"tag": ["stock"]}) is None


@pytest.mark.parametrize(("answer", "value_type", "mapping", "score"), [
    ("5", "rating", None, 1.0), ("2", "rating", None, 0.25), ("9", "nps", None, 0.9),
    ("Very satisfied", None, None, 1.0), ("meh", None, None, None), ("meh", None, {"MEH": 0.4}, 0.4),
])
def test_score_answer(answer, value_type, mapping, score):
    assert score_answer(answer, value_type, mapping) == score
