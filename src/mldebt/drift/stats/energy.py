"""Energy distance between the two samples (scipy's `energy_distance`), a distance with no p-value."""

from __future__ import annotations

import numpy as np
from scipy.stats import energy_distance

from mldebt.drift.result import DistanceThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import finite, numeric_effect, require_values
from mldebt.drift.stats.base import NUMERIC, Statistic

DEFAULT = DistanceThreshold(0.1)


def energy(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    ref, cur = finite(reference), finite(current)
    require_values(ref, cur)
    return make_result("energy", energy_distance(ref, cur), None, numeric_effect(ref, cur), threshold or DEFAULT)


STATISTIC = Statistic("energy", energy, NUMERIC, DEFAULT, "Energy distance (scipy.stats.energy_distance)")
