"""The demo's drift part: a week of storefront clickstream that really shifted, checked for the
recommender.

The data is generated at demo time with a seeded rng (so every run is identical) into
`.mldebt/demo-data/`: the reference is the training window; in the current window prices rose
about 8% and mobile-app traffic grew from 30% to 45% of sessions, while the product mix and the
event funnel stayed the same. The run is stored for `recs-model`, whose approve-mode retrain
trigger records a pending request.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mldebt.service.drift import DriftOutcome, DriftRequest, run_drift
from mldebt.store.database import Store

DEMO_DATA = Path(".mldebt/demo-data")
ROWS = 20_000
EVENTS = ["view", "add_to_cart", "checkout", "purchase"]
CHANNELS = ["web", "mobile_app", "email", "social"]


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
    pq.write_table(clickstream(rng, dt.datetime(2026, 5, 25), 1.0, 0.30), reference)
    pq.write_table(clickstream(rng, dt.datetime(2026, 11, 18), 1.08, 0.45), current)
    return reference, current


def run_demo_drift(store: Store, scenario: Path, now: dt.datetime | None = None) -> DriftOutcome:
    """Generate the data and run the recommender's drift check into `store`, stamped `now` (the demo's
    as-of day, so the run falls in that day's quarter for the drift KPI)."""
    reference, current = write_demo_data()
    return run_drift(store, DriftRequest(reference, current, component="recs-model",
                                         catalog=scenario / "mldebt.yaml"), now)
