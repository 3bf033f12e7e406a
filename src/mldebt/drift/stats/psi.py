"""Population Stability Index: sum of (cur - ref) * ln(cur / ref) over bins; 0.1 is the usual alarm level.

Numbers are cut into bins at the reference's deciles, categories are counted as they are
(see `mldebt.drift.samples.histogram_counts`).
"""

from __future__ import annotations

import numpy as np

from mldebt.drift.result import DistanceThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import histogram_counts, shares
from mldebt.drift.stats.base import ANY, Statistic

DEFAULT = DistanceThreshold(0.1)


def psi_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    ref, cur = shares(ref_counts, smooth=True), shares(cur_counts, smooth=True)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def psi(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    value = psi_from_counts(*histogram_counts(reference, current))
    return make_result("psi", value, None, (value, "psi"), threshold or DEFAULT)


STATISTIC = Statistic("psi", psi, ANY, DEFAULT, "Population Stability Index over reference-decile bins or categories")
