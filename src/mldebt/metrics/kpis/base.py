"""What every KPI shares: its specification (one row of the registry), its result, the change rule.

A KPI is a pure function of the quarter's records (`QuarterData`) that returns one headline
`value` (the number the previous quarter is compared with), a few named `details` and, where a
component can be blamed, the same per component. Values are rounded here, once, so that the CLI,
the JSON, the review snapshot and the tests all see the same number.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mldebt.metrics.kpis.records import QuarterData

UNLINKED = "(unlinked)"  # the group of records that name no component (as in `mldebt incidents`)
Detail = float | int | str | None


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


@dataclass(frozen=True)
class Measure:
    """A KPI's numbers over one scope: all components, or one."""

    value: float | None
    details: Mapping[str, Detail] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, **self.details}


@dataclass(frozen=True)
class KpiResult:
    total: Measure
    by_component: dict[str, Measure] | None = None  # None: the KPI has no per-component breakdown

    def by_component_dict(self) -> dict[str, dict[str, Any]] | None:
        if self.by_component is None:
            return None
        return {name: self.by_component[name].to_dict() for name in sorted(self.by_component)}


@dataclass(frozen=True)
class KpiSpec:
    """One row of the registry: the only place a KPI's id, name, unit, definition and direction live."""

    id: str
    name: str
    unit: str
    direction: Direction
    definition: str  # one sentence; docs/kpis.md has the full formula (a test checks the ids match)
    compute: Callable[[QuarterData], KpiResult]

    def change_is_good(self, value: float | None, previous: float | None) -> bool | None:
        """True when the value moved the good way since the previous quarter; None when either is
        missing or nothing changed."""
        if value is None or previous is None or value == previous:
            return None
        return (value > previous) == (self.direction == Direction.HIGHER_IS_BETTER)


def ratio(part: float, whole: float, digits: int = 4) -> float | None:
    """part / whole rounded, None when the whole is zero (a share of nothing is not 0 %)."""
    return None if whole == 0 else round(part / whole, digits)


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return statistics.fmean(items) if items else None


def median(values: Iterable[float]) -> float | None:
    items = list(values)
    return float(statistics.median(items)) if items else None


def group(component: str | None) -> str:
    return component if component is not None else UNLINKED


COUNT_UNITS = ("items", "tickets", "alerts")


def format_value(value: float, unit: str, *, count_unit: bool = False) -> str:
    """A KPI value in its unit, the same in the CLI, the board report and its Markdown: shares as
    percentages, hours with "h", scores with two decimals, counts as they are (followed by their unit,
    "35 items", when `count_unit`)."""
    if unit == "share":
        return f"{value:.1%}"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit.startswith("score"):
        return f"{value:.2f}"
    return f"{value:g} {unit}" if count_unit and unit in COUNT_UNITS else f"{value:g}"
