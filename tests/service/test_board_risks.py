"""The one-line reason of a top risk, read from its stored breakdown."""

from __future__ import annotations

from mldebt.service.board_risks import risk_reason


def _part(kind: str, component: str, observed: dict, relation: str = "own", relevance: float = 1.0,
          per_week: float = 10.0) -> dict:
    return {"kind": kind, "component": component, "relation": relation, "relevance": relevance,
            "per_week": per_week, "observed": observed}


def _breakdown(*parts: dict, drag: dict | None = None) -> dict:
    return {"window_days": 90, "interest": {"parts": list(parts), "drag": drag or {}}}


def test_the_reason_names_the_evidence_that_points_at_the_item_in_plain_words():
    breakdown = _breakdown(
        _part("incidents", "fraud-model", {"intervals": 3, "hours": 14.94}),
        _part("revenue_at_risk", "fraud-model", {"orders": 9, "revenue": 700.0}),
        _part("incidents", "fraud-model", {"intervals": 2, "hours": 1.5}, relevance=0.02),  # another kind of debt's
        _part("tickets", "fraud-model", {"tickets": 4}, per_week=0.0))  # costs nothing: not a reason
    assert risk_reason(breakdown, "fraud-model") == "3 incidents (15 h open) and 9 orders at risk in the last 90 days"


def test_evidence_seen_only_in_a_dependant_component_is_said_to_be_there():
    breakdown = _breakdown(
        _part("tickets", "order-bot", {"tickets": 1}, relation="upstream"),
        _part("dissatisfied_orders", "order-bot", {"dissatisfied": 23}, relation="upstream"))
    assert risk_reason(breakdown, "intent-model") == (
        "1 support ticket and 23 dissatisfied shoppers in order-bot (which depends on it) in the last 90 days")


def test_code_that_changes_often_is_a_reason():
    breakdown = _breakdown(_part("incidents", "recs", {"intervals": 1, "hours": 2.0}),
                           drag={"changes_per_week": 1.5, "per_week": 20.0})
    assert risk_reason(breakdown, "recs") == ("1 incident (2 h open) and code that changes 1.5 times a week "
                                              "in the last 90 days")


def test_an_item_without_evidence_or_without_a_score_says_so():
    assert risk_reason(_breakdown(), "recs") == ("Nothing observed points at it yet; it ranks on how severe it is "
                                                 "and how quick it is to fix")
    assert risk_reason({}, "recs") == "Not scored yet: no evidence has been weighed for it"
    assert risk_reason(None, "recs") == "Not scored yet: no evidence has been weighed for it"
