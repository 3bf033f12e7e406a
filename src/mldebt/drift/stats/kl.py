"""Kullback-Leibler divergence KL(reference || current) in nats, empty bins smoothed to 1e-4.

Numbers are cut into bins at the reference's deciles, categories are counted as they are
(see `mldebt.drift.samples.histogram_counts`).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import entropy

from mldebt.drift.result import DistanceThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import histogram_counts, shares
from mldebt.drift.stats.base import ANY, Statistic

DEFAULT = DistanceThreshold(0.1)


def kl_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    return float(entropy(shares(ref_counts, smooth=True), shares(cur_counts, smooth=True)))


def kl(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    value = kl_from_counts(*histogram_counts(reference, current))
    return make_result("kl", value, None, (value, "kl"), threshold or DEFAULT)


STATISTIC = Statistic("kl", kl, ANY, DEFAULT, "Kullback-Leibler divergence (scipy.stats.entropy), reference to current")
