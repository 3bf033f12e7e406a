"""Monitoring use cases the CLI runs: run monitors now (all, or only the due ones) and alert on the
outcome, list the schedules, acknowledge an alert.

`mldebt serve` runs the same `service.scheduler.run_monitors` from its scheduler thread with the
server's writer as the units of work; here every unit is its own transaction on the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldebt.domain.component import Catalog
from mldebt.service.catalog import require_catalog
from mldebt.service.linker import Linker
from mldebt.service.monitors.base import OnOutcomes, RunOutcome
from mldebt.service.units import Units, direct_units
from mldebt.store.database import Store


@dataclass
class MonitorRunReport:
    outcomes: list[RunOutcome]
    alerting: Any = None  # service.alerting.AlertingReport, when any channel is configured
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tripped(self) -> bool:
        """A breach or an error: `mldebt monitor run` exits 1 (a gate tripped)."""
        return any(o.evaluation.status in ("breach", "error") for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {"runs": [outcome_dict(o) for o in self.outcomes], "deliveries": self.deliveries}


def alert_after_runs(catalog: Callable[[], Catalog]) -> OnOutcomes:
    """What `mldebt serve`'s scheduler does after each round: alert on what ran, then re-send the
    active alerts that are due to Alertmanager (even after an empty round, so they never time out)."""

    def after(units: Units, outcomes: list[RunOutcome], now: dt.datetime) -> None:
        from mldebt.service.alerting import handle_outcomes, resend_active

        settings = catalog().monitoring
        if outcomes:
            handle_outcomes(units, outcomes, now, settings=settings)
        resend_active(units, settings, now)

    return after


def outcome_dict(outcome: RunOutcome) -> dict[str, Any]:
    evaluation = outcome.evaluation
    return {"key": outcome.job.key, "component": outcome.job.component.name, "monitor": outcome.job.monitor.name,
            "kind": outcome.job.monitor.kind, "trigger": outcome.trigger, "status": str(evaluation.status),
            "summary": evaluation.summary, "value": evaluation.value, "threshold": evaluation.threshold,
            "evidence_url": evaluation.evidence_url, "run_id": outcome.job.run_id}


def run_now(store: Store, catalog_path: Path, *, component: str | None, due_only: bool,
            now: dt.datetime | None = None, units: Units | None = None) -> MonitorRunReport:
    """Run the inventory's monitors (the due ones with `due_only`), then alert on what they found."""
    from mldebt.service.alerting import handle_outcomes
    from mldebt.service.scheduler import default_holder, run_monitors

    catalog = require_catalog(catalog_path)
    units = units or direct_units(store)
    now = now or dt.datetime.now(dt.UTC)
    captured: list[Any] = []

    def alert(units: Units, outcomes: list[RunOutcome], at: dt.datetime) -> None:
        captured.append(handle_outcomes(units, outcomes, at, settings=catalog.monitoring))

    outcomes = run_monitors(units, catalog, catalog_path.resolve().parent, now=now, due_only=due_only,
                            component=component, holder=f"cli:{default_holder()}", on_outcomes=alert,
                            linker=Linker.from_catalog(catalog))
    report = MonitorRunReport(outcomes, captured[0] if captured else None)
    if report.alerting is not None:
        report.deliveries = [_jsonable(d) for d in report.alerting.deliveries]
    return report


def _jsonable(delivery: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    return asdict(delivery) if is_dataclass(delivery) and not isinstance(delivery, type) else dict(delivery)


def list_monitors(store: Store, catalog_path: Path | None, component: str | None,
                  now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Schedules, last result and next run; the inventory's monitors are synced first, so a monitor
    that never ran is listed as due now."""
    from mldebt.service.monitor_view import monitor_list
    from mldebt.store.monitors import sync_schedules

    if catalog_path is not None and catalog_path.exists():
        catalog = require_catalog(catalog_path)
        with store.session() as session:
            sync_schedules(session, catalog, now or dt.datetime.now(dt.UTC))
    return monitor_list(store, component)
