"""Alerts: what a monitor says when it breaches, and when it holds again (pure types, no I/O).

An alert's `key` is its identity ("component/monitor"): the same key firing again is the same alert
(deduplicated, cooled down), and its `labels` never change between firing and resolving, because
Alertmanager identifies an alert by its whole label set (a label that differs on resolve would be a
new alert). The `mldebt_alert` label carries the key, so an alert that comes back to
`/hooks/alertmanager` is recognised as mldebt's own and joins the incident the monitor opened
instead of opening a second one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ALERT_KEY_LABEL = "mldebt_alert"
"""The label that carries an alert's key; `ingest.alertmanager` reads it back."""
MONITOR_INCIDENT_SOURCE = "monitor"
"""The `source` of incidents that monitors open (and that mldebt's own alerts join when they return)."""
ALERTNAMES = {"drift": "MldebtDriftDetected", "model-quality": "MldebtModelQualityBreach", "slo": "MldebtSloBreach"}
DIGEST_ALERTNAME = "MldebtAlertDigest"


class MonitorStatus(StrEnum):
    """The result of one monitor run."""

    OK = "ok"            # checked, holds
    BREACH = "breach"    # checked, breached: its alert fires
    ERROR = "error"      # could not check (file missing, Prometheus unreachable): reported, no incident
    RUNNING = "running"  # claimed and not finished (or its process died: `abandoned` after a timeout)
    ABANDONED = "abandoned"


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


def alert_key(component: str, monitor: str) -> str:
    return f"{component}/{monitor}"


def incident_fingerprint(key: str) -> str:
    """The fingerprint of the incident a monitor's alert key opens (source `monitor`)."""
    return f"monitor:{key}"


@dataclass(frozen=True)
class Alert:
    """One alert in one state. `labels` identify it (fixed per monitor); `annotations` carry the
    latest values and may change from one sending to the next."""

    key: str
    component: str
    monitor: str
    kind: str  # a monitor kind (domain.monitoring.MONITOR_KINDS)
    severity: str  # critical | warning | info, fixed per monitor
    status: AlertStatus
    summary: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None  # set when resolved
    generator_url: str | None = None  # the evidence page (a drift run, the monitor's page)
    value: float | None = None
    threshold: float | None = None
    category: str | None = None  # the incident category the alert implies (SLO: latency, ...)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> dict[str, str]:
        return alert_labels(self.key, self.component, self.monitor, self.kind, self.severity, self.category)

    @property
    def annotations(self) -> dict[str, str]:
        notes = {"summary": self.summary, "description": self.description}
        if self.value is not None:
            notes["value"] = f"{self.value:.6g}"
        if self.threshold is not None:
            notes["threshold"] = f"{self.threshold:.6g}"
        return notes


def alert_labels(key: str, component: str, monitor: str, kind: str, severity: str,
                 category: str | None = None) -> dict[str, str]:
    """The identifying label set: the same for every sending of one alert, firing or resolved."""
    labels = {"alertname": ALERTNAMES.get(kind, "MldebtMonitor"), ALERT_KEY_LABEL: key, "component": component,
              "monitor": monitor, "kind": kind, "severity": severity, "source": "mldebt"}
    if category:
        labels["category"] = category
    return labels
