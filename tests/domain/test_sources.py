from mldebt.domain.component import SourceRule
from mldebt.domain.sources import resolve_component

RULES = [
    SourceRule(match={"project": "storefront-recs"}, component="recs-api"),
    SourceRule(match={"job": "forecast-*", "env": "prod"}, component="demand-forecast"),
]


def test_exact_match_maps_to_component():
    assert resolve_component(RULES, {"project": "storefront-recs"}) == "recs-api"


def test_glob_and_all_keys_must_match():
    assert resolve_component(RULES, {"job": "forecast-weekly", "env": "prod"}) == "demand-forecast"
    assert resolve_component(RULES, {"job": "forecast-weekly", "env": "staging"}) is None
    assert resolve_component(RULES, {"job": "forecast-weekly"}) is None


def test_nothing_matches_gives_none():
    assert resolve_component(RULES, {"project": "other"}) is None
