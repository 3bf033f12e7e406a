"""SLO verdicts from the values a Prometheus query gave (pure: no I/O, no clock).

Threshold mode (`slo_verdict`): the SLO is breached when the value is beyond the threshold at
*every* point of the window, so one slow scrape does not open an incident; it holds again as soon
as one point of the window is within. A NaN point says nothing (a ratio of two zero rates: no
traffic) and is left out; +Inf is beyond any "above" threshold, -Inf beyond any "below" one. A
window with no numeric point at all is `no_data`: the monitor cannot say, which is a monitor
error, not an incident and not an all-clear.

Burn-rate mode (`burn_rate_verdict`, the SRE workbook's multi-window, multi-burn-rate alert): the
query gives the error ratio over a window; a pair (fast: 1h and 5m at 14.4x, slow: 6h and 30m at
6x by default) burns when the ratio is above factor x (1 - objective) over both its long and its
short window. The long window says the budget is really burning, the short one that it still is
(so the alert resolves soon after the problem ends). Breached when any pair burns.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mldebt.domain.monitoring import format_duration

WINDOW_VARIABLE = "$window"


class SloResult(StrEnum):
    OK = "ok"
    BREACH = "breach"
    NO_DATA = "no_data"


def is_beyond(value: float, threshold: float, comparison: str) -> bool:
    """Strictly beyond: a value equal to the threshold holds. NaN is never beyond."""
    if comparison == "above":
        return value > threshold
    if comparison == "below":
        return value < threshold
    raise ValueError(f"comparison must be above or below, got {comparison!r}")


@dataclass(frozen=True)
class SloVerdict:
    result: SloResult
    threshold: float
    comparison: str
    points: int  # numeric points in the window (NaN left out)
    beyond: int  # of them, beyond the threshold
    value: float | None  # the last numeric value; None with no data


def slo_verdict(points: Iterable[float], threshold: float, comparison: str) -> SloVerdict:
    """The verdict over the values of the window, in time order."""
    numbers = [p for p in points if not math.isnan(p)]
    beyond = sum(1 for p in numbers if is_beyond(p, threshold, comparison))
    result = SloResult.NO_DATA if not numbers else SloResult.BREACH if beyond == len(numbers) else SloResult.OK
    return SloVerdict(result, threshold, comparison, len(numbers), beyond, numbers[-1] if numbers else None)


@dataclass(frozen=True)
class PairReading:
    """The error ratio of one window pair (None or NaN: no data for that window)."""

    name: str  # fast | slow
    factor: float
    long: float | None
    short: float | None


@dataclass(frozen=True)
class PairVerdict:
    name: str
    limit: float  # factor x (1 - objective): the error ratio both windows must exceed
    long: float | None
    short: float | None
    burning: bool

    @property
    def value(self) -> float | None:
        """The ratio that decides: the pair burns exactly when this is above `limit`."""
        known = [r for r in (self.long, self.short) if r is not None]
        return min(known) if len(known) == 2 else None


@dataclass(frozen=True)
class BurnVerdict:
    result: SloResult
    objective: float
    pairs: tuple[PairVerdict, ...]
    deciding: PairVerdict | None  # the burning pair (fast first), else the pair nearest its limit

    @property
    def value(self) -> float | None:
        return self.deciding.value if self.deciding else None

    @property
    def threshold(self) -> float | None:
        return self.deciding.limit if self.deciding else None


def burn_rate_verdict(objective: float, readings: Sequence[PairReading]) -> BurnVerdict:
    """Breach when any pair's long and short error ratios are both above its limit; no data when
    no window of any pair has a numeric ratio."""
    if not 0 < objective < 1:
        raise ValueError(f"objective must be between 0 and 1, got {objective}")
    budget = 1.0 - objective
    pairs = []
    for reading in readings:
        long, short = _known(reading.long), _known(reading.short)
        limit = reading.factor * budget
        burns = long is not None and short is not None and long > limit and short > limit
        pairs.append(PairVerdict(reading.name, limit, long, short, burns))
    if all(p.long is None and p.short is None for p in pairs):
        return BurnVerdict(SloResult.NO_DATA, objective, tuple(pairs), None)
    burning = [p for p in pairs if p.burning]
    if burning:
        return BurnVerdict(SloResult.BREACH, objective, tuple(pairs), burning[0])
    measured = [p for p in pairs if p.value is not None]
    nearest = max(measured, key=lambda p: p.value / p.limit if p.value is not None else 0.0, default=None)
    return BurnVerdict(SloResult.OK, objective, tuple(pairs), nearest)


def _known(ratio: float | None) -> float | None:
    return None if ratio is None or math.isnan(ratio) else ratio


def with_window(query: str, window: dt.timedelta) -> str:
    """`query` with every `$window` replaced by the window as a PromQL duration (5m, 1h, 90s)."""
    return query.replace(WINDOW_VARIABLE, format_duration(window))


def default_step(window: dt.timedelta, points: int = 10) -> dt.timedelta:
    """About `points` evaluations across the window, at least one second apart."""
    return max(dt.timedelta(seconds=1), dt.timedelta(seconds=int(window.total_seconds() // points)))
