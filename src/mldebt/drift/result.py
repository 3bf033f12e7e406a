"""The small result object every statistic returns, and thresholds as objects.

All statistics share the field names `statistic`, `pvalue` (None for distances), `effect`,
`threshold`, `drifted` and `method`, so the policy, the CLI, the store and the HTML report treat
them alike. A threshold knows what it compares: a p-value (`PValueThreshold`, drift when
p < value) or a distance (`DistanceThreshold`, drift when statistic >= value).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ThresholdRange:
    """The thresholds a statistic accepts: positive, finite, and below what it can never reach.

    A p-value threshold at 1 or above makes every test drift, one at 0 or NaN none; a distance
    threshold at 0 makes every column drift, and one above a bounded distance's maximum (1 for
    Hellinger, Jensen-Shannon and total variation) none.
    """

    kind: str  # "p-value" or "distance"
    upper: float = math.inf
    upper_included: bool = False

    def allows(self, value: float) -> bool:
        if not (isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)):
            return False
        return value > 0.0 and (value <= self.upper if self.upper_included else value < self.upper)

    def __str__(self) -> str:
        if math.isinf(self.upper):
            return "a finite number > 0"
        return f"a finite number in (0, {self.upper:g}{']' if self.upper_included else ')'}"


P_VALUE = ThresholdRange("p-value", 1.0)
DISTANCE = ThresholdRange("distance")
UNIT_DISTANCE = ThresholdRange("distance", 1.0, upper_included=True)


@dataclass(frozen=True)
class PValueThreshold:
    """Drift when the test's p-value is below `value` (the significance level)."""

    value: float = 0.05
    kind = "pvalue"

    def __post_init__(self) -> None:
        if not P_VALUE.allows(self.value):
            raise ValueError(f"a p-value threshold must be {P_VALUE}, got {self.value!r}")

    def drifted(self, statistic: float, pvalue: float | None) -> bool:
        return pvalue is not None and pvalue < self.value


@dataclass(frozen=True)
class DistanceThreshold:
    """Drift when the distance (or divergence) reaches `value`."""

    value: float
    kind = "distance"

    def __post_init__(self) -> None:
        if not DISTANCE.allows(self.value):
            raise ValueError(f"a distance threshold must be {DISTANCE}, got {self.value!r}")

    def drifted(self, statistic: float, pvalue: float | None) -> bool:
        return statistic >= self.value


Threshold = PValueThreshold | DistanceThreshold


@dataclass(frozen=True)
class TestResult:
    """One statistic's verdict on one column: how different, how sure, how big."""

    method: str
    statistic: float
    pvalue: float | None
    effect: float
    effect_measure: str
    threshold: float
    drifted: bool

    __test__ = False  # not a pytest class

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "statistic": _num(self.statistic), "pvalue": _num(self.pvalue),
                "effect": _num(self.effect), "effect_measure": self.effect_measure,
                "threshold": self.threshold, "drifted": self.drifted}


def _num(value: float | None) -> float | None:
    """JSON has no NaN or infinity: those become null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def make_result(method: str, statistic: float, pvalue: float | None, effect: tuple[float, str],
                threshold: Threshold) -> TestResult:
    """Build a result, deciding `drifted` with the threshold object."""
    statistic = float(statistic)
    pvalue = None if pvalue is None else float(pvalue)
    return TestResult(method=method, statistic=statistic, pvalue=pvalue, effect=float(effect[0]),
                      effect_measure=effect[1], threshold=threshold.value,
                      drifted=threshold.drifted(statistic, pvalue))
