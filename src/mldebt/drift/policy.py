"""The default drift policy: which test per column, the correction across columns, the verdict.

Why these defaults (docs/drift.md has the long form):
- A significance test per column, chosen by type and size: Kolmogorov-Smirnov for numbers (exact
  up to 10,000 values per side), chi-square of homogeneity for categories (rare categories pooled
  so every expected count is at least 5), the two-proportion z-test for binary columns and Fisher's
  exact test when a binary table is too small for the z-test.
- Holm's step-down correction at a family-wise level of 1%: with 40 undrifted columns, at most
  one run in a hundred raises any false alarm (a daily check: about one false alarm a quarter).
- An effect size on every verdict (Wasserstein distance in reference standard deviations for
  numbers, Jensen-Shannon distance for categories) and a floor of 0.02 on it, so that at tens of
  millions of rows a significant but negligible change is reported, not alarmed.
- The dataset drifts when the (optionally importance-weighted) share of drifted columns reaches 0.5.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mldebt.drift.stats import get_statistic

MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class Policy:
    """Drift policy; `methods` and `thresholds` override it per column."""

    alpha: float = 0.01
    min_effect: float = 0.02
    drift_share: float = 0.5
    methods: Mapping[str, str] = field(default_factory=dict)
    thresholds: Mapping[str, float] = field(default_factory=dict)
    importance: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, got {self.alpha!r}")
        if not 0 < self.drift_share <= 1:
            raise ValueError(f"drift_share must be in (0, 1], got {self.drift_share!r}")
        if self.min_effect < 0:
            raise ValueError(f"min_effect must be >= 0, got {self.min_effect!r}")
        for column, method in self.methods.items():
            try:
                get_statistic(method)
            except ValueError as exc:
                raise ValueError(f"column {column!r}: {exc}") from None
        for column, weight in self.importance.items():
            if weight < 0:
                raise ValueError(f"importance of {column!r} must be >= 0, got {weight!r}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **overrides: Any) -> Policy:
        """From the `drift:` section of mldebt.yaml, then CLI overrides (per-column maps merged)."""
        known = {"alpha", "min_effect", "drift_share", "methods", "thresholds", "importance"}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"unknown drift setting(s) {', '.join(unknown)}: expected {', '.join(sorted(known))}")
        values: dict[str, Any] = {key: config[key] for key in known if key in config}
        for key, value in overrides.items():
            if key in ("methods", "thresholds", "importance"):
                values[key] = {**values.get(key, {}), **value}
            elif value is not None:
                values[key] = value
        return cls(**values)


def pool_rare(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Merge categories whose expected count is below 5 into one bucket (chi-square's validity rule).

    Returns the pooled counts and how many categories were pooled.
    """
    total_ref, total_cur = ref_counts.sum(), cur_counts.sum()
    pooled_total = ref_counts + cur_counts
    expected_min = np.minimum(pooled_total * total_ref, pooled_total * total_cur) / max(total_ref + total_cur, 1)
    rare = expected_min < MIN_EXPECTED
    if rare.sum() <= 1:
        return ref_counts, cur_counts, 0
    keep = ~rare
    return (np.append(ref_counts[keep], ref_counts[rare].sum()), np.append(cur_counts[keep], cur_counts[rare].sum()),
            int(rare.sum()))


def holm_adjust(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (compare each with the family-wise alpha)."""
    m = len(pvalues)
    order = np.argsort(pvalues, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[index]))
        adjusted[index] = running
    return adjusted.tolist()


def dataset_share(drifted: Mapping[str, bool], importance: Mapping[str, float]) -> float:
    """Share of drifted columns, weighted by importance when given (unlisted columns weigh 1)."""
    if not drifted:
        return 0.0
    weights = {name: float(importance.get(name, 1.0)) for name in drifted}
    total = sum(weights.values())
    if total == 0:
        return 0.0
    return sum(w for name, w in weights.items() if drifted[name]) / total
