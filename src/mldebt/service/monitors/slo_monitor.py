"""The `slo` monitor kind: a PromQL query against `monitoring.prometheus`, judged by `domain.slo`.

`evaluate` queries Prometheus with no transaction open: in threshold mode a `query_range` over the
last `window` (breached when every point is beyond the threshold), in burn-rate mode one instant
query per window of the fast and slow pairs (`$window` in the query becomes 1h, 5m, ...). Anything
that keeps it from judging (no Prometheus configured, unreachable, a bad query, no data) is a
monitor error with a one-line summary, never an incident. `record` opens the monitor's incident
on a breach (or keeps it open) and resolves it when the SLO holds again, only if one is open, so a
healthy SLO never writes anything; an error touches nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mldebt.domain.alerts import (
    ALERT_KEY_LABEL,
    ALERTNAMES,
    MONITOR_INCIDENT_SOURCE,
    MonitorStatus,
    incident_fingerprint,
)
from mldebt.domain.incident import Category, IncidentSignal, SignalAction
from mldebt.domain.monitoring import SloMonitor, format_duration
from mldebt.domain.slo import (
    WINDOW_VARIABLE,
    PairReading,
    SloResult,
    burn_rate_verdict,
    default_step,
    slo_verdict,
    with_window,
)
from mldebt.integrations.prometheus import PrometheusClient, PrometheusError
from mldebt.service.apply import apply_signals
from mldebt.service.monitors.base import Evaluation, MonitorJob
from mldebt.store.ingest_tables import IncidentRow

DEFAULT_CATEGORIES: dict[str, Category | None] = {
    "latency_p95": Category.LATENCY,        # recommender lag
    "error_rate": Category.MODEL_ERROR,     # failing inference requests
    "freshness": Category.DATA_QUALITY,     # a stale feature pipeline ("freshness" is a data-quality sign)
    "custom": None,                         # the linker's category rules decide from the summary
}
STATUSES = {SloResult.OK: MonitorStatus.OK, SloResult.BREACH: MonitorStatus.BREACH}


class SloMonitorKind:
    name = "slo"

    def evaluate(self, job: MonitorJob) -> Evaluation:
        monitor: SloMonitor = job.monitor
        source = job.catalog.monitoring.prometheus
        if source is None:
            return Evaluation(MonitorStatus.ERROR, "no monitoring.prometheus in mldebt.yaml")
        try:
            category = slo_category(monitor)
        except ValueError as exc:
            return Evaluation(MonitorStatus.ERROR, str(exc))
        bearer = None
        if source.bearer_env:
            bearer = os.environ.get(source.bearer_env)
            if not bearer:
                return Evaluation(MonitorStatus.ERROR, f"monitoring.prometheus.bearer_env names {source.bearer_env}, "
                                                       "which is not set")
        if monitor.burn_rate is not None and WINDOW_VARIABLE not in monitor.query:
            return Evaluation(MonitorStatus.ERROR, f"a burn_rate query must contain {WINDOW_VARIABLE} (the window of "
                                                   "each error ratio)", category=category)
        try:
            with PrometheusClient(source.url, source.timeout.total_seconds(), bearer) as client:
                if monitor.burn_rate is not None:
                    evaluation = _burn_rate(client, monitor, job.now)
                else:
                    evaluation = _threshold(client, monitor, job.now)
        except PrometheusError as exc:
            return Evaluation(MonitorStatus.ERROR, exc.summary(), detail={"reason": exc.reason, "error": exc.message},
                              category=category)
        evaluation.category = category
        return evaluation

    def record(self, session: Session, job: MonitorJob, evaluation: Evaluation) -> Evaluation:
        if evaluation.status not in (MonitorStatus.BREACH, MonitorStatus.OK):
            return evaluation
        fingerprint = incident_fingerprint(job.key)
        if evaluation.status == MonitorStatus.OK and not _open_incident(session, fingerprint):
            return evaluation
        action = SignalAction.OPEN if evaluation.status == MonitorStatus.BREACH else SignalAction.RESOLVE
        attributes = {ALERT_KEY_LABEL: job.key, "monitor": job.monitor.name, "kind": self.name}
        if evaluation.category:
            attributes["category"] = evaluation.category
        signal = IncidentSignal(
            source=MONITOR_INCIDENT_SOURCE, key=fingerprint, action=action, at=job.now,
            title=f"SLO {job.monitor.name} of {job.component.name}: {evaluation.summary}"[:2000],
            culprit=ALERTNAMES[self.name], level=job.monitor.severity, url=evaluation.evidence_url,
            text=evaluation.summary, attributes=attributes, component=job.component.name)
        [result] = apply_signals(session.connection(), [signal], job.linker)
        evaluation.detail["incident"] = result
        return evaluation


def slo_category(monitor: SloMonitor) -> str | None:
    """`monitor.category` when given (it must name a category), else the objective's default."""
    if monitor.category is None:
        default = DEFAULT_CATEGORIES.get(monitor.objective)
        return default.value if default else None
    try:
        return Category(monitor.category.strip().lower()).value
    except ValueError:
        raise ValueError(f"category {monitor.category!r} is not one of "
                         f"{', '.join(c.value for c in Category)}") from None


