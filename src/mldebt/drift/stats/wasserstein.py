"""Wasserstein-1 (earth mover's) distance divided by the reference's standard deviation.

0.1 means the current distribution is, on average, a tenth of a reference standard deviation
away: Evidently's large-sample default for numeric columns, kept here as an opt-in method.
"""

from __future__ import annotations

import numpy as np

from mldebt.drift.result import DistanceThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import finite, normalised_wasserstein, require_values
from mldebt.drift.stats.base import NUMERIC, Statistic

DEFAULT = DistanceThreshold(0.1)


def wasserstein(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    ref, cur = finite(reference), finite(current)
    require_values(ref, cur)
    distance = normalised_wasserstein(ref, cur)
    return make_result("wasserstein", distance, None, (distance, "wasserstein_sd"), threshold or DEFAULT)


STATISTIC = Statistic("wasserstein", wasserstein, NUMERIC, DEFAULT,
                      "Wasserstein distance / reference std (scipy.stats.wasserstein_distance)")
