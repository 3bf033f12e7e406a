"""Drift from two profiles: the default policy's shape with statistics computed from sketches.

Why: a profile is all that is kept of data too large to reread, so the verdict must come from it.
KS is taken from the two KLL sketches (both CDFs evaluated at the union of their quantile points);
each sketch's rank error bounds how far its CDF may be off, so the true D lies within
D +/- (eps_ref + eps_cur). When that interval straddles the decision, the column is reported
`uncertain` (in its note) instead of guessing. Categorical columns use chi-square on exact counts
when both profiles kept them (then the statistic is exact), else the frequent-items estimates.
Holm across columns, the effect floor and the drift share are applied as in `compare`.
"""

from __future__ import annotations

import numpy as np

from mldebt.drift.policy import Policy, dataset_share, holm_adjust, pool_rare
from mldebt.drift.profiles import ColumnProfile, Profile
from mldebt.drift.report import ColumnDrift, DriftReport
from mldebt.drift.samples import js_distance

_GRID = np.linspace(0.0005, 0.9995, 1000)


def ks_from_sketches(ref: ColumnProfile, cur: ColumnProfile) -> tuple[float, float]:
    """The KS distance between the sketches' CDFs and its error bound (sum of rank errors)."""
    points = np.union1d(np.asarray(ref.kll.get_quantiles(_GRID.tolist())),
                        np.asarray(cur.kll.get_quantiles(_GRID.tolist())))
    cdf_ref = np.asarray(ref.kll.get_cdf(points.tolist()))[:-1]
    cdf_cur = np.asarray(cur.kll.get_cdf(points.tolist()))[:-1]
    return float(np.max(np.abs(cdf_ref - cdf_cur))), ref.rank_error() + cur.rank_error()


def _ks_pvalue(distance: float, n: int, m: int) -> float:
    from scipy.stats import kstwobign
    return float(kstwobign.sf(max(distance, 0.0) * np.sqrt(n * m / (n + m))))


def wasserstein_sd(ref: ColumnProfile, cur: ColumnProfile) -> float:
    """Wasserstein-1 approximated by the mean gap of the quantile functions, in reference SDs."""
    gap = np.abs(np.asarray(ref.kll.get_quantiles(_GRID.tolist())) - np.asarray(cur.kll.get_quantiles(_GRID.tolist())))
    sd = float(np.sqrt(ref.variance or 0.0))
    return float(gap.mean() / sd) if sd > 0 else float(gap.mean())


def _category_counts(ref: ColumnProfile, cur: ColumnProfile) -> tuple[np.ndarray, np.ndarray, bool]:
    exact = ref.exact is not None and cur.exact is not None
    ref_counts, cur_counts = dict(ref.top(10**6)), dict(cur.top(10**6))
    names = sorted(set(ref_counts) | set(cur_counts))
    return (np.array([ref_counts.get(k, 0) for k in names], float),
            np.array([cur_counts.get(k, 0) for k in names], float), exact)


def _numeric(name: str, ref: ColumnProfile, cur: ColumnProfile) -> tuple[ColumnDrift, tuple[float, float]]:
    distance, bound = ks_from_sketches(ref, cur)
    column = ColumnDrift(name=name, type="numeric", method="ks", statistic=distance,
                         pvalue=_ks_pvalue(distance, ref.count, cur.count), n_reference=ref.count,
                         n_current=cur.count, effect=wasserstein_sd(ref, cur), effect_measure="wasserstein_sd",
                         error_bound=bound)
    return column, (_ks_pvalue(distance + bound, ref.count, cur.count),
                    _ks_pvalue(max(distance - bound, 0.0), ref.count, cur.count))


def _categorical(name: str, ref: ColumnProfile, cur: ColumnProfile) -> ColumnDrift:
    from scipy.stats import chi2_contingency
    ref_counts, cur_counts, exact = _category_counts(ref, cur)
    pooled_ref, pooled_cur, _ = pool_rare(ref_counts, cur_counts)
    column = ColumnDrift(name=name, type="categorical", method="chisquare", n_reference=ref.count,
                         n_current=cur.count, error_bound=0.0 if exact else None)
    if len(pooled_ref) >= 2:
        result = chi2_contingency(np.vstack([pooled_ref, pooled_cur]))
        column.statistic, column.pvalue = float(result[0]), float(result[1])
    else:
        column.statistic, column.pvalue = 0.0, 1.0
    column.effect, column.effect_measure = js_distance(ref_counts, cur_counts), "jensenshannon"
    return column


def compare_profiles(reference: Profile, current: Profile, policy: Policy | None = None) -> DriftReport:
    """Drift of every column present in both profiles, under the default policy's alpha, floor and share."""
    policy = policy or Policy()
    columns: list[ColumnDrift] = []
    bounds: list[tuple[float, float] | None] = []
    for name in sorted(set(reference.columns) & set(current.columns)):
        ref, cur = reference.columns[name], current.columns[name]
        if ref.kind != cur.kind or ref.count == 0 or cur.count == 0:
            continue
        if ref.kll is not None and cur.kll is not None:
            column, interval = _numeric(name, ref, cur)
            columns.append(column)
            bounds.append(interval)
        else:
            columns.append(_categorical(name, ref, cur))
            bounds.append(None)
    adjusted = holm_adjust([c.pvalue if c.pvalue is not None else 1.0 for c in columns]) if columns else []
    for column, adj, maybe in zip(columns, adjusted, bounds, strict=True):
        column.adjusted_pvalue, column.threshold, column.corrected = adj, policy.alpha, True
        big_enough = (column.effect or 0.0) >= policy.min_effect
        column.drifted = adj < policy.alpha and big_enough
        if maybe is not None and big_enough and column.pvalue:
            factor = adj / column.pvalue if column.pvalue > 0 else 1.0
            low, high = min(1.0, maybe[0] * factor), min(1.0, maybe[1] * factor)
            if (low < policy.alpha) != (high < policy.alpha):  # the sketches cannot tell: say so, never guess
                column.uncertain, column.drifted = True, False
                column.note = (f"uncertain: KS {column.statistic:.4g} is within the sketch error "
                               f"{column.error_bound:.3g} of the threshold")
    drifted = {c.name: c.drifted for c in columns}
    share = dataset_share(drifted, {})
    return DriftReport(n_reference=reference.rows, n_current=current.rows, columns=columns,
                       dataset_drift=share >= policy.drift_share, drift_share=share,
                       drift_share_threshold=policy.drift_share, alpha=policy.alpha, min_effect=policy.min_effect)
