"""The built-in storefront scenario that `mldebt demo` loads.

Later issues extend `load_demo` (drift runs, scans, incidents); it stays one entry point so that
`make demo` shows the whole loop on one store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from mldebt.demo.drift_data import run_demo_drift
from mldebt.demo.events import DemoEvents, end_of_day, load_demo_events
from mldebt.demo.orders import fill_demo_order_totals
from mldebt.demo.pipeline_reports import record_demo_reports
from mldebt.demo.scan import scan_demo
from mldebt.errors import NotFoundError
from mldebt.service.backlog import RebuildResult, load_rates, rebuild_backlog
from mldebt.service.catalog import CatalogImport, import_catalog
from mldebt.service.catalog_status import ComponentStatus, list_catalog
from mldebt.service.drift import DriftOutcome
from mldebt.service.scan import ScanReport
from mldebt.service.test_reports import RecordedReport
from mldebt.store.database import Store


def scenario_dir() -> Path:
    """`examples/storefront`: packaged inside the wheel, or beside `src/` in a checkout."""
    packaged = Path(str(files("mldebt"))) / "examples" / "storefront"
    checkout = Path(__file__).resolve().parents[3] / "examples" / "storefront"
    for candidate in (packaged, checkout):
        if (candidate / "mldebt.yaml").is_file():
            return candidate
    raise NotFoundError("the storefront scenario is missing from this installation (examples/storefront)")


@dataclass
class DemoResult:
    scenario: Path
    catalog: CatalogImport
    components: list[ComponentStatus]
    events: DemoEvents | None = None
    scan: ScanReport | None = None
    drift: DriftOutcome | None = None
    order_totals: int = 0  # tickets and order events that got their order's total in this run
    reports: list[RecordedReport] = field(default_factory=list)
    backlog: RebuildResult | None = None


def load_demo(store: Store, as_of: dt.date) -> DemoResult:
    """Load the storefront scenario into `store`; safe to run again (imports are idempotent).

    The evidence first (inventory, drift, scan, events and the findings they raise, order totals,
    CI reports), then the backlog, which is built from all of it."""
    scenario = scenario_dir()
    imported = import_catalog(store, scenario / "mldebt.yaml", as_of)
    drift = run_demo_drift(store, scenario, end_of_day(as_of))
    scanned = scan_demo(store, scenario, as_of)
    events = load_demo_events(store, scenario, as_of)
    result = DemoResult(scenario, imported, list_catalog(store, as_of), events=events, scan=scanned, drift=drift,
                        order_totals=fill_demo_order_totals(store, scenario),
                        reports=record_demo_reports(store, scenario, as_of))
    result.backlog = rebuild_backlog(store, end_of_day(as_of), load_rates(scenario / "mldebt.yaml"))
    return result
