"""Two-sample Kolmogorov-Smirnov test: the largest gap between the two empirical CDFs.

scipy's `ks_2samp` with its default method (exact up to 10,000 values per side, Smirnov's
asymptotic distribution above). The engine's vectorised path reproduces the same numbers.
"""

from __future__ import annotations

from scipy.stats import ks_2samp

from mldebt.drift.result import PValueThreshold
from mldebt.drift.stats.base import NUMERIC, Statistic, numeric_test

DEFAULT = PValueThreshold(0.05)

ks = numeric_test("ks", ks_2samp)

STATISTIC = Statistic("ks", ks, NUMERIC, DEFAULT, "Kolmogorov-Smirnov two-sample test (scipy.stats.ks_2samp)")
