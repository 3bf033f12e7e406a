"""Mean time to recovery: mean, median and 90th percentile of resolved outage durations, per group.

The 90th percentile uses linear interpolation between order statistics (numpy's default, the
"inclusive" method of `statistics.quantiles`). Open intervals are counted but not timed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol


class Interval(Protocol):
    @property
    def opened_at(self) -> dt.datetime: ...

    @property
    def resolved_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class MttrResult:
    """MTTR of one group; durations in minutes, None when nothing in the group was resolved."""

    group: str
    incidents: int
    resolved: int
    open: int
    mean_minutes: float | None
    median_minutes: float | None
    p90_minutes: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "incidents": self.incidents, "resolved": self.resolved, "open": self.open,
                "mean_minutes": _round(self.mean_minutes), "median_minutes": _round(self.median_minutes),
                "p90_minutes": _round(self.p90_minutes)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mttr(group: str, intervals: Iterable[Interval]) -> MttrResult:
    items = list(intervals)
    minutes = [(i.resolved_at - i.opened_at).total_seconds() / 60.0 for i in items if i.resolved_at is not None]
    if not minutes:
        return MttrResult(group, len(items), 0, len(items), None, None, None)
    return MttrResult(group, len(items), len(minutes), len(items) - len(minutes), statistics.fmean(minutes),
                      statistics.median(minutes), percentile(minutes, 90.0))


def quarter(moment: dt.datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def mttr_by(intervals: Iterable[Interval], key: Callable[[Any], str]) -> list[MttrResult]:
    """MTTR per group, groups sorted by name."""
    groups: dict[str, list[Interval]] = {}
    for interval in intervals:
        groups.setdefault(key(interval), []).append(interval)
    return [mttr(name, members) for name, members in sorted(groups.items())]
