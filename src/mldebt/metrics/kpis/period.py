"""Quarters: "2026Q4" names the calendar quarter 2026-10-01 00:00 UTC (included) to 2027-01-01 (excluded).

Parsed once, here, with one message naming the bad value. A quarter that has not started yet is
refused: it has no data, and freezing it would record zeros as history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from mldebt.errors import UserInputError

QUARTER_PATTERN = re.compile(r"(\d{4})Q([1-4])")
FIRST_YEAR = 1970
MAX_SHOWN_CHARS = 40  # of a bad value in the error message


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, 3 * self.number - 2, 1, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the quarter (excluded)."""
        return self.next().start

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @classmethod
    def of(cls, moment: dt.datetime | dt.date) -> Quarter:
        return cls(moment.year, (moment.month - 1) // 3 + 1)


def parse_quarter(value: str, now: dt.datetime | None = None) -> Quarter:
    """`2026Q4` (case-insensitive `q`); a quarter after the one of `now` is refused."""
    text = value.strip().upper()
    match = QUARTER_PATTERN.fullmatch(text)
    if match is None or int(match.group(1)) < FIRST_YEAR:
        shown = value if len(value) <= MAX_SHOWN_CHARS else value[:MAX_SHOWN_CHARS] + "..."
        raise UserInputError(f"bad quarter {shown!r}: expected YYYYQ1 to YYYYQ4, e.g. 2026Q4")
    quarter = Quarter(int(match.group(1)), int(match.group(2)))
    if now is not None and quarter > Quarter.of(now):
        raise UserInputError(f"quarter {quarter} has not started yet (as of {now:%Y-%m-%d %H:%M} UTC, the "
                             f"current quarter is {Quarter.of(now)})")
    return quarter


@dataclass(frozen=True)
class Period:
    """The window a KPI counts: [start, as_of), as_of = the quarter's end, or now while it runs."""

    quarter: Quarter
    as_of: dt.datetime

    @classmethod
    def for_quarter(cls, quarter: Quarter, now: dt.datetime) -> Period:
        return cls(quarter, min(quarter.end, now))

    @property
    def start(self) -> dt.datetime:
        return self.quarter.start

    @property
    def end(self) -> dt.datetime:
        return self.quarter.end

    @property
    def complete(self) -> bool:
        return self.as_of >= self.quarter.end

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "as_of": self.as_of.isoformat(),
                "complete": self.complete}
