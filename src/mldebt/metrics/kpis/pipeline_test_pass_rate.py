"""Automated test pass rate of AI pipelines, from the JUnit reports recorded in the quarter.

Every recorded report counts (each CI run is a run of the tests); skipped tests did not run and
count neither way, as in `mldebt ingest junit`: passed = tests - failures - errors - skipped,
rate = passed / (tests - skipped), summed over the reports before dividing.
"""

from __future__ import annotations

from collections.abc import Iterable

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, group, ratio
from mldebt.metrics.kpis.records import JUnitTotals, QuarterData


def _measure(rows: Iterable[JUnitTotals]) -> Measure:
    items = list(rows)
    tests = sum(r.tests for r in items)
    skipped = sum(r.skipped for r in items)
    failed = sum(r.failures + r.errors for r in items)
    passed = tests - skipped - failed
    return Measure(ratio(passed, tests - skipped), {"reports": sum(r.reports for r in items), "tests": tests,
                                                    "passed": passed, "failed": failed, "skipped": skipped})


def compute(data: QuarterData) -> KpiResult:
    per: dict[str, list[JUnitTotals]] = {}
    for row in data.junit:
        per.setdefault(group(row.component), []).append(row)
    return KpiResult(_measure(data.junit), {name: _measure(rows) for name, rows in per.items()})


SPEC = KpiSpec(
    id="pipeline_test_pass_rate", name="Automated test pass rate of AI pipelines", unit="share",
    direction=Direction.HIGHER_IS_BETTER,
    definition="Passed / run tests (run = tests - skipped) summed over the JUnit reports recorded in the quarter.",
    compute=compute)
