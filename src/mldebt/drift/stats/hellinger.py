"""Hellinger distance between the binned distributions: sqrt(1/2 sum (sqrt p - sqrt q)^2), in [0, 1].

Numbers are cut into bins at the reference's deciles, categories are counted as they are
(see `mldebt.drift.samples.histogram_counts`).
"""

from __future__ import annotations

import numpy as np

from mldebt.drift.result import DistanceThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import histogram_counts, shares
from mldebt.drift.stats.base import ANY, Statistic

DEFAULT = DistanceThreshold(0.1)


def hellinger_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    ref, cur = shares(ref_counts), shares(cur_counts)
    return float(np.sqrt(0.5 * np.sum((np.sqrt(ref) - np.sqrt(cur)) ** 2)))


def hellinger(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    value = hellinger_from_counts(*histogram_counts(reference, current))
    return make_result("hellinger", value, None, (value, "hellinger"), threshold or DEFAULT)


STATISTIC = Statistic("hellinger", hellinger, ANY, DEFAULT, "Hellinger distance over bins or categories",
                      max_value=1.0)
