"""The drift use case: compare two tables, and for a component store the run, its findings and
fire its retrain trigger.

The component's declared schema (its own, or its training dataset's for a model) fixes the column
types; the `drift:` section of mldebt.yaml sets the policy, which CLI options override per column.
Findings are recorded for production components only: drift of an experiment is reported, not debt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from mldebt.domain.component import Catalog, Kind, Lifecycle, Model
from mldebt.domain.finding import Finding, Severity
from mldebt.drift.compare import Options, compare
from mldebt.drift.policy import Policy
from mldebt.drift.report import DriftReport
from mldebt.drift.tables import read_table
from mldebt.errors import NotFoundError, UserInputError
from mldebt.service.catalog import require_catalog
from mldebt.service.retrain import TriggerOutcome, fire, run_started
from mldebt.store.database import Store
from mldebt.store.drift import add_drift_run
from mldebt.store.findings import SyncResult, sync_findings

DRIFT_SOURCE = "drift"
LARGE_EFFECT = 0.1


@dataclass
class DriftRequest:
    reference: Path
    current: Path
    component: str | None = None
    catalog: Path | None = None
    columns: list[str] | None = None
    methods: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, float | str] = field(default_factory=dict)  # as typed: the policy checks them
    label: str | None = None
    prediction: str | None = None
    segment_by: str | None = None
    window: str | None = None
    timestamp: str | None = None
    scores: list[str] | None = None
    estimate_performance: bool = False
    multivariate: bool = False


@dataclass
class DriftOutcome:
    report: DriftReport
    component: str | None = None
    run_id: int | None = None
    findings: list[Finding] = field(default_factory=list)
    synced: SyncResult | None = None
    retrain: list[TriggerOutcome] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.report.to_dict(), "component": self.component, "run_id": self.run_id,
                "findings": [f.to_dict() for f in self.findings], "retrain": [r.to_dict() for r in self.retrain]}


def build_options(request: DriftRequest, catalog: Catalog | None) -> Options:
    config = catalog.drift if catalog else {}
    try:
        policy = Policy.from_config(config, str(request.catalog or "mldebt.yaml"), methods=request.methods,
                                    thresholds=request.thresholds)
    except (TypeError, ValueError) as exc:
        raise UserInputError(f"drift policy: {exc}") from None
    types: dict[str, str] = {}
    bounds: dict[str, dict[str, float | None]] = {}
    if catalog and request.component:
        for column in _schema(catalog, request.component):
            types[column.name] = column.type
        component = _component(catalog, request.component)
        bounds = {name: {"min": m.min, "max": m.max} for name, m in getattr(component, "metrics", {}).items()}
    return Options(columns=request.columns, types=types, policy=policy, label=request.label,
                   prediction=request.prediction, metric_bounds=bounds, segment_by=request.segment_by,
                   window=request.window, timestamp=request.timestamp, scores=request.scores,
                   estimate_performance=request.estimate_performance, multivariate=request.multivariate)


def _component(catalog: Catalog, name: str) -> Any:
    component = catalog.by_name().get(name)
    if component is None:
        raise NotFoundError(f"no component {name!r} in the inventory")
    return component


def _schema(catalog: Catalog, name: str) -> list[Any]:
    component = _component(catalog, name)
    if component.kind == Kind.DATASET:
        return list(component.schema_)
    if component.kind == Kind.MODEL and component.training_data:
        return list(_component(catalog, component.training_data).schema_)
    return []


def run_drift(store: Store | None, request: DriftRequest, now: dt.datetime | None = None) -> DriftOutcome:
    """Compare; with a component, store the run and findings and fire retrain triggers."""
    catalog = require_catalog(request.catalog) if request.catalog else None
    if request.component and catalog is None:
        raise UserInputError("--component needs the inventory file (mldebt.yaml)")
    report = evaluate_drift(request, catalog)
    outcome = DriftOutcome(report, request.component)
    if store is None or catalog is None or request.component is None:
        return outcome
    now = now or dt.datetime.now(dt.UTC)
    component = _component(catalog, request.component)
    cwd = request.catalog.parent.resolve() if request.catalog else None
    with store.session() as session:
        recorded = record_drift(session, catalog, component, report, request.reference, request.current, now, cwd)
    outcome.run_id, outcome.findings, outcome.synced = recorded.run_id, recorded.findings, recorded.synced
    # Commit, act, record: an auto-mode retrain runs only now that the run above is committed, with no
    # transaction open while its command or webhook works.
    outcome.retrain = [run_started(store, fired) for fired in recorded.retrain]
    return outcome


def evaluate_drift(request: DriftRequest, catalog: Catalog | None) -> DriftReport:
    """The comparison alone (reads both tables, stores nothing): the slow part of a drift run."""
    options = build_options(request, catalog)
    return compare(read_table(request.reference), read_table(request.current), options)


class RecordedDrift(NamedTuple):
    run_id: int
    findings: list[Finding]
    synced: SyncResult
    retrain: list[TriggerOutcome]  # as `fire` left them: an auto-mode one is `running`, for `run_started`


def record_drift(session: Session, catalog: Catalog, component: Any, report: DriftReport, reference: Path,
                 current: Path, now: dt.datetime, cwd: Path | None) -> RecordedDrift:
    """Store a run of `component` with its findings and fire its retrain triggers, in the caller's
    transaction; an auto-mode retrain is only recorded as running (the caller runs it after the commit)."""
    findings = drift_findings(report, component)
    run = add_drift_run(session, component.name, str(reference), str(current), report.to_dict(), now)
    synced = sync_findings(session, DRIFT_SOURCE, f"drift:{component.name}", findings, now)
    fired = []
    # Multivariate drift requests a retrain like dataset drift: the model sees feature combinations
    # it was not trained on even when no single column moved. So does an estimated drop in
    # performance (CBPE) below the bound or the reference's threshold, before any label confirms it.
    multivariate = bool((report.multivariate or {}).get("drifted"))
    estimated = [b["metric"] for b in (report.estimated_performance or {}).get("breaches", [])]
    if report.dataset_drift or multivariate or estimated:
        payload = {"drift_run_id": run.id, "drift_share": report.drift_share,
                   "drifted_columns": report.drifted_columns, "reference": str(reference.resolve()),
                   "current": str(current.resolve()), "multivariate_drift": multivariate,
                   "estimated_drops": estimated}
        fired = [fire(session, model.name, model.retrain, run.id, payload, now, cwd)
                 for model in _models_of(catalog, component)]
    return RecordedDrift(run.id, findings, synced, fired)


def _models_of(catalog: Catalog, component: Any) -> list[Any]:
    """The models a drift of `component` concerns: itself, or the models trained on the dataset."""
    if isinstance(component, Model):
        return [component]
    return [c for c in catalog.components if isinstance(c, Model) and c.training_data == component.name]


def drift_findings(report: DriftReport, component: Any) -> list[Finding]:
    """Findings of a run: only for production components (drift of an experiment is not debt)."""
    if component.lifecycle != Lifecycle.PRODUCTION:
        return []
    exposed = component.customer_facing or component.revenue_critical
    found = []
    for column in report.columns:
        if not column.drifted:
            continue
        large = (column.effect or 0) >= LARGE_EFFECT
        severity = Severity.HIGH if large and exposed else (Severity.MEDIUM if large or exposed else Severity.LOW)
        found.append(Finding.create(
            "DRIFT001", severity, component.name,
            f"{column.name} drifted ({column.method}, p={_fmt(column.adjusted_pvalue or column.pvalue)}, "
            f"effect {column.effect_measure}={_fmt(column.effect)})",
            identity=(column.name,), source=DRIFT_SOURCE,
            evidence={"column": column.name, "method": column.method, "statistic": column.statistic,
                      "pvalue": column.pvalue, "effect": column.effect, "effect_measure": column.effect_measure}))
    if report.dataset_drift:
        found.append(Finding.create(
            "DRIFT002", Severity.HIGH if exposed else Severity.MEDIUM, component.name,
            f"dataset drift: {report.drift_share:.0%} of columns drifted ({', '.join(report.drifted_columns)})",
            source=DRIFT_SOURCE, evidence={"drift_share": report.drift_share, "columns": report.drifted_columns}))
    found += multivariate_findings(report.multivariate, component)
    found += performance_findings((report.performance or {}).get("breaches", []), component)
    found += estimated_performance_findings((report.estimated_performance or {}).get("breaches", []), component)
    for issue in report.quality:
        found.append(Finding.create(issue.rule_id, issue.severity, component.name, issue.message,
                                    identity=(issue.column or "",), source=DRIFT_SOURCE,
                                    evidence={"column": issue.column, **issue.evidence}))
    return found


def multivariate_findings(multivariate: dict[str, Any] | None, component: Any) -> list[Finding]:
    """DRIFT003 when current chunks' PCA reconstruction error passes the reference's threshold
    (`drift.reconstruction`): the columns' relations changed, whether or not any column drifted."""
    if not multivariate or not multivariate.get("drifted") or component.lifecycle != Lifecycle.PRODUCTION:
        return []
    exposed = component.customer_facing or component.revenue_critical
    alerts, chunks, worst = multivariate["alerts"], multivariate["n_current_chunks"], multivariate["max_error"]
    top = [c["column"] for c in multivariate["contributions"][:3]]
    return [Finding.create(
        "DRIFT003", Severity.HIGH if exposed else Severity.MEDIUM, component.name,
        f"multivariate drift: {alerts} of {chunks} chunks above the reconstruction-error threshold "
        f"(max {worst:.3g} > {multivariate['upper_threshold']:.3g}; most changed: {', '.join(top)})",
        source=DRIFT_SOURCE,
        evidence={"alerts": alerts, "chunks": chunks, "max_error": worst,
                  "upper_threshold": multivariate["upper_threshold"], "n_components": multivariate["n_components"],
                  "variance_kept": multivariate["variance_kept"], "columns": top,
                  "alerting_chunks": [c["index"] for c in multivariate["current_chunks"] if c["alert"]][:50]})]


