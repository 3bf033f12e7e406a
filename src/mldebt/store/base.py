"""The declarative base every table module registers on, and the one timestamp type.

Kept apart from the table modules so that they import it and never each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


@overload
def as_aware(value: dt.datetime) -> dt.datetime: ...
@overload
def as_aware(value: None) -> None: ...
def as_aware(value: dt.datetime | None) -> dt.datetime | None:
    """A naive datetime is read as UTC; an aware one is converted to UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A UTC-aware timestamp on every database.

    PostgreSQL keeps `timestamptz`; SQLite has no time zone and returns naive values. This type
    stores UTC on both and always returns an aware UTC datetime, so an API field never changes
    shape with the store behind it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        aware = as_aware(value)
        return aware.replace(tzinfo=None) if dialect.name == "sqlite" else aware

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return as_aware(value)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}
