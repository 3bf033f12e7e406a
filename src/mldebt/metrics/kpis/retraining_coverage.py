"""Coverage of retraining code: the Cobertura line rate of the code of models and pipelines.

Per component of kind `model` or `pipeline`, the latest coverage report recorded in the quarter
(the state at the end of the quarter, not an average of CI runs); the total weighs each component
by its lines: sum of covered lines / sum of valid lines.
"""

from __future__ import annotations

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure, mean, ratio, rounded
from mldebt.metrics.kpis.records import CoverageReport, QuarterData


def _measure(report: CoverageReport) -> Measure:
    valid, covered = report.lines_valid or 0, report.lines_covered or 0
    value = ratio(covered, valid) if valid else rounded(report.line_rate, 4)
    return Measure(value, {"lines_valid": valid, "lines_covered": covered,
                           "recorded_at": report.recorded_at.isoformat()})


def compute(data: QuarterData) -> KpiResult:
    latest: dict[str, CoverageReport] = {}
    for report in data.coverage:
        info = data.components.get(report.component)
        if info is None or not info.holds_retraining_code:
            continue
        current = latest.get(report.component)
        if current is None or (report.recorded_at, report.report_id) > (current.recorded_at, current.report_id):
            latest[report.component] = report
    valid = sum(r.lines_valid or 0 for r in latest.values())
    covered = sum(r.lines_covered or 0 for r in latest.values())
    value = ratio(covered, valid) if valid else rounded(mean(r.line_rate for r in latest.values()
                                                             if r.line_rate is not None), 4)
    total = Measure(value, {"components": len(latest), "lines_valid": valid, "lines_covered": covered})
    return KpiResult(total, {name: _measure(report) for name, report in latest.items()})


SPEC = KpiSpec(
    id="retraining_coverage", name="Coverage of retraining code", unit="share",
    direction=Direction.HIGHER_IS_BETTER,
    definition="Covered / valid lines of the latest Cobertura report recorded in the quarter for each component "
               "of kind model or pipeline.",
    compute=compute)
