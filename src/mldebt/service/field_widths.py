"""Receipt-time check that what a delivery says fits the columns it will be written to.

SQLite stores a string of any length; PostgreSQL refuses one over its `varchar(n)` (and silently cuts
one cast to it in a bulk statement). Found only when applying, such a delivery was answered 202 and
then stayed `accepted` forever (a 150-character Zendesk ticket id, a 300-character fingerprint). It is
refused at receipt instead, as a 422 naming the field and the width. The widths are read from the
tables, so they cannot drift from them. Delivery ids are the exception: a long one is hashed
(`store.raw_events.delivery_key`), because exports legitimately have long ones.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from sqlalchemy import String

from mldebt.domain.incident import FeedbackResponse, IncidentSignal, StoreEvent, Ticket
from mldebt.errors import PayloadError
from mldebt.ingest.common import ParsedDelivery
from mldebt.store.ingest_tables import FeedbackRow, IncidentRow, StoreEventRow, TicketRow

_TABLES: dict[type, tuple[Any, dict[str, str]]] = {
    IncidentSignal: (IncidentRow, {"key": "fingerprint"}), Ticket: (TicketRow, {}),
    FeedbackResponse: (FeedbackRow, {}), StoreEvent: (StoreEventRow, {})}


@functools.cache
def widths(kind: type) -> tuple[tuple[str, int], ...]:
    """(field, width) of the fields of a domain class stored in a bounded string column."""
    table, renamed = _TABLES[kind]
    columns = table.__table__.c
    found = []
    for item in dataclasses.fields(kind):
        column = columns.get(renamed.get(item.name, item.name))
        if column is not None and isinstance(column.type, String) and column.type.length:
            found.append((item.name, int(column.type.length)))
    return tuple(found)


def check_widths(parsed: ParsedDelivery) -> None:
    """`PayloadError` naming the first field of what the delivery says that is longer than its column."""
    for where, items in (("signals", parsed.signals), ("tickets", parsed.tickets), ("feedback", parsed.feedback),
                         ("store_events", parsed.store_events)):
        for index, item in enumerate(items):
            kind: Any = type(item)  # any of the _TABLES classes
            for name, width in widths(kind):
                value = getattr(item, name)
                if isinstance(value, str) and len(value) > width:
                    raise PayloadError(f"{where}[{index}].{name} is {len(value)} characters long; at most {width} "
                                       "are stored", [f"{where}[{index}].{name}"])
