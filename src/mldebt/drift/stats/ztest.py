"""Two-proportion z-test (pooled) for binary columns: is the share of one value the same?

The share tested is that of the first category in sorted order (True for booleans). Its square
equals the 2 x 2 chi-square statistic without correction, so the p-values agree.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

from mldebt.drift.result import PValueThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import categorical_effect, category_counts, require_values
from mldebt.drift.stats.base import BINARY, Statistic

DEFAULT = PValueThreshold(0.05)


def proportions_z(hits: tuple[int, int], totals: tuple[int, int]) -> tuple[float, float]:
    """(z, two-sided p-value) of the pooled two-proportion z-test."""
    p1, p2 = hits[0] / totals[0], hits[1] / totals[1]
    pooled = (hits[0] + hits[1]) / (totals[0] + totals[1])
    spread = math.sqrt(pooled * (1 - pooled) * (1 / totals[0] + 1 / totals[1]))
    if spread == 0:
        return 0.0, 1.0
    z = (p2 - p1) / spread
    return z, float(2 * norm.sf(abs(z)))


def ztest(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    require_values(np.asarray(reference), np.asarray(current))
    categories, ref_counts, cur_counts = category_counts(reference, current)
    if len(categories) > 2:
        raise ValueError(f"the z-test compares two proportions; this column has {len(categories)} categories")
    target = -1 if len(categories) == 2 and categories.dtype.kind == "b" else 0
    z, pvalue = proportions_z((int(ref_counts[target]), int(cur_counts[target])),
                              (int(ref_counts.sum()), int(cur_counts.sum())))
    return make_result("ztest", z, pvalue, categorical_effect(ref_counts, cur_counts), threshold or DEFAULT)


STATISTIC = Statistic("ztest", ztest, BINARY, DEFAULT, "Pooled two-proportion z-test (binary columns)")
