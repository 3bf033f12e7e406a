"""Jensen-Shannon distance in bits: symmetric, bounded by 1, defined with empty bins.

Numbers are cut into bins at the reference's deciles, categories are counted as they are
(see `mldebt.drift.samples.histogram_counts`).
"""

from __future__ import annotations

import numpy as np

from mldebt.drift.result import DistanceThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import histogram_counts, js_distance
from mldebt.drift.stats.base import ANY, Statistic

DEFAULT = DistanceThreshold(0.1)


def jensenshannon_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    return js_distance(ref_counts, cur_counts)


def jensenshannon(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    value = jensenshannon_from_counts(*histogram_counts(reference, current))
    return make_result("jensenshannon", value, None, (value, "jensenshannon"), threshold or DEFAULT)


STATISTIC = Statistic(
    "jensenshannon", jensenshannon, ANY, DEFAULT,
    "Jensen-Shannon distance, base 2 (scipy.spatial.distance.jensenshannon)", max_value=1.0,
)
