"""Governance audit states as of a day: ok, due-soon (on the due day too), overdue, missing; the ML Test
Score's governance line; the board report's rows; and the INV006/INV007 findings of production models."""

import datetime as dt

import pytest

from mldebt.domain.component import Catalog
from mldebt.domain.governance import (
    AuditState,
    AuditStatus,
    audit_statuses,
    governance_of,
    overdue_reviews,
    reviewed_line,
)
from mldebt.domain.health import inventory_findings
from mldebt.domain.monitoring import Governance

AS_OF = dt.date(2026, 11, 25)


def governance(cadence: int = 100, **dates: str) -> Governance:
    return Governance.model_validate({"cadence_days": cadence,
                                      **{k: {"date": v, "reviewer": "ana"} for k, v in dates.items()}})


@pytest.mark.parametrize(("reviewed", "state", "due", "days"), [
    ("2026-09-17", AuditState.OK, "2026-12-26", 31),  # due in 31 days: not yet due soon
    ("2026-09-16", AuditState.DUE_SOON, "2026-12-25", 30),  # due in exactly 30 days
    ("2026-08-17", AuditState.DUE_SOON, "2026-11-25", 0),  # due today: still due soon
    ("2026-08-16", AuditState.OVERDUE, "2026-11-24", -1),  # one day late
    ("2025-11-25", AuditState.OVERDUE, "2026-03-05", -265),
])
def test_an_audits_state_due_date_and_days_at_the_boundaries(reviewed, state, due, days):
    fairness = audit_statuses(governance(fairness=reviewed), AS_OF)[0]
    assert fairness == AuditStatus("fairness", state, 100, dt.date.fromisoformat(reviewed), "ana",
                                   dt.date.fromisoformat(due), days)
    assert fairness.days_overdue == max(0, -days)


def test_an_unrecorded_audit_is_missing_and_no_governance_means_all_three_at_the_default_cadence():
    assert [(s.kind, s.state, s.due, s.days_to_due) for s in audit_statuses(governance(privacy="2026-11-01"),
                                                                            AS_OF)] == [
        ("fairness", AuditState.MISSING, None, None), ("explainability", AuditState.MISSING, None, None),
        ("privacy", AuditState.OK, dt.date(2027, 2, 9), 76)]
    assert [(s.kind, s.state, s.cadence_days) for s in audit_statuses(None, AS_OF)] == [
        ("fairness", AuditState.MISSING, 365), ("explainability", AuditState.MISSING, 365),
        ("privacy", AuditState.MISSING, 365)]


def test_the_ml_test_score_line_says_reviewed_only_when_every_audit_is_current():
    current = governance(fairness="2026-11-01", explainability="2026-08-17", privacy="2026-10-01")
    assert reviewed_line(audit_statuses(current, AS_OF)) == "reviewed"
    owed = governance(fairness="2026-08-16", explainability="2026-11-01")
    assert reviewed_line(audit_statuses(owed, AS_OF)) == (
        "not reviewed: fairness overdue since 2026-11-24, privacy missing")


def test_board_rows_list_missing_reviews_first_then_the_most_overdue():
    rows = overdue_reviews([
        ("b-model", governance(fairness="2026-08-16", explainability="2026-05-01", privacy="2026-11-01")),
        ("a-model", governance(fairness="2026-11-01", explainability="2026-11-01")),
        ("c-model", governance(fairness="2026-11-01", explainability="2026-11-01", privacy="2026-11-01")),
    ], AS_OF)
    assert rows == [
        {"component": "a-model", "what": "privacy review", "due": "never reviewed"},
        {"component": "b-model", "what": "explainability review", "due": "2026-08-09 (108 days overdue)"},
        {"component": "b-model", "what": "fairness review", "due": "2026-11-24 (1 day overdue)"},
    ]


def test_a_stored_spec_gives_back_its_governance_or_none():
    spec = {"governance": {"cadence_days": 90, "privacy": {"date": "2026-01-02", "reviewer": "dpo"}}}
    read = governance_of(spec)
    assert read is not None and (read.cadence_days, read.privacy and read.privacy.date) == (90, dt.date(2026, 1, 2))
    assert governance_of({}) is None
    assert governance_of({"governance": {"cadence_days": "weekly"}}) is None


def test_only_production_models_get_governance_findings_one_per_audit():
    catalog = Catalog.model_validate({"version": 1, "components": [
        {"name": "prod", "kind": "model", "owner": "t", "lifecycle": "production", "model_card": "c.md",
         "customer_facing": True, "governance": {"cadence_days": 100, "fairness": {"date": "2026-08-16",
                                                                                    "reviewer": "ana"}}},
        {"name": "lab", "kind": "model", "owner": "t", "lifecycle": "experimental"},
        {"name": "old", "kind": "model", "owner": "t", "lifecycle": "deprecated"},
    ]})
    found = inventory_findings(catalog, AS_OF)
    assert [(f.rule_id, f.component, str(f.severity), f.evidence["audit"]) for f in found] == [
        ("INV006", "prod", "high", "explainability"), ("INV006", "prod", "high", "privacy"),
        ("INV007", "prod", "medium", "fairness")]
    assert found[0].message == "production model prod has no explainability review on record"
    assert len({f.fingerprint for f in found}) == 3
