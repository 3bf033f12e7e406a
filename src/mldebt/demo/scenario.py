"""The built-in storefront scenario that `mldebt demo` loads.

Later issues extend `load_demo` (drift runs, scans, incidents); it stays one entry point so that
`make demo` shows the whole loop on one store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from mldebt.demo.drift_data import run_demo_drift
from mldebt.demo.events import DemoEvents, load_demo_events
from mldebt.demo.scan import scan_demo
from mldebt.errors import NotFoundError
from mldebt.service.catalog import CatalogImport, import_catalog
from mldebt.service.catalog_status import ComponentStatus, list_catalog
from mldebt.service.drift import DriftOutcome
from mldebt.service.scan import ScanReport
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


def load_demo(store: Store, as_of: dt.date) -> DemoResult:
    """Load the storefront scenario into `store`; safe to run again (imports are idempotent)."""
    scenario = scenario_dir()
    imported = import_catalog(store, scenario / "mldebt.yaml", as_of)
    drift = run_demo_drift(store, scenario)
    scanned = scan_demo(store, scenario, as_of)
    events = load_demo_events(store, scenario, as_of)
    return DemoResult(scenario, imported, list_catalog(store, as_of), events=events, scan=scanned, drift=drift)
