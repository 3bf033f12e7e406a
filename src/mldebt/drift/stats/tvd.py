"""Total variation distance: half the sum of absolute share differences, in [0, 1].

Numbers are cut into bins at the reference's deciles, categories are counted as they are
(see `mldebt.drift.samples.histogram_counts`).
"""

from __future__ import annotations

import numpy as np

from mldebt.drift.result import DistanceThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import histogram_counts, shares
from mldebt.drift.stats.base import ANY, Statistic

DEFAULT = DistanceThreshold(0.1)


def tvd_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    return float(0.5 * np.abs(shares(ref_counts) - shares(cur_counts)).sum())


def tvd(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    value = tvd_from_counts(*histogram_counts(reference, current))
    return make_result("tvd", value, None, (value, "tvd"), threshold or DEFAULT)


STATISTIC = Statistic("tvd", tvd, ANY, DEFAULT, "Total variation distance over bins or categories", max_value=1.0)
