"""The scan page's data: its names agree with the detectors', its filters are checked, its reads are bounded."""

import pytest

from mldebt.errors import UserInputError
from mldebt.metrics.recurring import SOURCE as INCIDENTS
from mldebt.metrics.satisfaction import SOURCE as FEEDBACK
from mldebt.scan.engine import SOURCE as SCAN
from mldebt.service.catalog import INVENTORY_SOURCE
from mldebt.service.drift import DRIFT_SOURCE
from mldebt.service.scan_view import FINDING_SOURCES, RULE_TITLES, check_filters, scan_overview
from mldebt.store.scan_queries import FindingFilter


def test_the_finding_sources_are_the_detectors_own():
    assert FINDING_SOURCES == (SCAN, DRIFT_SOURCE, INVENTORY_SOURCE, INCIDENTS, FEEDBACK)


def test_rule_titles_come_from_the_scanner_and_inventory_registries():
    assert (RULE_TITLES["MLD102"], RULE_TITLES["INV001"], RULE_TITLES["DRIFT002"]) == (
        "unpinned-requirement", "retrain-overdue", "dataset-drift")


def test_empty_filters_are_absent_and_good_ones_are_kept():
    assert check_filters("", "", "", "") == FindingFilter()
    kept = ("MLD102", "recs-model", "scan", "high")
    assert check_filters(*kept) == FindingFilter(*kept)


@pytest.mark.parametrize(("rule", "component", "source", "severity", "message"), [
    ("MLD 102", None, None, None, "rule: a rule id of 1 to 30 letters"),
    ("x" * 31, None, None, None, "rule: a rule id of 1 to 30 letters"),
    (None, "c" * 101, None, None, "component: at most 100 characters, got 101"),
    (None, None, "github", None, "source: expected one of scan, drift, inventory, incidents, feedback, got 'github'"),
    (None, None, None, "HIGH", "severity: expected one of info, low, medium, high, critical, got 'HIGH'"),
])
def test_a_bad_filter_names_the_problem(rule, component, source, severity, message):
    with pytest.raises(UserInputError) as raised:
        check_filters(rule, component, source, severity)
    assert str(raised.value).startswith(message)


def test_an_empty_store_gives_empty_sections(store):
    data = scan_overview(store, check_filters(), 50, 0)
    assert (data["rules"], data["components"], data["hotspots"], data["findings"], data["runs"],
            data["test_scores"]) == ([], [], [], [], [], [])
    assert (data["total"], data["rules_total"], data["runs_total"]) == (0, 0, 0)
