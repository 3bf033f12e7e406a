"""The `model-quality` monitor kind: realized quality on labelled data against metric bounds.

`evaluate` reads the labelled table (label and prediction columns) and measures it with the drift
engine's model-quality code (`drift.performance`: accuracy, precision, recall, F1, false-positive
rate, ROC AUC; MAE, RMSE, MAPE, R2), with no transaction open. The bounds are the monitor's, or by
default the model's `metrics` min / max in the inventory. `record` syncs one PERF001 finding per
metric out of bounds, as a drift run with `--label` and `--prediction` does, scoped to the monitor
(a later run within bounds fixes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from mldebt.domain.alerts import MonitorStatus
from mldebt.domain.incident import Category
from mldebt.errors import MldebtError
from mldebt.service.evidence_links import component_path
from mldebt.service.monitors.base import Evaluation, MonitorJob
from mldebt.service.monitors.drift_monitor import bounded, data_path

Bounds = dict[str, dict[str, float | None]]
FALSE_POSITIVE_METRICS = ("false_positive_rate", "fpr")


def monitor_bounds(job: MonitorJob) -> Bounds:
    """The monitor's bounds, else the model's `metrics` that have a min or a max."""
    if job.monitor.bounds:
        return {name: {"min": b.min, "max": b.max} for name, b in job.monitor.bounds.items()}
    metrics = getattr(job.component, "metrics", {}) or {}
    return {name: {"min": m.min, "max": m.max} for name, m in metrics.items() if m.min is not None or m.max is not None}


def margin(value: float, bound: Mapping[str, float | None]) -> tuple[float, str, float]:
    """(how far inside its nearest bound `value` is, relative to the bound; negative: outside), the side, the bound."""
    sides = []
    for side, limit in (("min", bound.get("min")), ("max", bound.get("max"))):
        if limit is None:
            continue
        inside = value - limit if side == "min" else limit - value
        sides.append((inside / (abs(limit) or 1.0), side, limit))
    return min(sides)


def fmt(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 1e6 else f"{value:.3g}"


def quality_summary(ranked: list[tuple[str, float, tuple[float, str, float]]]) -> str:
    """`recall 0.71 < 0.80` for each metric out of bounds, worst first; else each metric and `within bounds`."""
    out = [f"{name} {fmt(value)} {'<' if side == 'min' else '>'} {fmt(limit)}"
           for name, value, (inside, side, limit) in ranked if inside < 0]
    if out:
        return bounded("; ".join(out))
    return bounded(", ".join(f"{name} {fmt(value)}" for name, value, _ in ranked) + " within bounds")


class QualityMonitorKind:
    name = "model-quality"

    def evaluate(self, job: MonitorJob) -> Evaluation:
        from mldebt.drift.performance import ALIASES, METRIC_NAMES, check_thresholds

        spec = job.monitor
        bounds = monitor_bounds(job)
        if not bounds:
            return Evaluation(MonitorStatus.ERROR, "no metric bounds: give the monitor `bounds` or the model's "
                                                   "`metrics` a min or max")
        unknown = [name for name in bounds if ALIASES.get(name, name) not in METRIC_NAMES]
        if unknown:
            known = ", ".join(sorted({*METRIC_NAMES, *ALIASES}))
            return Evaluation(MonitorStatus.ERROR, bounded(f"unknown metric {', '.join(unknown)} in bounds; known: "
                                                           f"{known}", 400))
        path = data_path(job, spec.labels)
        try:
            metrics = measure(path, spec.label, spec.prediction)
        except (MldebtError, OSError, ValueError) as exc:  # a missing file, a missing column: reported, not raised
            return Evaluation(MonitorStatus.ERROR, bounded(" ".join(str(exc).split())))
        values = {name: metrics.get(ALIASES.get(name, name)) for name in bounds}
        unmeasured = [name for name, value in values.items() if not isinstance(value, int | float)]
        if unmeasured:
            measured = ", ".join(n for n in METRIC_NAMES if isinstance(metrics.get(n), int | float))
            return Evaluation(MonitorStatus.ERROR, bounded(f"{', '.join(unmeasured)} not measured on the "
                                                           f"{metrics['task']} data in {path} (measured: {measured})"))
        ranked = sorted(((name, float(value), margin(float(value), bounds[name])) for name, value in values.items()
                         if isinstance(value, int | float)), key=lambda item: item[2][0])
        breaches = check_thresholds(metrics, bounds)
        worst, worst_value, (_, _, worst_limit) = ranked[0]
        breached = bool(breaches)
        category = None
        if breached:
            category = (Category.FALSE_POSITIVES if worst in FALSE_POSITIVE_METRICS else Category.MODEL_ERROR).value
        detail = {"labels": str(path), "task": metrics["task"], "rows": metrics["rows"], "metrics": values,
                  "bounds": bounds, "breaches": breaches}
        return Evaluation(MonitorStatus.BREACH if breached else MonitorStatus.OK, quality_summary(ranked),
                          value=worst_value, threshold=worst_limit, detail=detail, category=category, state=breaches)

    def record(self, session: Session, job: MonitorJob, evaluation: Evaluation) -> Evaluation:
        if evaluation.status == MonitorStatus.ERROR or not isinstance(evaluation.state, list):
            return evaluation
        from mldebt.service.drift import DRIFT_SOURCE, performance_findings
        from mldebt.store.findings import sync_findings

        findings = performance_findings(evaluation.state, job.component)
        synced = sync_findings(session, DRIFT_SOURCE, f"model-quality:{job.key}", findings, job.now)
        evaluation.detail = {**evaluation.detail, "findings": {"new": len(synced.new), "reopened": len(synced.reopened),
                                                               "fixed": len(synced.fixed)}}
        evaluation.evidence_url = component_path(job.component.name)
        return evaluation


def measure(path: Any, label: str, prediction: str) -> dict[str, Any]:
    """`drift.performance.model_quality` of the labelled table, its columns checked first."""
    from mldebt.drift.performance import model_quality
    from mldebt.drift.tables import read_table
    from mldebt.errors import UserInputError

    table = read_table(path)
    for option, name in (("label", label), ("prediction", prediction)):
        if name not in table.column_names:
            raise UserInputError(f"{option} {name}: no column {name!r} in {path} "
                                 f"(columns: {', '.join(table.column_names[:20])})")
    metrics = model_quality(table, label, prediction)
    if not metrics["rows"]:
        raise UserInputError(f"no rows with both {label} and {prediction} in {path}")
    return metrics


KIND = QualityMonitorKind()
