import datetime as dt

from mldebt.domain.component import Catalog
from mldebt.domain.finding import Severity
from mldebt.domain.health import inventory_findings
from mldebt.domain.staleness import retrain_status

AS_OF = dt.date(2026, 11, 25)


def catalog(*components: dict) -> Catalog:
    return Catalog.model_validate({"version": 1, "components": list(components)})


REVIEWED = {kind: {"date": "2026-06-01", "reviewer": "ana"} for kind in ("fairness", "explainability", "privacy")}


def model(**fields) -> dict:
    """A healthy production model (owned, with a card, its governance reviews current) but for `fields`."""
    base = {"name": "m", "kind": "model", "owner": "team", "lifecycle": "production", "model_card": "card.md",
            "governance": REVIEWED}
    return {**base, **fields}


def rules(findings) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.component, str(f.severity)) for f in findings]


def test_overdue_model_is_flagged_with_evidence():
    cat = catalog(model(trained_at="2026-09-01", retrain_every_days=30, customer_facing=True))
    (finding,) = inventory_findings(cat, AS_OF)
    assert (finding.rule_id, finding.severity) == ("INV001", Severity.HIGH)
    assert finding.evidence == {"last_retrained": "2026-09-01", "days_since_retrain": 85,
                                "retrain_every_days": 30, "days_overdue": 55}


def test_retrain_entry_in_change_log_counts_as_last_retrain():
    cat = catalog(model(trained_at="2026-01-01", retrain_every_days=30, changes=[
        {"version": "2", "date": "2026-11-20", "kind": "retrain", "description": "monthly"}]))
    assert inventory_findings(cat, AS_OF) == []
    assert retrain_status(cat.components[0], AS_OF) == (5, False)


def test_model_exactly_at_interval_is_not_overdue():
    cat = catalog(model(trained_at="2026-10-26", retrain_every_days=30))
    assert retrain_status(cat.components[0], AS_OF) == (30, False)
    assert inventory_findings(cat, AS_OF) == []


def test_unowned_components_ranked_by_exposure():
    cat = catalog(
        model(name="prod-model", owner=None),
        {"name": "exp", "kind": "service", "lifecycle": "experimental"},
        {"name": "facing", "kind": "service", "lifecycle": "production", "customer_facing": True},
        {"name": "old", "kind": "pipeline", "lifecycle": "deprecated"},
    )
    assert sorted(rules(inventory_findings(cat, AS_OF))) == [
        ("INV002", "exp", "low"), ("INV002", "facing", "high"), ("INV002", "prod-model", "high"),
    ]


def test_production_model_without_card_or_with_missing_card_file():
    cat = catalog(model(name="a", model_card=None), model(name="b", model_card="missing.md"), model(name="c"))
    findings = inventory_findings(cat, AS_OF, model_card_present=lambda name: name == "c")
    assert sorted(rules(findings)) == [("INV003", "a", "medium"), ("INV003", "b", "medium")]
    assert [f.message for f in findings if f.component == "b"] == [
        "production model b: model card missing.md does not exist"]


def test_production_component_depending_on_deprecated_one():
    cat = catalog(
        {"name": "api", "kind": "service", "owner": "t", "lifecycle": "production", "revenue_critical": True,
         "depends_on": ["old-job", "fresh"]},
        {"name": "old-job", "kind": "pipeline", "owner": "t", "lifecycle": "legacy"},
        {"name": "fresh", "kind": "pipeline", "owner": "t", "lifecycle": "production"},
        {"name": "lab", "kind": "service", "owner": "t", "lifecycle": "experimental", "depends_on": ["old-job"]},
    )
    (finding,) = inventory_findings(cat, AS_OF)
    assert rules([finding]) == [("INV004", "api", "high")]
    assert finding.evidence["dependency"] == "old-job"


def test_cycle_is_one_finding_with_stable_fingerprint():
    a = {"name": "a", "kind": "service", "owner": "t", "depends_on": ["b"]}
    b = {"name": "b", "kind": "service", "owner": "t", "depends_on": ["a"]}
    first = inventory_findings(catalog(a, b), AS_OF)
    second = inventory_findings(catalog(b, a), AS_OF)
    assert rules(first) == [("INV005", "a", "medium")]
    assert first[0].message == "dependency cycle: a -> b -> a"
    assert first[0].fingerprint == second[0].fingerprint


def test_findings_are_sorted_most_severe_first():
    cat = catalog(
        {"name": "exp", "kind": "service", "lifecycle": "experimental"},
        model(name="m", owner=None, customer_facing=True),
    )
    assert [str(f.severity) for f in inventory_findings(cat, AS_OF)] == ["high", "low"]
