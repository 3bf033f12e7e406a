"""Estimated performance per time window: the window whose rows crowd the decision boundary (where
the model is least sure) is the one whose estimates drop and alert, read against the whole
reference with the run's chunk size."""

import datetime as dt

import numpy as np
import pyarrow as pa

from mldebt.drift.compare import Options, compare


def _table(rng, rows, spreads, start):
    x = np.concatenate([rng.normal(0, s, rows) for s in spreads])
    p = 1 / (1 + np.exp(-2 * x))
    times = [start + dt.timedelta(days=i // rows, minutes=i % rows) for i in range(len(x))]
    return pa.table({"ts": pa.array(times, pa.timestamp("us", tz="UTC")), "x": x, "p": p,
                     "pred": (p > 0.5).astype(int), "y": (rng.random(len(x)) < p).astype(int)})


def test_the_shifted_window_alone_drops_and_alerts():
    rng = np.random.default_rng(11)
    reference = _table(rng, 4000, [1.5], dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    current = _table(rng, 1000, [1.5, 1.5, 0.3], dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    report = compare(reference, current, Options(label="y", prediction="pred", scores=["p"],
                                                 estimate_performance=True, window="1d", timestamp="ts"))
    windows = [w["estimated_performance"] for w in report.windows]
    assert [w["chunk_size"] for w in windows] == [report.estimated_performance["chunk_size"]] * 3
    alerting = [w["metrics"]["accuracy"]["alerting_chunks"] for w in windows]
    assert alerting[0] == alerting[1] == 0 and alerting[2] == windows[2]["chunks"] > 0
    lowest = [w["metrics"]["accuracy"]["lowest_estimate"] for w in windows]
    assert lowest[2] < min(lowest[:2]) - 0.05
    assert windows[2]["metrics"]["accuracy"]["realized"] is not None
