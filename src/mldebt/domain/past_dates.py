"""`PastDate`: a date in an inventory that must have happened (a retrain, a change, a governance review).

Apart from `domain.component` so that `domain.monitoring` (which it imports) can bound its audit dates
the same way. "Today" is the validation context's `today` (tests, `--as-of`), else today in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

EARLIEST_DATE = dt.date(1970, 1, 1)
FUTURE_TOLERANCE = dt.timedelta(days=1)  # a date written in a time zone ahead of UTC is still "today"


def _today(info: ValidationInfo) -> dt.date:
    """The validation context's `today` (tests, `--as-of`), else today in UTC."""
    context = info.context if isinstance(info.context, dict) else {}
    today = context.get("today")
    return today if isinstance(today, dt.date) else dt.datetime.now(dt.UTC).date()


def _past_date(value: dt.date, info: ValidationInfo) -> dt.date:
    """A date that has happened: not before 1970, not after tomorrow (a retrain cannot be in the future)."""
    if value < EARLIEST_DATE:
        raise ValueError(f"date {value.isoformat()} is before {EARLIEST_DATE.isoformat()}")
    latest = _today(info) + FUTURE_TOLERANCE
    if value > latest:
        raise ValueError(f"date {value.isoformat()} is in the future (today is {_today(info).isoformat()})")
    return value


PastDate = Annotated[dt.date, AfterValidator(_past_date)]
