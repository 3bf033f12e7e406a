import datetime as dt
import statistics
from dataclasses import dataclass

import pytest

from mldebt.metrics.mttr import mttr, percentile, quarter

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass
class Span:
    opened_at: dt.datetime
    resolved_at: dt.datetime | None


def spans(*minutes):
    return [Span(T0, None if m is None else T0 + dt.timedelta(minutes=m)) for m in minutes]


def test_mean_median_p90_over_resolved_intervals():
    result = mttr("recs-api", spans(10, 20, 30, 40, 200, None))
    assert (result.incidents, result.resolved, result.open) == (6, 5, 1)
    assert result.mean_minutes == 60.0 and result.median_minutes == 30.0
    assert result.p90_minutes == pytest.approx(136.0)  # numpy.percentile([10, 20, 30, 40, 200], 90)


def test_percentile_matches_statistics_inclusive_quantiles():
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    assert percentile(values, 90) == pytest.approx(statistics.quantiles(values, n=10, method="inclusive")[8])


def test_nothing_resolved_has_no_durations():
    assert mttr("x", spans(None)).to_dict() == {"group": "x", "incidents": 1, "resolved": 0, "open": 1,
                                               "mean_minutes": None, "median_minutes": None, "p90_minutes": None}


def test_quarter():
    assert [quarter(dt.datetime(2026, m, 1)) for m in (1, 3, 4, 12)] == ["2026-Q1", "2026-Q1", "2026-Q2", "2026-Q4"]
