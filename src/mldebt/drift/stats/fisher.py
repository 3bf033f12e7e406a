"""Fisher's exact test on the 2 x 2 table of a binary column (exact for small samples)."""

from __future__ import annotations

import numpy as np
from scipy.stats import fisher_exact

from mldebt.drift.result import PValueThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import categorical_effect, category_counts, require_values
from mldebt.drift.stats.base import BINARY, Statistic

DEFAULT = PValueThreshold(0.05)


def fisher_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float]:
    """(odds ratio, p-value) of the 2 x 2 table; a single category is padded with an empty one."""
    if len(ref_counts) == 1:
        ref_counts, cur_counts = np.append(ref_counts, 0), np.append(cur_counts, 0)
    result = fisher_exact(np.vstack([ref_counts, cur_counts]))
    return float(result.statistic), float(result.pvalue)


def fisher(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    require_values(np.asarray(reference), np.asarray(current))
    categories, ref_counts, cur_counts = category_counts(reference, current)
    if len(categories) > 2:
        raise ValueError(f"Fisher's exact test needs a binary column; this one has {len(categories)} categories")
    statistic, pvalue = fisher_from_counts(ref_counts, cur_counts)
    return make_result("fisher", statistic, pvalue, categorical_effect(ref_counts, cur_counts), threshold or DEFAULT)


STATISTIC = Statistic("fisher", fisher, BINARY, DEFAULT, "Fisher's exact test (scipy.stats.fisher_exact), binary")
