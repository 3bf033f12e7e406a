"""Maximum mean discrepancy (Gaussian kernel) with a permutation p-value: Evidently's `empirical_mmd`.

The kernel matrix is quadratic in the sample size, so each side is subsampled to at most 500
values (seeded, so results repeat); the bandwidth is the median pairwise distance of the pooled
subsample; the statistic is the unbiased MMD^2 estimate; the p-value counts how often 200 random
relabellings of the pooled values reach it ((1 + hits) / 201, so it is never below ~0.005).
"""

from __future__ import annotations

import numpy as np

from mldebt.drift.result import PValueThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import finite, numeric_effect, require_values
from mldebt.drift.stats.base import NUMERIC, Statistic

DEFAULT = PValueThreshold(0.05)
MAX_PER_SIDE = 500
PERMUTATIONS = 200


def unbiased_mmd2(kernel: np.ndarray, in_x: np.ndarray) -> float:
    """Unbiased MMD^2 of the pooled kernel matrix for the split `in_x` (True: first sample)."""
    x, y = in_x.astype(np.float64), (~in_x).astype(np.float64)
    m, n = x.sum(), y.sum()
    diagonal = np.diag(kernel)
    xx = (x @ kernel @ x - diagonal @ x) / (m * (m - 1))
    yy = (y @ kernel @ y - diagonal @ y) / (n * (n - 1))
    return float(xx + yy - 2 * (x @ kernel @ y) / (m * n))


def gaussian_kernel(values: np.ndarray) -> np.ndarray:
    distances = np.abs(values[:, None] - values[None, :])
    bandwidth = float(np.median(distances[np.triu_indices(len(values), k=1)])) or 1.0
    return np.exp(-(distances**2) / (2 * bandwidth**2))


def mmd(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
    ref, cur = finite(reference), finite(current)
    require_values(ref, cur, 2)
    rng = np.random.default_rng(0)
    ref_sample = rng.choice(ref, MAX_PER_SIDE, replace=False) if len(ref) > MAX_PER_SIDE else ref
    cur_sample = rng.choice(cur, MAX_PER_SIDE, replace=False) if len(cur) > MAX_PER_SIDE else cur
    kernel = gaussian_kernel(np.concatenate([ref_sample, cur_sample]))
    labels = np.arange(len(ref_sample) + len(cur_sample)) < len(ref_sample)
    observed = unbiased_mmd2(kernel, labels)
    hits = sum(unbiased_mmd2(kernel, rng.permutation(labels)) >= observed for _ in range(PERMUTATIONS))
    pvalue = (1 + hits) / (PERMUTATIONS + 1)
    return make_result("mmd", observed, pvalue, numeric_effect(ref, cur), threshold or DEFAULT)


STATISTIC = Statistic("mmd", mmd, NUMERIC, DEFAULT, "Maximum mean discrepancy, Gaussian kernel, permutation p-value")
