"""Weekly buckets computed by the database: which week of a window a timestamp falls in.

A time-series chart of the dashboard is one GROUP BY over a bounded window, bucketed here: the week
number is whole seconds since the window's start, integer-divided by a week, so a moment exactly
at a week's boundary lands in the week it starts (no floating-point julian days). SQLite reads
`UtcDateTime`'s naive UTC text with `strftime('%s')`; PostgreSQL takes the epoch of a timestamptz.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Float, Integer, cast, func, literal

WEEK_SECONDS = 7 * 86400


def epoch_seconds(dialect: str, column: Any) -> Any:
    """Whole seconds since 1970-01-01 UTC of a `UtcDateTime` column, in SQL."""
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


def week_index(dialect: str, column: Any, start: dt.datetime) -> Any:
    """0 for the week starting at `start`, 1 for the next...; only for rows at or after `start`."""
    offset = literal(int(start.timestamp()), BigInteger)
    return (epoch_seconds(dialect, column) - offset) // literal(WEEK_SECONDS, BigInteger)


def duration_seconds(dialect: str, start: Any, end: Any) -> Any:
    """end - start in seconds (NULL while `end` is NULL), computed by the database."""
    if dialect == "sqlite":
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
    return cast(func.extract("epoch", end - start), Float)
