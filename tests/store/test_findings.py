import datetime as dt

from sqlalchemy import select

from mldebt.domain.finding import Finding, Severity
from mldebt.store.findings import open_counts_by_component, open_findings, sync_findings
from mldebt.store.models import FindingRow

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)


def finding(component: str, key: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding.create("R1", severity, component, f"problem {key}", identity=(key,), evidence={"k": key})


def test_new_findings_are_opened_and_absent_ones_fixed(store):
    with store.session() as s:
        first = sync_findings(s, "scan", "repo", [finding("a", "x"), finding("a", "y"), finding("b", "z")], T0)
    assert len(first.new) == 3
    with store.session() as s:
        second = sync_findings(s, "scan", "repo", [finding("a", "x")], T1)
    assert (second.new, second.still_open, len(second.fixed)) == ([], 1, 2)
    with store.session() as s:
        assert [f.message for f in open_findings(s)] == ["problem x"]
        assert open_counts_by_component(s) == {"a": 1}
        fixed = s.scalars(select(FindingRow).where(FindingRow.status == "fixed")).all()
        assert sorted(f.message for f in fixed) == ["problem y", "problem z"]


def test_a_fixed_finding_that_returns_is_reopened_not_duplicated(store):
    with store.session() as s:
        sync_findings(s, "scan", "repo", [finding("a", "x")], T0)
    with store.session() as s:
        sync_findings(s, "scan", "repo", [], T1)
    with store.session() as s:
        result = sync_findings(s, "scan", "repo", [finding("a", "x", Severity.LOW)], T2)
    assert len(result.reopened) == 1
    with store.session() as s:
        (row,) = s.scalars(select(FindingRow)).all()
        assert (row.status, row.severity, row.fixed_at) == ("open", "low", None)


def test_other_sources_and_scopes_are_left_alone(store):
    with store.session() as s:
        sync_findings(s, "scan", "repo-a", [finding("a", "x")], T0)
        sync_findings(s, "drift", "repo-a", [finding("a", "x")], T0)
    with store.session() as s:
        result = sync_findings(s, "scan", "repo-b", [], T1)
    assert result.fixed == []
    with store.session() as s:
        assert len(open_findings(s)) == 2
        assert len(open_findings(s, source="drift")) == 1
