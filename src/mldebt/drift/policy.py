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

Every setting is checked here, once, before any work (issue 9, item 8): a NaN threshold once turned
drift off for a column, a threshold of 5 made every test drift, and a method for a missing column or
of the wrong type was accepted. The ranges per method live in the registry
(`Statistic.threshold_range`); docs/drift.md lists them and a test keeps the two equal.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mldebt.drift.result import P_VALUE
from mldebt.drift.stats import get_statistic
from mldebt.errors import UserInputError

MIN_EXPECTED = 5.0
PER_COLUMN = ("methods", "thresholds", "importance")
OPTIONS = {"methods": "--method", "thresholds": "--threshold"}  # the CLI spelling of per-column settings
# The test that judges a column without a --method, by column type (all p-value tests, in the Holm family).
DEFAULT_TESTS = {"numeric": "method ks", "categorical": "method chisquare, ztest or fisher",
                 "boolean": "method ztest or fisher", "text": "the text test"}


@dataclass(frozen=True)
class Policy:
    """Drift policy; `methods` and `thresholds` override it per column.

    `labels` holds how each setting was written (`--threshold price=nan`, `drift.alpha=5
    (mldebt.yaml)`), so that every message names the option and the value as the user gave them;
    `lenient` the per-column settings that may name a column the data lacks (the inventory's
    `drift:` section covers every dataset). Scalars and method names are checked here; the
    per-column settings against the data by `check_overrides`, which `compare` calls first.
    """

    alpha: float = 0.01
    min_effect: float = 0.02
    drift_share: float = 0.5
    methods: Mapping[str, str] = field(default_factory=dict)
    thresholds: Mapping[str, float] = field(default_factory=dict)
    importance: Mapping[str, float] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    lenient: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not (_is_number(self.alpha) and 0 < self.alpha < 1):
            raise UserInputError(f"{self.label('alpha')}: alpha must be a finite number in (0, 1)")
        if not (_is_number(self.drift_share) and 0 < self.drift_share <= 1):
            raise UserInputError(f"{self.label('drift_share')}: drift_share must be a finite number in (0, 1]")
        if not (_is_number(self.min_effect) and self.min_effect >= 0):
            raise UserInputError(f"{self.label('min_effect')}: min_effect must be a finite number >= 0")
        for column, method in self.methods.items():
            try:
                get_statistic(method)
            except ValueError as exc:
                raise UserInputError(f"{self.label('methods', column)}: {exc}") from None
        for column, weight in self.importance.items():
            if not (_is_number(weight) and weight >= 0):
                raise UserInputError(f"{self.label('importance', column)}: importance must be a finite number >= 0")
        # The command line gives thresholds as text: numbers from here on, the rest left for the range check.
        object.__setattr__(self, "thresholds", {column: _number(value) for column, value in self.thresholds.items()})

    def label(self, setting: str, column: str | None = None) -> str:
        """How a setting was written, for messages: `--threshold price=nan`, or `thresholds.price=nan`."""
        key = setting if column is None else f"{setting}.{column}"
        if key in self.labels:
            return self.labels[key]
        value = getattr(self, setting) if column is None else getattr(self, setting)[column]
        return f"{key}={_show(value)}"

    @classmethod
    def from_config(cls, config: Mapping[str, Any], source: str = "mldebt.yaml", **overrides: Any) -> Policy:
        """From the `drift:` section of mldebt.yaml (`source`), then CLI overrides (per-column maps merged)."""
        known = {"alpha", "min_effect", "drift_share", *PER_COLUMN}
        unknown = sorted(set(config) - known)
        if unknown:
            raise UserInputError(f"unknown drift setting(s) {', '.join(unknown)} in {source}: expected "
                                 f"{', '.join(sorted(known))}")
        values: dict[str, Any] = {key: config[key] for key in known if key in config}
        labels: dict[str, str] = {}
        for key in PER_COLUMN:
            if not isinstance(values.get(key, {}), Mapping):
                raise UserInputError(f"drift.{key} in {source}: expected a map of column: value, got "
                                     f"{_show(values[key])}")
            labels |= {f"{key}.{column}": f"drift.{key}.{column}={_show(value)} ({source})"
                       for column, value in values.get(key, {}).items()}
        labels |= {key: f"drift.{key}={_show(values[key])} ({source})" for key in known - set(PER_COLUMN)
                   if key in values}
        lenient = frozenset(labels)
        for key, value in overrides.items():
            if key in PER_COLUMN:
                values[key] = {**values.get(key, {}), **value}
                labels |= {f"{key}.{column}": f"{OPTIONS.get(key, key)} {column}={_show(setting)}"
                           for column, setting in value.items()}
                lenient -= {f"{key}.{column}" for column in value}
            elif value is not None:
                values[key], labels[key] = value, f"{key}={_show(value)}"
        return cls(**values, labels=labels, lenient=lenient)


