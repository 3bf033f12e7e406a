"""The demo's drift part: a week of storefront clickstream that really shifted, checked for the
recommender.

The data is generated at demo time with a seeded rng (so every run is identical) into
`.mldebt/demo-data/`: the reference is the training window; in the current window prices rose
about 8% and mobile-app traffic grew from 30% to 45% of sessions, while the product mix and the
event funnel stayed the same. The run is stored for `recs-model`, whose approve-mode retrain
trigger records a pending request.

Before it, the weeks that led there are recorded too (`SHIFT`), so the dashboard's drift over
windows has a real series: the same generator, one seeded window per week, with prices rising
first and mobile-app traffic following, checked against the same reference with the same policy.
They are stored as drift runs only (no findings, no retrain trigger: those belong to today's
run), once: loading the demo again does not add them twice.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mldebt.drift.compare import compare
from mldebt.service.catalog import require_catalog
from mldebt.service.drift import DriftOutcome, DriftRequest, build_options, run_drift
from mldebt.store.database import Store
from mldebt.store.drift import add_drift_run
from mldebt.store.drift_queries import has_run_of

DEMO_DATA = Path(".mldebt/demo-data")
ROWS = 20_000
EVENTS = ["view", "add_to_cart", "checkout", "purchase"]
CHANNELS = ["web", "mobile_app", "email", "social"]
COMPONENT = "recs-model"
REFERENCE_START, CURRENT_START = dt.datetime(2026, 5, 25), dt.datetime(2026, 11, 18)
SHIFT: tuple[tuple[float, float], ...] = ((1.0, 0.30), (1.0, 0.30), (1.03, 0.30), (1.05, 0.33), (1.07, 0.39))
"""(price factor, mobile-app share) of the five weekly windows before the current one (1.08, 0.45)."""


def clickstream(rng: np.random.Generator, start: dt.datetime, price_factor: float, app_share: float) -> pa.Table:
    """One window of storefront events with the clickstream dataset's schema."""
    popularity = 1.0 / np.arange(1, 301) ** 1.1
    others = (1.0 - app_share) * np.array([0.6, 0.25, 0.15])
    seconds = np.sort(rng.integers(0, 7 * 86400, ROWS))
    return pa.table({
        "session_id": [f"s{v:08d}" for v in rng.integers(0, 10**8, ROWS)],
        "product_id": [f"p{v:04d}" for v in rng.choice(300, ROWS, p=popularity / popularity.sum())],
        "event": rng.choice(EVENTS, ROWS, p=[0.7, 0.18, 0.07, 0.05]),
        "price": np.round(rng.lognormal(3.4, 0.6, ROWS) * price_factor, 2),
        "channel": rng.choice(CHANNELS, ROWS, p=[others[0], app_share, others[1], others[2]]),
        "ts": pa.array([start + dt.timedelta(seconds=int(s)) for s in seconds], pa.timestamp("s")),
    })


def write_demo_data(folder: Path = DEMO_DATA) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    reference, current = folder / "clickstream-reference.parquet", folder / "clickstream-current.parquet"
    pq.write_table(clickstream(rng, REFERENCE_START, 1.0, 0.30), reference)
    pq.write_table(clickstream(rng, CURRENT_START, 1.08, 0.45), current)
    return reference, current


def record_drift_history(store: Store, scenario: Path, reference: Path, now: dt.datetime,
                         folder: Path = DEMO_DATA) -> list[int]:
    """The weekly windows of `SHIFT`, each stored as a drift run of recs-model a week apart before `now`
    (skipped when already stored); returns the ids of the runs added."""
    missing = []
    with store.session() as session:
        for week, shift in enumerate(SHIFT, 1):
            current = folder / f"clickstream-week-{week}.parquet"
            if not has_run_of(session, COMPONENT, str(current)):
                missing.append((week, current, shift))
    if not missing:
        return []
    catalog_file = scenario / "mldebt.yaml"
    options = build_options(DriftRequest(reference, reference, component=COMPONENT, catalog=catalog_file),
                            require_catalog(catalog_file))
    reference_table = pq.read_table(reference)
    added = []
    for week, current, (price_factor, app_share) in missing:
        weeks_before = len(SHIFT) + 1 - week
        window = clickstream(np.random.default_rng(week), CURRENT_START - dt.timedelta(weeks=weeks_before),
                             price_factor, app_share)
        pq.write_table(window, current)
        report = compare(reference_table, window, options)
        with store.session() as session:
            run = add_drift_run(session, COMPONENT, str(reference), str(current), report.to_dict(),
                                now - dt.timedelta(weeks=weeks_before))
            added.append(run.id)
    return added


def run_demo_drift(store: Store, scenario: Path, now: dt.datetime | None = None) -> DriftOutcome:
    """Generate the data, record the weeks before, and run the recommender's drift check into `store`,
    stamped `now` (the demo's as-of day, so the run falls in that day's quarter for the drift KPI)."""
    now = now or dt.datetime.now(dt.UTC)
    reference, current = write_demo_data()
    record_drift_history(store, scenario, reference, now)
    return run_drift(store, DriftRequest(reference, current, component=COMPONENT,
                                         catalog=scenario / "mldebt.yaml"), now)
