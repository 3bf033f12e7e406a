"""The fast path of the default policy: every column's test and effect in one pass over its data.

Numeric columns: each side is sorted once (contiguous 1-D sorts use numpy's SIMD sort), the two
sorted runs are merged with a stable sort (a linear merge), and the merged order gives both the
Kolmogorov-Smirnov statistic and the Wasserstein distance; the p-value is scipy's: the exact
distribution up to 10,000 values per side (scipy's own `ks_2samp`), above it the asymptotic
`kstwo.sf(D, round(n*m/(n+m)))` that `ks_2samp` uses there (see `kolmogorov`). Categorical
columns: one dictionary encoding over both sides and one bincount each. Columns are spread over
threads; numpy releases the GIL while sorting, so two cores really work in parallel. Memory stays at
a few column copies per thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.stats import ks_2samp as scipy_ks_2samp

from mldebt.drift.kolmogorov import ks_asymptotic_pvalue
from mldebt.drift.samples import N_BINS

EXACT_MAX_N = 10_000  # scipy's ks_2samp switches from the exact to the asymptotic distribution above this

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class NumericSummary:
    """What the default policy needs of a numeric column, computed in one pass."""

    n_reference: int
    n_current: int
    ks_statistic: float
    ks_pvalue: float
    wasserstein_sd: float
    reference_min: float
    reference_max: float
    out_of_range: int            # current values outside [reference_min, reference_max]
    edges: np.ndarray            # histogram edges (reference deciles inside, data range outside)
    reference_hist: np.ndarray
    current_hist: np.ndarray
    reference_std: float
    current_distinct: int


@dataclass(frozen=True)
class CategoricalSummary:
    categories: list[str]
    reference_counts: np.ndarray
    current_counts: np.ndarray


def parallel_map(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """`map` over threads (numpy releases the GIL in sorts and bincounts)."""
    workers = workers or min(len(items), os.cpu_count() or 1)
    if workers <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


def background(function: Callable[..., R], *args: object) -> Future[R]:
    """Run `function` on its own thread (for a check that can overlap the column work)."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future


def sorted_finite(values: np.ndarray) -> np.ndarray:
    """The finite values, sorted (NaN and +inf sort last, -inf first: cut both ends)."""
    ordered = np.sort(values)
    low = int(np.searchsorted(ordered, -np.inf, side="right"))
    high = int(np.searchsorted(ordered, np.inf, side="left"))
    return ordered[low:high]


def merged_ks_wasserstein(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """(KS D, Wasserstein-1) of two sorted samples from their stable merge.

    The CDF gap is kept as an exact integer, n_ref * n_cur * (F_ref - F_cur), until the end.
    """
    n_ref, n_cur = len(ref), len(cur)
    pooled = np.concatenate([ref, cur])
    order = np.argsort(pooled, kind="stable")  # two sorted runs: a linear merge
    values = pooled[order]
    del pooled
    # each reference value raises n_ref * n_cur * F_ref by n_cur, each current value lowers the gap by n_ref
    gaps = np.where(order < n_ref, np.int64(n_cur), np.int64(-n_ref))
    del order
    np.cumsum(gaps, out=gaps)
    np.abs(gaps, out=gaps)
    last_of_tie = np.empty(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=last_of_tie[:-1])
    last_of_tie[-1] = True
    scale = float(n_ref) * float(n_cur)
    statistic = float(np.max(gaps, where=last_of_tie, initial=0)) / scale
    # multiply-and-sum in place rather than np.dot: BLAS threads cost more than they save on one vector
    steps = np.diff(values)
    np.multiply(steps, gaps[:-1], out=steps)
    wasserstein = float(steps.sum()) / scale
    return statistic, wasserstein


def summarize_numeric(reference: np.ndarray, current: np.ndarray) -> NumericSummary:
    """KS test, normalised Wasserstein, range and histogram of one numeric column."""
    ref, cur = sorted_finite(reference), sorted_finite(current)
    if len(ref) == 0 or len(cur) == 0:
        raise ValueError("no finite values on one side")
    if max(len(ref), len(cur)) <= EXACT_MAX_N:
        exact = scipy_ks_2samp(ref, cur)
        statistic, pvalue = float(exact.statistic), float(exact.pvalue)
        _, wasserstein = merged_ks_wasserstein(ref, cur)
    else:
        statistic, wasserstein = merged_ks_wasserstein(ref, cur)
        pvalue = ks_asymptotic_pvalue(statistic, len(ref), len(cur))
    spread = float(np.std(ref))
    low, high = float(ref[0]), float(ref[-1])
    inner = np.unique(ref[(np.linspace(0, 1, N_BINS + 1)[1:-1] * (len(ref) - 1)).astype(np.int64)])
    edges = np.concatenate([[min(low, float(cur[0]))], inner, [max(high, float(cur[-1]))]])
    out = int(np.searchsorted(cur, low, side="left")) + len(cur) - int(np.searchsorted(cur, high, side="right"))
    return NumericSummary(
        n_reference=len(ref), n_current=len(cur), ks_statistic=statistic, ks_pvalue=pvalue,
        wasserstein_sd=wasserstein / spread if spread > 0 else wasserstein,
        reference_min=low, reference_max=high, out_of_range=out, edges=edges,
        reference_hist=_sorted_hist(ref, inner), current_hist=_sorted_hist(cur, inner),
        reference_std=spread, current_distinct=int(np.count_nonzero(np.diff(cur))) + 1,
    )


def _sorted_hist(ordered: np.ndarray, inner_edges: np.ndarray) -> np.ndarray:
    """Counts per bin of a sorted sample (bins are (-inf, e1], (e1, e2], ..., (ek, inf))."""
    cuts = np.searchsorted(ordered, inner_edges, side="right")
    return np.diff(np.concatenate([[0], cuts, [len(ordered)]]))


def summarize_categorical(reference: pa.ChunkedArray, current: pa.ChunkedArray) -> CategoricalSummary:
    """Counts per category on both sides over one shared dictionary (nulls not counted)."""
    both = pa.chunked_array(list(reference.chunks) + list(current.chunks), type=reference.type)
    encoded = both.dictionary_encode() if not pa.types.is_dictionary(both.type) else both.unify_dictionaries()
    dictionary = encoded.chunk(0).dictionary if encoded.num_chunks else pa.array([], pa.string())
    codes = [pc.fill_null(chunk.indices, -1).to_numpy() for chunk in encoded.chunks]
    ref_codes = np.concatenate(codes[: reference.num_chunks] or [np.empty(0, np.int64)])
    cur_codes = np.concatenate(codes[reference.num_chunks:] or [np.empty(0, np.int64)])
    size = len(dictionary)
    return CategoricalSummary(
        categories=[str(v) for v in dictionary.to_pylist()],
        reference_counts=np.bincount(ref_codes[ref_codes >= 0], minlength=size),
        current_counts=np.bincount(cur_codes[cur_codes >= 0], minlength=size),
    )
