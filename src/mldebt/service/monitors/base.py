"""What every monitor kind implements: evaluate (slow, no transaction), then record (database only).

A run is: the scheduler claims a due slot (`store.monitors`), the kind's `evaluate` does the slow
part with no transaction open (reads tables, runs the drift engine, queries Prometheus), its
`record` writes what the run found in one unit of work (drift run and findings, an SLO incident
opened or resolved) and may name work to do after the commit (`after`, e.g. an auto-mode retrain),
then `service.alerting` turns the evaluation into an alert firing or resolving and notifies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from mldebt.domain.alerts import MonitorStatus
from mldebt.domain.component import Catalog
from mldebt.service.linker import Linker
from mldebt.service.units import Units


@dataclass(frozen=True)
class MonitorJob:
    """One run of one monitor, as claimed."""

    key: str  # component/monitor
    component: Any  # the inventory component (domain.component.Model | Dataset | ...)
    monitor: Any  # its spec (domain.monitoring.DriftMonitor | ModelQualityMonitor | SloMonitor)
    catalog: Catalog
    catalog_dir: Path  # relative data paths resolve against it
    run_id: int
    due_at: dt.datetime
    now: dt.datetime
    linker: Linker = field(default_factory=Linker)


@dataclass
class Evaluation:
    status: MonitorStatus  # ok | breach | error
    summary: str  # one line: "3 of 12 columns drifted", "latency_p95 0.41 s > 0.3 s for 5m"
    value: float | None = None
    threshold: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)  # JSON-able: stored on the run
    evidence_url: str | None = None  # a dashboard path (/drift/12); `record` may set it
    category: str | None = None  # the incident category a breach implies (SLO)
    after: list[Callable[[Units], Any]] = field(default_factory=list)  # work after `record`'s commit
    state: Any = None  # what `evaluate` hands `record` that is not stored as such (a drift report)


@dataclass(frozen=True)
class RunOutcome:
    """One finished run, as the scheduler hands it to `service.alerting` (and the CLI prints it)."""

    job: MonitorJob
    evaluation: Evaluation
    trigger: str  # schedule | manual | catch-up


OnOutcomes = Callable[[Units, list[RunOutcome], dt.datetime], Any]
"""What runs after a batch of monitor runs finished (alerting): no transaction open when called."""


class MonitorKind(Protocol):
    name: str  # one of domain.monitoring.MONITOR_KINDS

    def evaluate(self, job: MonitorJob) -> Evaluation:
        """The slow part; never raises for bad input or an unreachable source: status error instead."""
        ...

    def record(self, session: Session, job: MonitorJob, evaluation: Evaluation) -> Evaluation:
        """Write what the run found (in the caller's transaction); returns the evaluation, completed."""
        ...
