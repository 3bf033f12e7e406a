import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from mldebt.domain.debt import DebtCategory, DebtSource, EffortRange, EvidenceKind, round_half_hours
from mldebt.domain.debt_groups import ROOT_CAUSES, group_findings, item_key, root_cause
from mldebt.domain.finding import Severity

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@dataclass
class F:
    id: int
    rule_id: str
    component: str
    severity: str = "medium"
    source: str = "scan"
    message: str = "m"
    fingerprint: str = ""
    file: str | None = None
    line: int | None = None
    effort_minutes: int = 0
    evidence: dict[str, Any] = field(default_factory=dict)
    first_seen_at: dt.datetime = T0

    def __post_init__(self) -> None:
        self.fingerprint = self.fingerprint or f"fp{self.id}"


def test_fifty_unpinned_requirements_of_one_service_are_one_item_with_fifty_pieces_of_evidence():
    findings = [F(i, "MLD102", "order-bot-nlp", file="requirements.txt", line=i, effort_minutes=10,
                  first_seen_at=T0 + dt.timedelta(days=i)) for i in range(1, 51)]
    findings.append(F(51, "MLD103", "order-bot-nlp", effort_minutes=30))
    [item] = group_findings(findings)
    assert item.title == "Unpinned or unlocked dependencies in order-bot-nlp (51 findings)"
    assert item.category == DebtCategory.DEPENDENCIES
    assert item.source == DebtSource.SCAN
    assert item.evidence_count == 51
    assert len(item.evidence) == 50  # the item keeps 50; the count keeps the whole number
    assert item.evidence[0].kind == EvidenceKind.FINDING
    assert item.rule_ids == ("MLD102", "MLD103")
    # 50 x 10 + 30 = 530 minutes = 8.83 h: half (4.42 -> 4.5 h) to one and a half times (13.25 -> 13.5 h)
    assert item.effort == EffortRange(4.5, 13.5)
    assert item.first_seen_at == T0


def test_the_same_findings_give_the_same_key_and_other_components_other_items():
    a = group_findings([F(1, "MLD102", "svc-a"), F(2, "MLD102", "svc-b")])
    b = group_findings([F(7, "MLD102", "svc-b", fingerprint="other"), F(9, "MLD102", "svc-a")])
    assert [d.key for d in a] == [d.key for d in b]
    assert a[0].key == item_key("svc-a", "unpinned-dependencies")


def test_each_recurring_failure_is_its_own_item_in_the_incidents_category():
    findings = [F(1, "INC001", "order-bot-nlp", source="incidents", message="recurring failure: KeyError",
                  evidence={"categories": ["api-mismatch"]}),
                F(2, "INC001", "order-bot-nlp", source="incidents", message="recurring failure: timeout",
                  evidence={"categories": ["latency"]})]
    items = group_findings(findings)
    assert len(items) == 2
    assert {(i.category, i.source) for i in items} == {(DebtCategory.CODE, DebtSource.INCIDENT),
                                                         (DebtCategory.INFRASTRUCTURE, DebtSource.INCIDENT)}


def test_findings_without_an_estimate_take_the_root_causes_default_effort():
    [item] = group_findings([F(1, "INV001", "recs-model", source="inventory", severity="high")])
    assert item.effort == EffortRange(2.0, 8.0)
    assert item.severity == Severity.HIGH
    assert item.title == "Retraining overdue for recs-model"


def test_drift_rules_share_one_root_cause_by_prefix_and_unknown_rules_get_their_own():
    assert root_cause("DRIFT001") is root_cause("DRIFT002") is ROOT_CAUSES["DRIFT"]
    assert root_cause("DQ009") is ROOT_CAUSES["DQ"]
    unknown = root_cause("XYZ123")
    assert (unknown.group, unknown.category) == ("xyz123", DebtCategory.CODE)


def test_the_item_takes_the_worst_severity_of_its_evidence():
    [item] = group_findings([F(1, "MLD301", "c", severity="low"), F(2, "MLD302", "c", severity="high")])
    assert item.severity == Severity.HIGH


@pytest.mark.parametrize("low, high", [(-1, 2), (3, 2), (0, float("nan")), (0, 1e6)])
def test_impossible_effort_ranges_are_refused(low, high):
    with pytest.raises(ValueError):
        EffortRange(low, high)


def test_estimates_are_shown_to_the_half_hour_and_never_below_it():
    assert [round_half_hours(h) for h in (0.01, 0.5, 0.51, 4.42, 13.25)] == [0.5, 0.5, 1.0, 4.5, 13.5]
