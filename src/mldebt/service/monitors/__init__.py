"""Monitor kinds: one module per kind, registered in `KINDS` (keys: `domain.monitoring.MONITOR_KINDS`)."""

from __future__ import annotations

from mldebt.service.monitors import drift_monitor, quality_monitor, slo_monitor
from mldebt.service.monitors.base import Evaluation, MonitorJob, MonitorKind, OnOutcomes, RunOutcome

KINDS: dict[str, MonitorKind] = {
    drift_monitor.KIND.name: drift_monitor.KIND,
    quality_monitor.KIND.name: quality_monitor.KIND,
    slo_monitor.KIND.name: slo_monitor.KIND,
}

__all__ = ["KINDS", "Evaluation", "MonitorJob", "MonitorKind", "OnOutcomes", "RunOutcome"]
