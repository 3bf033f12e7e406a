"""Anderson-Darling k-sample test: like KS but weighs the tails more.

scipy's `anderson_ksamp` reports p-values only inside [0.001, 0.25] with its default
interpolation and warns at the edges; the p-value here is that same capped value, and the
warning is not passed on (the cap is documented in docs/drift.md).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import anderson_ksamp

from mldebt.drift.result import PValueThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import finite, numeric_effect, require_values
from mldebt.drift.stats.base import NUMERIC, Statistic

DEFAULT = PValueThreshold(0.05)


def anderson(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    ref, cur = finite(reference), finite(current)
    require_values(ref, cur)
    if np.unique(np.concatenate([ref, cur])).size < 2:
        return make_result("anderson", 0.0, 1.0, numeric_effect(ref, cur), threshold or DEFAULT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = anderson_ksamp([ref, cur])
    return make_result("anderson", result.statistic, result.pvalue, numeric_effect(ref, cur), threshold or DEFAULT)


STATISTIC = Statistic(
    "anderson", anderson, NUMERIC, DEFAULT,
    "Anderson-Darling k-sample test (scipy.stats.anderson_ksamp)",
)
