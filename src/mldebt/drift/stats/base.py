"""What the registry knows about a statistic: its function, the column types it fits, its default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mldebt.drift.result import PValueThreshold, TestResult, Threshold, make_result
from mldebt.drift.samples import finite, numeric_effect, require_values

StatFunction = Callable[[np.ndarray, np.ndarray, Threshold | None], TestResult]


@dataclass(frozen=True)
class Statistic:
    name: str
    function: StatFunction
    applies_to: frozenset[str]  # "numeric", "categorical"
    default_threshold: Threshold
    description: str

    def __call__(self, reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
        return self.function(reference, current, threshold)


NUMERIC = frozenset({"numeric"})
CATEGORICAL = frozenset({"categorical"})
ANY = frozenset({"numeric", "categorical"})


def numeric_test(name: str, compute: Callable[[np.ndarray, np.ndarray], Any], minimum: int = 1) -> StatFunction:
    """A numeric two-sample test from a scipy function returning (statistic, pvalue).

    Values are cleaned (finite only), sizes checked, and the effect (Wasserstein in reference
    standard deviations) attached, the same way for every test.
    """
    default = PValueThreshold(0.05)

    def test(reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
        ref, cur = finite(reference), finite(current)
        require_values(ref, cur, minimum)
        result = compute(ref, cur)
        return make_result(name, result.statistic, result.pvalue, numeric_effect(ref, cur), threshold or default)

    test.__name__ = test.__qualname__ = name
    return test
