"""G-test (log-likelihood ratio) of homogeneity on the 2 x K table of category counts."""

from __future__ import annotations

import numpy as np

from mldebt.drift.result import PValueThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import categorical_effect, category_counts, require_values
from mldebt.drift.stats.base import CATEGORICAL, Statistic
from mldebt.drift.stats.chisquare import contingency

DEFAULT = PValueThreshold(0.05)


def gtest(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    require_values(np.asarray(reference), np.asarray(current))
    _, ref_counts, cur_counts = category_counts(reference, current)
    statistic, pvalue = contingency(ref_counts, cur_counts, lambda_="log-likelihood")
    return make_result("gtest", statistic, pvalue, categorical_effect(ref_counts, cur_counts), threshold or DEFAULT)


STATISTIC = Statistic("gtest", gtest, CATEGORICAL, DEFAULT,
                      "G-test of homogeneity (scipy.stats.chi2_contingency with lambda_='log-likelihood')")
