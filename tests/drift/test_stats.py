"""Every statistic equals scipy's own result (1e-9) where scipy has it; the others by formula."""

import warnings

import numpy as np
import pytest
import scipy.stats as ss
from scipy.spatial.distance import jensenshannon

from mldebt.drift.result import DistanceThreshold, PValueThreshold
from mldebt.drift.samples import histogram_counts, shares
from mldebt.drift.stats import STATISTICS, get_statistic

TOL = {"rel": 1e-9, "abs": 1e-12}


def _quiet(function, *args):
    """scipy's anderson_ksamp warns when its p-value is capped at 0.001 or 0.25."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return function(*args)


@pytest.fixture
def numeric(rng):
    return rng.normal(0, 1, 400), rng.normal(0.3, 1.2, 350)


@pytest.fixture
def categories(rng):
    return (rng.choice(["a", "b", "c", "d"], 500, p=[0.4, 0.3, 0.2, 0.1]),
            rng.choice(["a", "b", "c", "d", "e"], 450, p=[0.3, 0.3, 0.2, 0.1, 0.1]))


@pytest.mark.parametrize(("name", "reference"), [
    ("ks", lambda r, c: ss.ks_2samp(r, c)),
    ("cramervonmises", lambda r, c: ss.cramervonmises_2samp(r, c)),
    ("mannwhitney", lambda r, c: ss.mannwhitneyu(r, c, alternative="two-sided")),
    ("ttest", lambda r, c: ss.ttest_ind(r, c, equal_var=False)),
    ("epps_singleton", lambda r, c: ss.epps_singleton_2samp(r, c)),
    ("anderson", lambda r, c: _quiet(ss.anderson_ksamp, [r, c])),
])
def test_numeric_tests_equal_scipy(numeric, name, reference):
    ref, cur = numeric
    ours, theirs = STATISTICS[name](ref, cur), reference(ref, cur)
    assert ours.statistic == pytest.approx(theirs.statistic, **TOL)
    assert ours.pvalue == pytest.approx(theirs.pvalue, **TOL)
    assert ours.effect == pytest.approx(ss.wasserstein_distance(ref, cur) / np.std(ref), **TOL)
    assert ours.effect_measure == "wasserstein_sd"
    assert ours.drifted == (theirs.pvalue < 0.05)


def test_distances_equal_scipy(numeric):
    ref, cur = numeric
    assert STATISTICS["wasserstein"](ref, cur).statistic == pytest.approx(
        ss.wasserstein_distance(ref, cur) / np.std(ref), **TOL)
    assert STATISTICS["energy"](ref, cur).statistic == pytest.approx(ss.energy_distance(ref, cur), **TOL)


def test_categorical_tests_equal_scipy(categories):
    ref, cur = categories
    cats = ["a", "b", "c", "d", "e"]
    table = np.array([[np.sum(ref == c) for c in cats], [np.sum(cur == c) for c in cats]])
    for name, lambda_ in (("chisquare", None), ("gtest", "log-likelihood")):
        theirs = ss.chi2_contingency(table, correction=False, lambda_=lambda_)
        ours = STATISTICS[name](ref, cur)
        assert ours.statistic == pytest.approx(theirs.statistic, **TOL)
        assert ours.pvalue == pytest.approx(theirs.pvalue, **TOL)
        assert ours.effect == pytest.approx(jensenshannon(table[0] / table[0].sum(), table[1] / table[1].sum(),
                                                          base=2), **TOL)


def test_binary_tests_equal_scipy(rng):
    ref, cur = rng.random(300) < 0.3, rng.random(200) < 0.42
    table = np.array([[np.sum(~ref), np.sum(ref)], [np.sum(~cur), np.sum(cur)]])
    fisher = ss.fisher_exact(table)
    ours = STATISTICS["fisher"](ref, cur)
    assert ours.statistic == pytest.approx(fisher.statistic, **TOL)
    assert ours.pvalue == pytest.approx(fisher.pvalue, **TOL)
    chi2 = ss.chi2_contingency(table, correction=False)
    z = STATISTICS["ztest"](ref, cur)
    assert z.statistic**2 == pytest.approx(chi2.statistic, **TOL)
    assert z.pvalue == pytest.approx(chi2.pvalue, **TOL)
    assert z.statistic > 0  # the share of True rose


def test_mmd_is_the_unbiased_estimate_by_brute_force(rng):
    from mldebt.drift.stats.mmd import gaussian_kernel, unbiased_mmd2

    x, y = rng.normal(0, 1, 40), rng.normal(0.5, 1, 30)
    pooled = np.concatenate([x, y])
    kernel = gaussian_kernel(pooled)
    bandwidth = np.median([abs(a - b) for i, a in enumerate(pooled) for b in pooled[i + 1:]])
    k = lambda a, b: np.exp(-((a - b) ** 2) / (2 * bandwidth**2))  # noqa: E731
    xx = sum(k(x[i], x[j]) for i in range(40) for j in range(40) if i != j) / (40 * 39)
    yy = sum(k(y[i], y[j]) for i in range(30) for j in range(30) if i != j) / (30 * 29)
    xy = sum(k(a, b) for a in x for b in y) / (40 * 30)
    assert unbiased_mmd2(kernel, np.arange(70) < 40) == pytest.approx(xx + yy - 2 * xy, rel=1e-9)
    shifted = STATISTICS["mmd"](rng.normal(0, 1, 2000), rng.normal(1, 1, 2000))
    assert shifted.drifted and shifted.pvalue == pytest.approx(1 / 201)


def test_binned_distances_by_formula(numeric):
    ref, cur = numeric
    ref_counts, cur_counts = histogram_counts(ref, cur)
    assert ref_counts.sum() == 400 and cur_counts.sum() == 350 and len(ref_counts) == 10
    p, q = ref_counts / 400, cur_counts / 350
    ps, qs = shares(ref_counts, smooth=True), shares(cur_counts, smooth=True)
    assert STATISTICS["psi"](ref, cur).statistic == pytest.approx(np.sum((qs - ps) * np.log(qs / ps)), **TOL)
    assert STATISTICS["kl"](ref, cur).statistic == pytest.approx(ss.entropy(ps, qs), **TOL)
    assert STATISTICS["jensenshannon"](ref, cur).statistic == pytest.approx(jensenshannon(p, q, base=2), **TOL)
    assert STATISTICS["hellinger"](ref, cur).statistic == pytest.approx(
        np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)), **TOL)
    assert STATISTICS["tvd"](ref, cur).statistic == pytest.approx(0.5 * np.abs(p - q).sum(), **TOL)


def test_identical_samples_do_not_drift_on_any_statistic(rng):
    values = rng.normal(size=300)
    labels = rng.choice(["x", "y"], 300)
    for stat in STATISTICS.values():
        data = values if "numeric" in stat.applies_to else labels
        result = stat(data, data.copy())
        assert not result.drifted, stat.name


def test_every_result_shares_the_field_names(numeric):
    fields = {"statistic", "pvalue", "effect", "threshold", "drifted", "method"}
    for stat in STATISTICS.values():
        if "numeric" in stat.applies_to:
            assert fields <= set(stat(*numeric).to_dict()), stat.name


def test_registry_has_at_least_evidentlys_tabular_tests():
    assert {"ks", "chisquare", "ztest", "psi", "kl", "jensenshannon", "wasserstein", "hellinger", "tvd",
            "cramervonmises", "anderson", "mannwhitney", "energy", "gtest", "fisher", "ttest",
            "epps_singleton", "mmd"} <= set(STATISTICS)


def test_thresholds_are_objects_and_validated(numeric):
    ref, cur = numeric
    assert STATISTICS["psi"](ref, cur, DistanceThreshold(10.0)).drifted is False
    assert STATISTICS["ks"](ref, cur, PValueThreshold(1e-300)).drifted is False
    with pytest.raises(ValueError, match=r"must be a finite number in \(0, 1\), got 1.5"):
        PValueThreshold(1.5)
    with pytest.raises(ValueError, match="unknown drift method 'kss'"):
        get_statistic("kss")


def test_nan_and_inf_are_dropped_before_testing(numeric):
    ref, cur = numeric
    dirty = np.concatenate([ref, [np.nan, np.inf, -np.inf]])
    assert STATISTICS["ks"](dirty, cur) == STATISTICS["ks"](ref, cur)