def check_overrides(policy: Policy, shared: Sequence[str], types: Mapping[str, str | None],
                    distinct: Callable[[str], int]) -> None:
    """Every per-column setting against the data, before any work: one `UserInputError` naming it.

    `shared` are the columns of both inputs, `types` the type of each column being compared (None
    when the inputs disagree: the column is not compared, so nothing to check) and
    `distinct` counts a categorical column's values (binary tests need two at most). A column the
    data lacks is an error unless the setting came from the inventory file (`lenient`); a method
    must fit the column's type; a threshold must be in the range of the method that will use it
    (`Statistic.threshold_range`; without a method, the default p-value tests').
    """
    for setting in PER_COLUMN:
        for column in getattr(policy, setting):
            key = f"{setting}.{column}"
            if column not in types:
                if key in policy.lenient:
                    continue
                raise UserInputError(f"{policy.label(setting, column)}: {missing_column(column, shared, list(types))}")
            kind = types[column]
            if kind is None:
                continue
            if setting == "methods":
                _check_method(policy, column, kind, distinct)
            elif setting == "thresholds":
                _check_threshold(policy, column, kind)


def missing_column(column: str, shared: Sequence[str], compared: Sequence[str]) -> str:
    """Why a named column is not there: not in both inputs, or left out by --columns."""
    if column in shared:
        return f"column {column!r} is not among --columns ({_names(list(compared))})"
    return f"no column {column!r} in both inputs (shared columns: {_names(list(shared))})"


def _check_method(policy: Policy, column: str, kind: str, distinct: Callable[[str], int]) -> None:
    label, statistic = policy.label("methods", column), get_statistic(policy.methods[column])
    if kind in ("text", "datetime"):
        raise UserInputError(f"{label}: {column!r} is a {kind} column, {_not_chosen(kind)}")
    fits = "numeric" if kind == "numeric" else "categorical"
    if fits not in statistic.applies_to and not (fits == "categorical" and "binary" in statistic.applies_to):
        raise UserInputError(f"{label}: {statistic.name} needs a {statistic.fits} column, {column!r} is {kind}")
    if statistic.applies_to == {"binary"} and (values := distinct(column)) > 2:
        raise UserInputError(f"{label}: {statistic.name} needs a {statistic.fits} column, {column!r} has "
                             f"{values} values")


def _check_threshold(policy: Policy, column: str, kind: str) -> None:
    label = policy.label("thresholds", column)
    if column in policy.methods:
        statistic = get_statistic(policy.methods[column])
        allowed, test = statistic.threshold_range, f"method {statistic.name}"
    elif kind in DEFAULT_TESTS:
        allowed, test = P_VALUE, DEFAULT_TESTS[kind]
    else:
        raise UserInputError(f"{label}: {column!r} is a {kind} column, {_not_chosen(kind)}")
    if not allowed.allows(policy.thresholds[column]):
        raise UserInputError(f"{label}: threshold must be {allowed} for {test} ({allowed.kind})")


def _not_chosen(kind: str) -> str:
    if kind == "text":
        return "compared by the text test (no method can be chosen for it)"
    return "which is not tested (it orders the data: use --window)"


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: Any) -> Any:
    """A threshold as a float when it reads as one (`"0.05"` from the command line); else as given."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _show(value: Any) -> str:
    """A value as the user wrote it: text as is, 5.0 as 5, NaN as nan."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:g}" if math.isnan(value) or math.isinf(value) or float(f"{value:g}") == value else repr(value)
    return repr(value)


def _names(names: Sequence[str]) -> str:
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "") if names else "none"


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