def _threshold(client: PrometheusClient, monitor: SloMonitor, now: dt.datetime) -> Evaluation:
    assert monitor.threshold is not None, "the schema requires a threshold without a burn_rate"
    step = monitor.step or default_step(monitor.window)
    series = client.query_range(with_window(monitor.query, monitor.window), now - monitor.window, now,
                                step.total_seconds())
    window = format_duration(monitor.window)
    if len(series) > 1:
        return Evaluation(MonitorStatus.ERROR, f"the query gives {len(series)} series; an SLO needs one "
                                               "(aggregate it, e.g. max(...) or sum(...))",
                          threshold=monitor.threshold, detail={"reason": "too_many_series"})
    verdict = slo_verdict(series[0].values if series else [], monitor.threshold, monitor.comparison)
    detail: dict[str, Any] = {"mode": "threshold", "window": window, "step": format_duration(step),
                              "points": verdict.points, "beyond": verdict.beyond, "value": _json_number(verdict.value)}
    if verdict.result == SloResult.NO_DATA:
        return Evaluation(MonitorStatus.ERROR, f"no data: the query gave no value in the last {window}",
                          threshold=monitor.threshold, detail={**detail, "reason": "no_data"})
    sign = ">" if monitor.comparison == "above" else "<"
    value = f"{monitor.objective} {_number(verdict.value)}"
    if verdict.result == SloResult.BREACH:
        summary = f"{value} {sign} {monitor.threshold:g} at all {verdict.points} points of the last {window}"
    else:
        summary = (f"{value} holds ({sign} {monitor.threshold:g} at {verdict.beyond} of {verdict.points} points "
                   f"of the last {window})")
    return Evaluation(STATUSES[verdict.result], summary, value=_finite(verdict.value), threshold=monitor.threshold,
                      detail=detail)


def _burn_rate(client: PrometheusClient, monitor: SloMonitor, now: dt.datetime) -> Evaluation:
    burn = monitor.burn_rate
    assert burn is not None
    pairs = [("fast", burn.fast)] + ([("slow", burn.slow)] if burn.slow is not None else [])
    ratios: dict[dt.timedelta, float | None] = {}
    for _, pair in pairs:
        for window in (pair.long, pair.short):
            if window not in ratios:
                ratios[window] = _single(client.query(with_window(monitor.query, window), now), window)
    readings = [PairReading(name, pair.factor, ratios[pair.long], ratios[pair.short]) for name, pair in pairs]
    verdict = burn_rate_verdict(burn.objective, readings)
    detail: dict[str, Any] = {"mode": "burn_rate", "objective": burn.objective, "pairs": [
        {"name": p.name, "limit": p.limit, "long": _json_number(p.long), "short": _json_number(p.short),
         "burning": p.burning} for p in verdict.pairs]}
    if verdict.result == SloResult.NO_DATA or verdict.deciding is None:
        return Evaluation(MonitorStatus.ERROR, "no data: the error ratio has no value in any window",
                          detail={**detail, "reason": "no_data"})
    deciding = verdict.deciding
    pair = dict(pairs)[deciding.name]
    windows = f"{format_duration(pair.long)} and {format_duration(pair.short)}"
    if verdict.result == SloResult.BREACH:
        summary = (f"error budget burning ({deciding.name}): error ratio {_number(deciding.long)} and "
                   f"{_number(deciding.short)} > {deciding.limit:.4g} over {windows}")
    else:
        summary = f"error budget holds: error ratio {_number(deciding.value)} <= {deciding.limit:.4g} over {windows}"
    return Evaluation(STATUSES[verdict.result], summary, value=_finite(verdict.value), threshold=verdict.threshold,
                      detail=detail)


def _single(samples: list[Any], window: dt.timedelta) -> float | None:
    """The one value of an error-ratio query (no sample: no data for that window)."""
    if len(samples) > 1:
        raise PrometheusError("too_many_series", f"the error ratio over {format_duration(window)} gives "
                                                 f"{len(samples)} series; an SLO needs one (aggregate it with sum)")
    return samples[0].value if samples else None


def _open_incident(session: Session, fingerprint: str) -> bool:
    return session.execute(select(IncidentRow.id).where(
        IncidentRow.source == MONITOR_INCIDENT_SOURCE, IncidentRow.fingerprint == fingerprint,
        IncidentRow.resolved_at.is_(None))).first() is not None


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "no data"
    return "+Inf" if value == math.inf else "-Inf" if value == -math.inf else f"{value:.4g}"


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _json_number(value: float | None) -> float | str | None:
    """JSON has no NaN or Inf: those are stored as Prometheus spells them."""
    if value is None or math.isfinite(value):
        return value
    return _number(value)


KIND = SloMonitorKind()
