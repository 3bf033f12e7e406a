"""The engine's one-pass path gives scipy's numbers (exact mode and asymptotic mode)."""

import numpy as np
import pyarrow as pa
import pytest
import scipy.special
import scipy.stats as ss

from mldebt.drift.engine import summarize_categorical, summarize_numeric
from mldebt.drift.kolmogorov import kstwo_sf, smirnov_sf


@pytest.mark.parametrize(("n_ref", "n_cur", "shift", "decimals"), [
    (300, 200, 0.2, None), (9000, 10000, 0.02, None), (30000, 25000, 0.03, None), (40000, 40000, 0.0, 1),
    (12000, 15000, 0.5, 0),
])
def test_numeric_summary_equals_scipy_ks_and_wasserstein(rng, n_ref, n_cur, shift, decimals):
    ref, cur = rng.normal(size=n_ref), rng.normal(shift, 1, n_cur)
    if decimals is not None:  # ties
        ref, cur = ref.round(decimals), cur.round(decimals)
    summary = summarize_numeric(ref, cur)
    scipy_result = ss.ks_2samp(ref, cur)
    assert summary.ks_statistic == pytest.approx(scipy_result.statistic, rel=1e-12)
    assert summary.ks_pvalue == pytest.approx(scipy_result.pvalue, rel=1e-9, abs=1e-300)
    assert summary.wasserstein_sd == pytest.approx(ss.wasserstein_distance(ref, cur) / np.std(ref), rel=1e-9)
    assert summary.reference_hist.sum() == n_ref and summary.current_hist.sum() == n_cur


@pytest.mark.parametrize(("n", "n_x_squared"), [
    (141, 2.2), (141, 11.0), (5000, 2.2), (5000, 60.0), (5000, 300.0), (250_000, 4.0), (250_000, 11.0),
    (1_000_000, 2.2), (1_000_000, 300.0),
])
def test_fast_smirnov_equals_scipy(n, n_x_squared):
    x = float(np.sqrt(n_x_squared / n))
    assert smirnov_sf(n, x) == pytest.approx(scipy.special.smirnov(n, x), rel=1e-9)
    assert kstwo_sf(x, float(n)) == pytest.approx(ss.kstwo.sf(x, n), rel=1e-9)


def test_nan_and_infinities_are_cut_from_both_ends(rng):
    ref = np.concatenate([rng.normal(size=100), [np.nan, np.inf, -np.inf]])
    summary = summarize_numeric(ref, rng.normal(size=80))
    assert summary.n_reference == 100


def test_categorical_summary_aligns_categories_and_skips_nulls():
    ref = pa.chunked_array([pa.array(["a", "b", None, "a"]), pa.array(["b"])])
    cur = pa.chunked_array([pa.array(["c", "a"]).dictionary_encode()])
    summary = summarize_categorical(ref, cur.cast(pa.string()))
    counts = dict(zip(summary.categories, zip(summary.reference_counts.tolist(), summary.current_counts.tolist(),
                                              strict=True), strict=True))
    assert counts == {"a": (2, 1), "b": (2, 0), "c": (0, 1)}
