"""SLO verdicts: threshold mode over a window, multi-window burn rate, `$window` substitution."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from mldebt.domain.slo import (
    PairReading,
    SloResult,
    SloVerdict,
    burn_rate_verdict,
    default_step,
    slo_verdict,
    with_window,
)

NAN, INF = math.nan, math.inf


def test_breached_only_when_every_point_is_beyond():
    assert slo_verdict([0.4, 0.5, 0.41], 0.3, "above") == SloVerdict(SloResult.BREACH, 0.3, "above", 3, 3, 0.41)
    assert slo_verdict([0.4, 0.2, 0.41], 0.3, "above") == SloVerdict(SloResult.OK, 0.3, "above", 3, 2, 0.41)


def test_a_value_at_the_threshold_holds():
    assert slo_verdict([0.3, 0.3], 0.3, "above").result == SloResult.OK
    assert slo_verdict([0.3, 0.3], 0.3, "below").result == SloResult.OK


def test_below_comparison():
    assert slo_verdict([0.97, 0.98], 0.99, "below") == SloVerdict(SloResult.BREACH, 0.99, "below", 2, 2, 0.98)
    assert slo_verdict([0.97, 0.995], 0.99, "below") == SloVerdict(SloResult.OK, 0.99, "below", 2, 1, 0.995)


def test_nan_points_are_left_out_and_infinities_are_beyond():
    assert slo_verdict([NAN, 0.5, NAN], 0.3, "above") == SloVerdict(SloResult.BREACH, 0.3, "above", 1, 1, 0.5)
    assert slo_verdict([INF, 0.5], 0.3, "above") == SloVerdict(SloResult.BREACH, 0.3, "above", 2, 2, 0.5)
    assert slo_verdict([-INF], 0.3, "below") == SloVerdict(SloResult.BREACH, 0.3, "below", 1, 1, -INF)
    assert slo_verdict([-INF], 0.3, "above") == SloVerdict(SloResult.OK, 0.3, "above", 1, 0, -INF)


def test_no_points_or_only_nan_is_no_data():
    assert slo_verdict([], 0.3, "above") == SloVerdict(SloResult.NO_DATA, 0.3, "above", 0, 0, None)
    assert slo_verdict([NAN, NAN], 0.3, "above") == SloVerdict(SloResult.NO_DATA, 0.3, "above", 0, 0, None)


def test_an_unknown_comparison_is_refused():
    with pytest.raises(ValueError, match="above or below"):
        slo_verdict([1.0], 0.3, "over")


def _pairs(fast_long, fast_short, slow_long=0.0, slow_short=0.0):
    return [PairReading("fast", 14.4, fast_long, fast_short), PairReading("slow", 6.0, slow_long, slow_short)]


def test_burn_rate_breaches_when_both_windows_of_the_fast_pair_burn():
    verdict = burn_rate_verdict(0.999, _pairs(0.02, 0.03))  # limit 14.4 x 0.001 = 0.0144
    assert verdict.result == SloResult.BREACH
    assert [(p.name, p.burning) for p in verdict.pairs] == [("fast", True), ("slow", False)]
    assert verdict.deciding is not None and verdict.deciding.name == "fast"
    assert verdict.value == 0.02
    assert verdict.threshold == pytest.approx(0.0144)


def test_burn_rate_needs_both_windows_above_the_limit():
    assert burn_rate_verdict(0.999, _pairs(0.02, 0.001)).result == SloResult.OK  # over: short window recovered
    assert burn_rate_verdict(0.999, _pairs(0.001, 0.03)).result == SloResult.OK  # a blip: long window is fine


def test_burn_rate_breaches_on_the_slow_pair_alone():
    verdict = burn_rate_verdict(0.999, _pairs(0.01, 0.01, 0.007, 0.008))  # slow limit 0.006
    assert verdict.result == SloResult.BREACH
    assert verdict.deciding is not None and verdict.deciding.name == "slow"
    assert verdict.value == 0.007
    assert verdict.threshold == pytest.approx(0.006)


def test_burn_rate_ok_reports_the_pair_nearest_its_limit():
    verdict = burn_rate_verdict(0.99, _pairs(0.01, 0.02, 0.05, 0.05))  # limits 0.144 and 0.06
    assert verdict.result == SloResult.OK
    assert verdict.deciding is not None and verdict.deciding.name == "slow"
    assert verdict.value == 0.05


def test_burn_rate_with_no_data_in_any_window_is_no_data_and_nan_is_no_data():
    verdict = burn_rate_verdict(0.999, _pairs(None, NAN, NAN, None))
    assert (verdict.result, verdict.deciding, verdict.value) == (SloResult.NO_DATA, None, None)


def test_burn_rate_with_one_window_missing_does_not_burn_that_pair():
    verdict = burn_rate_verdict(0.999, _pairs(0.5, None, 0.0, 0.0))
    assert verdict.result == SloResult.OK
    assert [p.burning for p in verdict.pairs] == [False, False]


def test_burn_rate_objective_must_be_a_fraction():
    with pytest.raises(ValueError, match="between 0 and 1"):
        burn_rate_verdict(99.9, _pairs(0.1, 0.1))


def test_window_substitution_and_default_step():
    query = "sum(rate(errors[$window])) / sum(rate(requests[$window]))"
    assert with_window(query, dt.timedelta(hours=1)) == "sum(rate(errors[1h])) / sum(rate(requests[1h]))"
    assert with_window(query, dt.timedelta(seconds=90)) == "sum(rate(errors[90s])) / sum(rate(requests[90s]))"
    assert default_step(dt.timedelta(minutes=5)) == dt.timedelta(seconds=30)
    assert default_step(dt.timedelta(seconds=5)) == dt.timedelta(seconds=1)
