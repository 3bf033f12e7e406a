"""Cramer-von Mises two-sample test: squared CDF gaps summed over all values."""

from __future__ import annotations

from scipy.stats import cramervonmises_2samp

from mldebt.drift.result import PValueThreshold
from mldebt.drift.stats.base import NUMERIC, Statistic, numeric_test

DEFAULT = PValueThreshold(0.05)

cramervonmises = numeric_test("cramervonmises", cramervonmises_2samp, minimum=2)

STATISTIC = Statistic(
    "cramervonmises", cramervonmises, NUMERIC, DEFAULT, "Cramer-von Mises test (scipy.stats.cramervonmises_2samp)"
)
