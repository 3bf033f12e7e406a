"""The `drift` monitor kind: `mldebt drift --component` on a schedule.

`evaluate` reads the two tables and runs the drift engine with no transaction open (the monitor's
`columns`, `methods` and `thresholds` override the inventory's `drift:` policy as `--columns`,
`--method` and `--threshold` do); `record` stores the run, its findings and its retrain triggers
exactly as `mldebt drift` does, so a monitor's run is one more row on `/drift`. An auto-mode
retrain runs only after that commit (`Evaluation.after`): a retrain can take an hour.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from mldebt.domain.alerts import MonitorStatus
from mldebt.domain.incident import Category
from mldebt.errors import MldebtError
from mldebt.service.monitors.base import Evaluation, MonitorJob
from mldebt.service.retrain import run_started_units
from mldebt.store.drift import RUNNING

if TYPE_CHECKING:  # the drift engine (pyarrow, scipy) loads when a monitor runs, not when the registry is read
    from mldebt.drift.report import DriftReport

MAX_SUMMARY = 200
MAX_NAMED_COLUMNS = 5  # in the summary
MAX_DETAIL_COLUMNS = 20  # in the stored detail (the whole report is on the drift run)
# The project's categorizer files drift under data quality (domain.categories): there is no `drift` category.
CATEGORY = Category.DATA_QUALITY.value


@dataclass(frozen=True)
class Compared:
    """What `evaluate` hands `record`: the report and the tables it compared."""

    report: DriftReport
    reference: Path
    current: Path


def data_path(job: MonitorJob, value: str) -> Path:
    """A monitor's table path: relative to the inventory file's folder, or absolute."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else job.catalog_dir / path


def drift_summary(report: DriftReport) -> str:
    """The one line of a run, e.g. `3 of 12 columns drifted: price, channel, device` (bounded)."""
    drifted = report.drifted_columns
    text = f"{len(drifted)} of {len(report.columns)} columns drifted"
    if drifted:
        named = ", ".join(drifted[:MAX_NAMED_COLUMNS])
        more = len(drifted) - MAX_NAMED_COLUMNS
        text += f": {named}" + (f" and {more} more" if more > 0 else "")
    if report.multivariate is not None and "alerts" in report.multivariate:
        text += (f"; multivariate drift in {report.multivariate['alerts']} of "
                 f"{report.multivariate['n_current_chunks']} chunks" if multivariate_drifted(report)
                 else "; no multivariate drift")
    return bounded(text)


def multivariate_drifted(report: DriftReport) -> bool:
    return bool((report.multivariate or {}).get("drifted"))


def bounded(text: str, limit: int = MAX_SUMMARY) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def drift_detail(compared: Compared) -> dict[str, Any]:
    """A small JSON of the verdict: the drifted columns with their test, not the whole report."""
    report = compared.report
    drifted = [{"column": c.name, "method": c.method, "statistic": finite(c.statistic),
                "pvalue": finite(c.adjusted_pvalue if c.adjusted_pvalue is not None else c.pvalue)}
               for c in report.columns if c.drifted]
    return {"reference": str(compared.reference), "current": str(compared.current),
            "rows": {"reference": report.n_reference, "current": report.n_current},
            "columns": len(report.columns), "drift_share": report.drift_share,
            "drift_share_threshold": report.drift_share_threshold, "dataset_drift": report.dataset_drift,
            "drifted": drifted[:MAX_DETAIL_COLUMNS], "drifted_count": len(drifted)}


def finite(value: float | None) -> float | None:
    """JSON (the stored detail) has no NaN or infinity: those become null."""
    return None if value is None or not math.isfinite(value) else float(value)


class DriftMonitorKind:
    name = "drift"

    def evaluate(self, job: MonitorJob) -> Evaluation:
        from mldebt.service.drift import DriftRequest, evaluate_drift

        spec = job.monitor
        reference, current = data_path(job, spec.reference), data_path(job, spec.current)
        request = DriftRequest(reference, current, component=job.component.name, columns=spec.columns,
                               methods=dict(spec.methods), thresholds=dict(spec.thresholds),
                               multivariate=spec.multivariate)
        try:
            report = evaluate_drift(request, job.catalog)
        except (MldebtError, OSError, ValueError) as exc:  # a missing file, a bad override: reported, not raised
            return Evaluation(MonitorStatus.ERROR, bounded(" ".join(str(exc).split())))
        if report.errors:  # an empty table: nothing was compared, nothing is stored
            return Evaluation(MonitorStatus.ERROR, bounded(report.errors[0]))
        compared = Compared(report, reference, current)
        breached = report.dataset_drift or multivariate_drifted(report)
        return Evaluation(MonitorStatus.BREACH if breached else MonitorStatus.OK, drift_summary(report),
                          value=report.drift_share, threshold=report.drift_share_threshold,
                          detail=drift_detail(compared), category=CATEGORY if breached else None,
                          state=compared)

    def record(self, session: Session, job: MonitorJob, evaluation: Evaluation) -> Evaluation:
        compared = evaluation.state
        if evaluation.status == MonitorStatus.ERROR or not isinstance(compared, Compared):
            return evaluation
        from mldebt.service.drift import record_drift

        recorded = record_drift(session, job.catalog, job.component, compared.report, compared.reference,
                                compared.current, job.now, job.catalog_dir.resolve())
        evaluation.evidence_url = f"/drift/{recorded.run_id}"
        evaluation.detail = {**evaluation.detail, "drift_run_id": recorded.run_id,
                             "findings": len(recorded.findings),
                             "retrain": [{"component": r.component, "mode": r.mode, "status": r.status,
                                          "request_id": r.request_id} for r in recorded.retrain]}
        # Commit, act, record: an auto-mode retrain runs once this transaction committed.
        evaluation.after += [functools.partial(run_started_units, fired=fired) for fired in recorded.retrain
                             if fired.status == RUNNING]
        return evaluation


KIND = DriftMonitorKind()
