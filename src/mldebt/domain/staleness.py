"""How stale a component's model is: days since its last retrain against its retrain interval.

Apart from `domain.health` (which needs the inventory's pydantic models) because it reads any
object with `last_retrained` and `retrain_every_days`: a parsed inventory entry or a stored row,
so listing the store needs neither the inventory models nor their parser.
"""

from __future__ import annotations

import datetime as dt


def retrain_status(component: object, as_of: dt.date) -> tuple[int | None, bool]:
    """(days since the last retrain, whether the model is overdue). Non-models: (None, False)."""
    last = getattr(component, "last_retrained", None)
    if last is None:
        return None, False
    days = (as_of - last).days
    every = getattr(component, "retrain_every_days", None)
    return days, bool(every is not None and days > every)
