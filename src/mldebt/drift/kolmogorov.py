"""The two-sided Kolmogorov-Smirnov p-value for large samples, as scipy computes it, faster.

`scipy.stats.ks_2samp` in its asymptotic mode returns `kstwo.sf(D, round(n*m/(n+m)))`. For
large n and a clear drift (n * D^2 between 2.2 and 370) scipy evaluates that as
`2 * scipy.special.smirnov(n, D)`, a Birnbaum-Tingey sum of n terms computed one by one: about
0.5 s per column at a million rows. Here the same sum is evaluated with numpy in log space
(`gammaln`), which agrees with scipy to a relative 1e-9 up to n = 1,000,000 (tests pin this) and
takes a tenth of the time. Every other region is delegated to scipy itself, as is n > 1,000,000.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln
from scipy.stats import kstwo

FAST_MAX_N = 1_000_000


def smirnov_sf(n: int, x: float) -> float:
    """One-sided Smirnov survival function (scipy.special.smirnov), vectorised Birnbaum-Tingey sum."""
    last = int(np.floor(n * (1 - x)))
    j = np.arange(last + 1, dtype=np.float64)
    with np.errstate(divide="ignore"):
        log_terms = ((gammaln(n + 1) - gammaln(j + 1) - gammaln(n - j + 1))
                     + (n - j) * np.log(1 - x - j / n) + (j - 1) * np.log(x + j / n))
    log_terms = log_terms[np.isfinite(log_terms)]
    if log_terms.size == 0:
        return 0.0
    top = float(log_terms.max())
    return float(x * np.exp(top) * np.exp(log_terms - top).sum())


def kstwo_sf(statistic: float, n: float) -> float:
    """`scipy.stats.kstwo.sf(statistic, n)`, with the slow Smirnov branch computed by `smirnov_sf`."""
    n_int = int(n)
    t = n_int * statistic
    squared = t * statistic
    if 140 < n_int <= FAST_MAX_N and t > 1.0 and t < n_int - 1 and 2.2 <= squared < 370.0 and statistic < 0.5:
        return float(np.clip(2 * smirnov_sf(n_int, statistic), 0.0, 1.0))
    return float(np.clip(kstwo.sf(statistic, n), 0.0, 1.0))


def ks_asymptotic_pvalue(statistic: float, n_reference: int, n_current: int) -> float:
    """The p-value `scipy.stats.ks_2samp(..., method="asymp")` returns for this D and these sizes."""
    m, n = sorted([float(n_reference), float(n_current)], reverse=True)
    return kstwo_sf(statistic, float(np.round(m * n / (m + n))))
