"""Chi-square test of homogeneity on the 2 x K table of category counts.

A two-sample test (scipy's `chi2_contingency`, no continuity correction): unlike a goodness-of-fit
test against the reference shares, it accounts for the reference being a sample too, which is what
keeps small references from raising false alarms.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.stats import chi2_contingency

from mldebt.drift.result import PValueThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import categorical_effect, category_counts, require_values
from mldebt.drift.stats.base import CATEGORICAL, Statistic

DEFAULT = PValueThreshold(0.05)
PowerDivergence = Literal["pearson", "log-likelihood", "freeman-tukey", "mod-log-likelihood", "neyman", "cressie-read"]


def contingency(ref_counts: np.ndarray, cur_counts: np.ndarray,
                lambda_: PowerDivergence | None = None) -> tuple[float, float]:
    """(statistic, p-value) over the categories seen in either sample; one category means no test."""
    seen = (ref_counts + cur_counts) > 0
    table = np.vstack([ref_counts[seen], cur_counts[seen]])
    if table.shape[1] < 2:
        return 0.0, 1.0
    result = chi2_contingency(table, correction=False, lambda_=lambda_)
    return float(result.statistic), float(result.pvalue)


def chisquare(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    require_values(np.asarray(reference), np.asarray(current))
    _, ref_counts, cur_counts = category_counts(reference, current)
    statistic, pvalue = contingency(ref_counts, cur_counts)
    return make_result("chisquare", statistic, pvalue, categorical_effect(ref_counts, cur_counts),
                       threshold or DEFAULT)


STATISTIC = Statistic("chisquare", chisquare, CATEGORICAL, DEFAULT,
                      "Chi-square test of homogeneity (scipy.stats.chi2_contingency, no continuity correction)")
