"""Multivariate drift by a domain classifier: how well can a model tell reference rows from current?

If the two tables come from the same distribution no model can separate them and the
cross-validated ROC AUC of "is this row from current?" stays near 0.5; the further above 0.5, the
more the joint distribution moved. The model is an L2-regularized logistic regression fitted by
Newton's method in numpy (no scikit-learn), on the reconstruction engine's encoding (numeric columns
standardized, categoricals one-hot, missing values imputed: `reconstruction.fit_encoder`) plus the
squares and pairwise products of the first `MAX_INTERACTION_COLUMNS` numeric columns, so that a
changed correlation (which moves no mean) is separable by a linear model.

Verdict: drift when the out-of-fold AUC is above `0.5 + sigmas * sd0`, where sd0 is the AUC's
standard deviation under no difference (Hanley and McNeil's, for the two sample sizes), and at least
`min_auc` (an effect floor: with many rows a tiny, harmless difference is significant).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from mldebt.drift.reconstruction import fit_encoder
from mldebt.drift.result import _num
from mldebt.errors import UserInputError

MAX_ROWS = 20_000  # rows sampled per side (the AUC's sd at 20,000 per side is about 0.003)
MAX_INTERACTION_COLUMNS = 10  # numeric columns whose squares and pairwise products are features
MIN_ROWS = 50  # per side
RIDGE = 1.0  # L2 penalty on the coefficients (not the intercept)
NEWTON_STEPS = 25


@dataclass
class ClassifierResult:
    auc: float
    threshold: float
    drifted: bool
    rows_per_side: int
    folds: int
    n_features: int
    columns: list[str]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"method": "domain_classifier", "auc": _num(self.auc), "threshold": _num(self.threshold),
                "drifted": self.drifted, "rows_per_side": self.rows_per_side, "folds": self.folds,
                "n_features": self.n_features, "columns": self.columns, "notes": self.notes}


def domain_classifier(reference: pa.Table, current: pa.Table, *, columns: list[str] | None = None,
                      types: Mapping[str, str] | None = None, folds: int = 5, sigmas: float = 3.0,
                      min_auc: float = 0.55, seed: int = 0) -> ClassifierResult:
    """The cross-validated AUC of a logistic regression telling current rows from reference rows."""
    if isinstance(folds, bool) or not isinstance(folds, int) or not 2 <= folds <= 20:
        raise UserInputError(f"domain classifier: folds must be a whole number from 2 to 20, got {folds!r}")
    n = min(reference.num_rows, current.num_rows, MAX_ROWS)
    if n < MIN_ROWS:
        raise UserInputError(f"domain classifier needs at least {MIN_ROWS} rows on each side (reference "
                             f"{reference.num_rows}, current {current.num_rows})")
    notes: list[str] = []
    encoder = fit_encoder(reference, current, columns, types or {}, notes)
    rng = np.random.default_rng(seed)
    ref_rows = np.sort(rng.choice(reference.num_rows, n, replace=False))
    cur_rows = np.sort(rng.choice(current.num_rows, n, replace=False))
    if n < max(reference.num_rows, current.num_rows):
        notes.append(f"a balanced sample of {n} rows from each side")
    features = np.vstack([_features(encoder.encode(reference.take(ref_rows)), len(encoder.numeric)),
                          _features(encoder.encode(current.take(cur_rows)), len(encoder.numeric))])
    labels = np.r_[np.zeros(n), np.ones(n)]
    fold_of = np.empty(2 * n, dtype=np.int64)
    for side in (slice(0, n), slice(n, 2 * n)):  # stratified: each fold holds both sides equally
        fold_of[side] = rng.permutation(np.arange(n) % folds)
    scores = np.empty(2 * n)
    for k in range(folds):
        test = fold_of == k
        weights = _fit_logistic(features[~test], labels[~test])
        scores[test] = features[test] @ weights[1:] + weights[0]
    auc = _auc(scores[n:], scores[:n])
    threshold = max(min_auc, 0.5 + sigmas * math.sqrt((2 * n + 1) / (12 * n * n)))
    return ClassifierResult(auc=auc, threshold=threshold, drifted=auc >= threshold, rows_per_side=n, folds=folds,
                            n_features=features.shape[1], columns=list(dict.fromkeys(encoder.owners)), notes=notes)


def _features(encoded: np.ndarray, n_numeric: int) -> np.ndarray:
    """The encoding, and the squares and pairwise products of the first numeric columns."""
    numeric = encoded[:, :min(n_numeric, MAX_INTERACTION_COLUMNS)]
    i, j = np.triu_indices(numeric.shape[1])
    return np.hstack([encoded, numeric[:, i] * numeric[:, j]])


def _fit_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Intercept and coefficients of an L2-regularized logistic regression (Newton's method)."""
    design = np.hstack([np.ones((len(x), 1)), x])
    weights = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], RIDGE)
    penalty[0] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ weights, -30, 30)))
        gradient = design.T @ (p - y) + penalty * weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return weights


def _auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count half)."""
    from scipy.stats import rankdata

    ranks = rankdata(np.r_[positive, negative])
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
