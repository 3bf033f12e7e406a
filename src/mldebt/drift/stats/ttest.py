"""Welch's t-test: did the mean move (variances may differ)."""

from __future__ import annotations

from functools import partial

from scipy.stats import ttest_ind

from mldebt.drift.result import PValueThreshold
from mldebt.drift.stats.base import NUMERIC, Statistic, numeric_test

DEFAULT = PValueThreshold(0.05)

ttest = numeric_test("ttest", partial(ttest_ind, equal_var=False), minimum=2)

STATISTIC = Statistic("ttest", ttest, NUMERIC, DEFAULT, "Welch's t-test (scipy.stats.ttest_ind)")