def performance_findings(breaches: list[dict[str, Any]], component: Any) -> list[Finding]:
    """PERF001 per metric outside its bound (`drift.performance.check_thresholds`), for production
    components only: the drift engine's and the model-quality monitor's one way to say it."""
    if component.lifecycle != Lifecycle.PRODUCTION:
        return []
    exposed = component.customer_facing or component.revenue_critical
    found = []
    for breach in breaches:
        bound = f"min {breach['min']}" if "min" in breach else f"max {breach['max']}"
        found.append(Finding.create(
            "PERF001", Severity.HIGH if exposed else Severity.MEDIUM, component.name,
            f"{breach['metric']} is {breach['value']:.3g} in the current data, outside its inventory bound ({bound})",
            identity=(breach["metric"],), source=DRIFT_SOURCE, evidence=breach))
    return found


def estimated_performance_findings(breaches: list[dict[str, Any]], component: Any) -> list[Finding]:
    """PERF002 per metric whose estimate (`drift.cbpe`, no labels needed) falls below the inventory bound
    (`kind: bound`, the severity of PERF001) or, with no bound crossed, below the reference period's
    threshold (`kind: threshold`, one step lower): a drop seen before the labels arrive."""
    if component.lifecycle != Lifecycle.PRODUCTION:
        return []
    exposed = component.customer_facing or component.revenue_critical
    found = []
    for breach in breaches:
        if breach["kind"] == "bound":
            severity = Severity.HIGH if exposed else Severity.MEDIUM
            limit = f"its inventory bound (min {breach['min']})"
        else:
            severity = Severity.MEDIUM if exposed else Severity.LOW
            limit = f"the reference period's threshold ({breach['threshold']:.3g})"
        found.append(Finding.create(
            "PERF002", severity, component.name,
            f"estimated {breach['metric']} is {breach['value']:.3g} in chunk {breach['chunk']} of the current data, "
            f"below {limit}", identity=(breach["metric"],), source=DRIFT_SOURCE, evidence=breach))
    return found


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"
