"""Are a classifier's probabilities calibrated on the reference period, and if not, calibrate them.

Confidence-based performance estimation (`drift.cbpe`) reads a probability of 0.8 as "right 8 times
in 10": that only holds for calibrated scores. `expected_calibration_error` measures the gap over
equal-count (quantile) bins; `needs_calibration` compares it with what a perfectly calibrated model
would show from sampling alone plus `ECE_TOLERANCE`; `fit_calibrator` fits isotonic regression
(scipy.optimize.isotonic_regression, monotone: the model's ranking and so its ROC AUC are kept) on the
reference labels, one-vs-rest per class for multiclass, rows renormalised to sum to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import isotonic_regression

BINS = 10
ECE_TOLERANCE = 0.01
"""Calibration error accepted beyond sampling noise: a model off by one point on average is left as is."""


def expected_calibration_error(probabilities: np.ndarray, outcomes: np.ndarray, bins: int = BINS) -> float:
    """Sum over equal-count bins of score of (bin share) * |observed rate - mean probability|."""
    order = np.argsort(probabilities, kind="stable")
    p, y = probabilities[order], outcomes[order].astype(np.float64)
    total = 0.0
    for part in np.array_split(np.arange(len(p)), min(bins, len(p))):
        total += len(part) / len(p) * abs(float(y[part].mean() - p[part].mean()))
    return total


def sampling_ece(probabilities: np.ndarray, bins: int = BINS) -> float:
    """The ECE a calibrated model shows on average from sampling alone: E|N(0, s_b)| = s_b * sqrt(2/pi)
    per bin, with s_b the binomial standard error at the bin's mean probability."""
    p = np.sort(probabilities)
    total = 0.0
    for part in np.array_split(p, min(bins, len(p))):
        mean = float(part.mean())
        total += len(part) / len(p) * np.sqrt(2 / np.pi) * np.sqrt(mean * (1 - mean) / len(part))
    return total


def needs_calibration(probabilities: np.ndarray, outcomes: np.ndarray) -> bool:
    """ECE above the sampling noise plus `ECE_TOLERANCE`."""
    return bool(expected_calibration_error(probabilities, outcomes) > sampling_ece(probabilities) + ECE_TOLERANCE)


@dataclass(frozen=True)
class Isotonic:
    """A fitted monotone map from score to probability, applied by linear interpolation between the
    distinct reference scores (constant beyond the ends)."""

    scores: np.ndarray
    fitted: np.ndarray

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return np.clip(np.interp(scores, self.scores, self.fitted), 0.0, 1.0)


def fit_isotonic(scores: np.ndarray, outcomes: np.ndarray) -> Isotonic:
    """Isotonic regression of the outcome (0/1) on the score; tied scores pooled first."""
    order = np.argsort(scores, kind="stable")
    x, y = scores[order], outcomes[order].astype(np.float64)
    distinct, start, counts = np.unique(x, return_index=True, return_counts=True)
    means = np.add.reduceat(y, start) / counts
    fitted = isotonic_regression(means, weights=counts.astype(np.float64), increasing=True).x
    return Isotonic(distinct, np.asarray(fitted))


@dataclass(frozen=True)
class Calibrator:
    """One isotonic map per score column: binary P(positive) has one, multiclass one per class."""

    maps: tuple[Isotonic, ...]

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, shaped as `scores` (n,) or (n, k); multiclass rows sum to 1."""
        if scores.ndim == 1:
            return self.maps[0](scores)
        calibrated = np.column_stack([m(scores[:, i]) for i, m in enumerate(self.maps)])
        sums = calibrated.sum(axis=1, keepdims=True)
        uniform = np.full_like(calibrated, 1.0 / calibrated.shape[1])
        return np.divide(calibrated, sums, out=uniform, where=sums > 0)


def one_vs_rest(scores: np.ndarray, label_index: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(probability, outcome) per score column: the positive class for binary, each class otherwise."""
    if scores.ndim == 1:
        return [(scores, label_index == 1)]
    return [(scores[:, i], label_index == i) for i in range(scores.shape[1])]


def fit_calibrator(scores: np.ndarray, label_index: np.ndarray) -> Calibrator:
    """`label_index`: the class position of each row's label (binary: 1 is the positive class)."""
    return Calibrator(tuple(fit_isotonic(p, y) for p, y in one_vs_rest(scores, label_index)))


def calibration_error(scores: np.ndarray, label_index: np.ndarray) -> float:
    """ECE of the positive class (binary) or the mean over classes one-vs-rest (multiclass)."""
    return float(np.mean([expected_calibration_error(p, y) for p, y in one_vs_rest(scores, label_index)]))


def any_needs_calibration(scores: np.ndarray, label_index: np.ndarray) -> bool:
    return any(needs_calibration(p, y) for p, y in one_vs_rest(scores, label_index))


def cross_fitted_error(scores: np.ndarray, label_index: np.ndarray) -> float:
    """ECE after calibration measured honestly: fitted on alternate rows, judged on the others (2 folds).
    An isotonic map judged on its own training rows would look almost perfect."""
    rows = np.arange(len(label_index))
    folds = (rows % 2 == 0, rows % 2 == 1)
    calibrated = np.empty_like(scores, dtype=np.float64)
    for fit, judge in (folds, folds[::-1]):
        calibrated[judge] = fit_calibrator(scores[fit], label_index[fit])(scores[judge])
    return calibration_error(calibrated, label_index)
