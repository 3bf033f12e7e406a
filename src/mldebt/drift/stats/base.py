"""What the registry knows about a statistic: its function, the column types it fits, its default
threshold and the thresholds it accepts (`threshold_range`, checked by `drift.policy.check_overrides`
and listed in docs/drift.md)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mldebt.drift.result import (
    DISTANCE,
    P_VALUE,
    PValueThreshold,
    TestResult,
    Threshold,
    ThresholdRange,
    make_result,
)
from mldebt.drift.samples import finite, numeric_effect, require_values

StatFunction = Callable[[np.ndarray, np.ndarray, Threshold | None], TestResult]


@dataclass(frozen=True)
class Statistic:
    name: str
    function: StatFunction
    applies_to: frozenset[str]  # "numeric", "categorical", "binary" (a categorical column of at most two values)
    default_threshold: Threshold
    description: str
    max_value: float = math.inf  # the largest value a distance can take (1 for bounded distances)

    @property
    def threshold_range(self) -> ThresholdRange:
        """The thresholds this statistic accepts: (0, 1) for p-values, (0, max] for bounded distances."""
        if self.default_threshold.kind == "pvalue":
            return P_VALUE
        return DISTANCE if math.isinf(self.max_value) else ThresholdRange("distance", self.max_value, True)

    @property
    def fits(self) -> str:
        """The column types it fits, in words (for messages and docs)."""
        return " or ".join(TYPE_WORDS[kind] for kind in ("numeric", "categorical", "binary") if kind in self.applies_to)

    def __call__(self, reference: np.ndarray, current: np.ndarray, threshold: Threshold | None = None) -> TestResult:
        return self.function(reference, current, threshold)


NUMERIC = frozenset({"numeric"})
CATEGORICAL = frozenset({"categorical"})
ANY = frozenset({"numeric", "categorical"})
BINARY = frozenset({"binary"})
TYPE_WORDS = {"numeric": "numeric", "categorical": "categorical", "binary": "binary (two-value)"}


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
