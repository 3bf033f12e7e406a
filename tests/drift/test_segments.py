"""Segments and windows: drift where and when it happened."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from mldebt.drift.compare import Options, compare
from mldebt.errors import UserInputError


def test_drift_is_located_in_one_segment(rng):
    n = 6000
    ref = pa.table({"store": rng.choice(["north", "south"], n), "price": rng.normal(10, 1, n)})
    store = rng.choice(["north", "south"], n)
    price = rng.normal(10, 1, n) + np.where(store == "south", 1.0, 0.0)
    report = compare(ref, pa.table({"store": store, "price": price}), Options(segment_by="store"))
    segments = {s["segment"]: s for s in report.segments}
    assert segments["south"]["drifted_columns"] == ["price"] and segments["north"]["drifted_columns"] == []


def test_windows_show_when_drift_started(rng):
    days = 6
    ref = pa.table({"price": rng.normal(10, 1, 6000)})
    start = dt.datetime(2026, 11, 1)
    ts = [start + dt.timedelta(hours=int(h)) for h in np.sort(rng.integers(0, 24 * days, 6000))]
    day = np.array([(t - start).days for t in ts])
    cur = pa.table({"ts": pa.array(ts, pa.timestamp("s")), "price": rng.normal(10, 1, 6000) + (day >= 3) * 0.8})
    report = compare(ref, cur, Options(window="1d"))
    assert [w["dataset_drift"] for w in report.windows] == [False, False, False, True, True, True]
    assert [w["window_start"][:10] for w in report.windows if w["drift_started"]] == ["2026-11-04"]


def test_bad_window_and_segment_are_user_errors(rng):
    table = pa.table({"a": rng.normal(size=50)})
    with pytest.raises(UserInputError, match=r"^--window fortnight: expected a span"):
        compare(table, table, Options(window="fortnight"))
    with pytest.raises(UserInputError, match=r"^--segment-by store: no column 'store' in reference$"):
        compare(table, table, Options(segment_by="store"))
    with pytest.raises(UserInputError, match="needs a timestamp column"):
        compare(table, table, Options(window="1d"))


@pytest.mark.parametrize(("window", "timestamp", "message"), [
    ("99999999999999999999d", None, "--window 99999999999999999999d: expected a span such as 1d, 1w or 12h (1 to "
                                    "10,000 hours, days or weeks)"),
    ("0h", None, "--window 0h: expected a span such as 1d, 1w or 12h (1 to 10,000 hours, days or weeks)"),
    ("1d", "nope", "--timestamp nope: no column 'nope' in current"),
    ("1d", "a", "--timestamp a: column 'a' is not a timestamp (expected timestamps or text such as "
                "2026-11-30T08:00:00)"),
    (None, "ts", "--timestamp ts: only used with --window"),
])
def test_window_options_are_checked_before_any_comparison(rng, window, timestamp, message):
    table = pa.table({"a": rng.normal(size=50), "ts": pa.array(range(50), pa.timestamp("s"))})
    with pytest.raises(UserInputError) as raised:
        compare(table, table, Options(window=window, timestamp=timestamp))
    assert str(raised.value) == message
