"""The scanner's part of the demo: scan the storefront's example ML repository into the same store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mldebt.service.scan import ScanReport, run_scan
from mldebt.store.database import Store


def scan_demo(store: Store, scenario: Path, as_of: dt.date) -> ScanReport:
    """Scan `examples/storefront/repo` with the storefront inventory.

    Hotspots are off: the example's git history is mldebt's own, which says nothing about the
    storefront, and would make the demo's output change with every commit to the examples.
    """
    return run_scan(store, [scenario / "repo"], scenario / "mldebt.yaml", as_of=as_of, hotspots=False)
