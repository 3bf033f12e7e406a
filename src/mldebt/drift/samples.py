"""Turning two samples into what statistics need: clean floats, aligned counts, histograms.

Shared by the statistic modules so each of them stays a few lines: numeric tests get finite
float64 values (NaN and infinities are data-quality findings, not values), categorical tests get
category counts aligned over the union of both samples, and binned distances (PSI, KL, ...) get
counts over bins cut at the reference's deciles, so each bin holds about a tenth of the reference.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial.distance import jensenshannon

EPSILON = 1e-4  # replaces empty-bin shares in PSI and KL, which are infinite otherwise
N_BINS = 10


def finite(values: np.ndarray) -> np.ndarray:
    """The finite values of a numeric sample as float64."""
    array = np.asarray(values, dtype=np.float64)
    return array[np.isfinite(array)]


def require_values(reference: np.ndarray, current: np.ndarray, minimum: int = 1) -> None:
    if len(reference) < minimum or len(current) < minimum:
        raise ValueError(f"needs at least {minimum} value(s) in each sample, got {len(reference)} and {len(current)}")


def is_numeric(values: np.ndarray) -> bool:
    return np.asarray(values).dtype.kind in "fiub" and np.asarray(values).dtype.kind != "b"


def category_counts(reference: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(categories, reference counts, current counts) over the union of both samples' categories."""
    ref = np.asarray(reference)
    cur = np.asarray(current)
    categories, codes = np.unique(np.concatenate([ref, cur]).astype(str) if ref.dtype.kind == "O"
                                  else np.concatenate([ref, cur]), return_inverse=True)
    ref_counts = np.bincount(codes[: len(ref)], minlength=len(categories))
    cur_counts = np.bincount(codes[len(ref):], minlength=len(categories))
    return categories, ref_counts, cur_counts


def reference_bins(reference: np.ndarray) -> np.ndarray:
    """Inner bin edges at the reference's deciles (duplicates removed for discrete data)."""
    return np.unique(np.quantile(reference, np.linspace(0, 1, N_BINS + 1)[1:-1]))


def histogram_counts(reference: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Aligned counts for any sample: reference-decile bins for numbers, categories otherwise."""
    if is_numeric(reference) and is_numeric(current):
        ref, cur = finite(reference), finite(current)
        require_values(ref, cur)
        edges = reference_bins(ref)
        return (np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1),
                np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1))
    require_values(np.asarray(reference), np.asarray(current))
    _, ref_counts, cur_counts = category_counts(reference, current)
    return ref_counts, cur_counts


def shares(counts: np.ndarray, smooth: bool = False) -> np.ndarray:
    """Counts as shares; with `smooth`, empty shares become EPSILON (for log-based measures)."""
    share = counts / counts.sum()
    return np.where(share == 0, EPSILON, share) if smooth else share


def normalised_wasserstein(reference: np.ndarray, current: np.ndarray) -> float:
    """Wasserstein-1 distance in units of the reference's standard deviation.

    Reads as "the distributions are this many reference standard deviations apart"; a constant
    reference (std 0) falls back to the raw distance.
    """
    from scipy.stats import wasserstein_distance

    distance = wasserstein_distance(reference, current)
    spread = float(np.std(reference))
    return distance / spread if spread > 0 else distance


def js_distance(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Jensen-Shannon distance in bits (0 = identical, 1 = disjoint)."""
    value = float(jensenshannon(ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum(), base=2))
    return 0.0 if math.isnan(value) else value


def numeric_effect(reference: np.ndarray, current: np.ndarray) -> tuple[float, str]:
    return normalised_wasserstein(reference, current), "wasserstein_sd"


def categorical_effect(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, str]:
    return js_distance(ref_counts, cur_counts), "jensenshannon"
