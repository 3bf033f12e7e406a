"""The storefront's two quarters of incidents, tickets, poll answers and store events, for `mldebt demo`.

The events are NDJSON files under `examples/storefront/events/` (written by
`scripts/make-storefront-events` from the documented webhook fields) and go through the same
parsers and raw-event path as webhooks, so loading them twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from mldebt.domain.finding import Finding
from mldebt.ingest.registry import SOURCE_NAMES
from mldebt.metrics.mttr import MttrResult
from mldebt.service.backfill import BackfillResult, backfill
from mldebt.service.catalog import require_catalog
from mldebt.service.incidents import mttr_report, sync_recurring, unlinked
from mldebt.service.linker import Linker
from mldebt.service.satisfaction import sync_satisfaction
from mldebt.store.database import Store


@dataclass
class DemoEvents:
    loaded: list[BackfillResult]
    mttr: list[MttrResult]
    recurring: list[Finding]
    unlinked: int
    satisfaction: list[Finding] = field(default_factory=list)


def end_of_day(as_of: dt.date) -> dt.datetime:
    """The demo's "now": the last second of the as-of day (UTC), so the whole day's evidence counts; but
    never later than the present moment, so that what the demo stores today (drift runs, debt items) is
    not dated in the future, where "now" KPIs and reports would not see it."""
    return min(dt.datetime.combine(as_of, dt.time(23, 59, 59), dt.UTC), dt.datetime.now(dt.UTC))


def load_demo_events(store: Store, scenario: Path, as_of: dt.date) -> DemoEvents:
    linker = Linker.from_catalog(require_catalog(scenario / "mldebt.yaml"))
    loaded = [backfill(store, linker, source, scenario / "events" / f"{source}.ndjson")
              for source in SOURCE_NAMES if (scenario / "events" / f"{source}.ndjson").is_file()]
    now = end_of_day(as_of)
    findings, _ = sync_recurring(store, now)
    satisfaction, _ = sync_satisfaction(store, now)
    return DemoEvents(loaded, mttr_report(store), findings, len(unlinked(store, linker)), satisfaction)
