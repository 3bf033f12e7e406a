"""Epps-Singleton test: compares the empirical characteristic functions."""

from __future__ import annotations

from scipy.stats import epps_singleton_2samp

from mldebt.drift.result import PValueThreshold
from mldebt.drift.stats.base import NUMERIC, Statistic, numeric_test

DEFAULT = PValueThreshold(0.05)

epps_singleton = numeric_test("epps_singleton", epps_singleton_2samp, minimum=5)

STATISTIC = Statistic(
    "epps_singleton", epps_singleton, NUMERIC, DEFAULT, "Epps-Singleton test (scipy.stats.epps_singleton_2samp)"
)
