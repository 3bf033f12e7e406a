"""Applying parsed deliveries to the domain tables, a batch at a time.

The incidents and tickets a batch touches are loaded with one query each, signals are applied in
memory (so two signals for one problem in the same batch see each other) and written with a few
set-based statements; feedback and store events are inserted with one INSERT ... ON CONFLICT DO
NOTHING each. All Core statements on the session's connection, no ORM unit of work: this keeps the
per-delivery cost of group commit small (measured in benchmarks/ingest_bench.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from mldebt.domain.incident import IncidentSignal
from mldebt.ingest.common import ParsedDelivery
from mldebt.service.linker import Linker
from mldebt.store import signals as signal_store
from mldebt.store.incident_batch import IncidentBatch
from mldebt.store.ingest_tables import FeedbackRow, StoreEventRow
from mldebt.store.locks import lock_key, lock_keys


def apply_parsed(db: Connection, parsed: ParsedDelivery, linker: Linker, raw_id: int) -> dict[str, int]:
    """Write the domain objects of one delivery; returns counts of what changed."""
    return apply_many(db, [(raw_id, parsed)], linker)[0]


def apply_many(connection: Connection, items: Sequence[tuple[int, ParsedDelivery]], linker: Linker
               ) -> list[dict[str, int]]:
    """Write the domain objects of many deliveries; per delivery, counts of what changed."""
    effects: list[dict[str, int]] = [{} for _ in items]

    def count(index: int, key: str, changed: bool = True) -> None:
        if changed:
            effects[index][key] = effects[index].get(key, 0) + 1

    incidents, tickets = IncidentBatch(), signal_store.TicketBatch()
    incident_keys = {(s.source, s.key) for _, p in items for s in p.signals}
    ticket_keys = {(t.source, t.external_id) for _, p in items for t in p.tickets}
    lock_keys(connection, [lock_key("incident", *k) for k in incident_keys] +
              [lock_key("ticket", *k) for k in ticket_keys])
    incidents.load(connection, incident_keys)
    tickets.load(connection, ticket_keys)
    feedback_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    feedback_owner: dict[str, int] = {}  # response_id -> index of the first delivery that carried it
    event_owner: dict[str, int] = {}  # event_hash -> index of the first delivery that carried it
    for index, (raw_id, parsed) in enumerate(items):
        for signal in parsed.signals:
            component = linker.component_of(signal)
            category = linker.category(signal.text or signal.title, signal.attributes)
            count(index, incidents.apply(signal, component, str(category), link=f"raw_event:{raw_id}"))
        for ticket in parsed.tickets:
            component = linker.component(ticket.source, ticket.attributes)
            category = linker.category(f"{ticket.subject} {ticket.description}", ticket.attributes)
            count(index, "tickets", tickets.apply(ticket, component, str(category)))
        for response in parsed.feedback:
            score = linker.score(response.poll_id, response.answer, response.value_type)
            component = linker.component("zigpoll", response.attributes)
            feedback_rows.append(signal_store.feedback_values(response, component, score))
            feedback_owner.setdefault(response.response_id, index)
        for event in parsed.store_events:
            event_rows.append(signal_store.store_event_values(event, linker.component("bigcommerce",
                                                                                      event.attributes)))
            event_owner.setdefault(event.event_hash, index)
    incidents.write(connection)
    tickets.write(connection)
    for response_id in signal_store.insert_new(connection, FeedbackRow, "response_id",
                                               _unique(feedback_rows, "response_id")):
        count(feedback_owner[response_id], "feedback")
    for event_hash in signal_store.insert_new(connection, StoreEventRow, "event_hash",
                                              _unique(event_rows, "event_hash")):
        count(event_owner[event_hash], "store_events")
    return effects


def apply_signals(connection: Connection, signals: Sequence[IncidentSignal], linker: Linker) -> list[str]:
    """Open, reopen or resolve incidents from signals that came with no delivery (a monitor's SLO
    breach and recovery); per signal: opened, reopened, resolved or unchanged."""
    incidents = IncidentBatch()
    keys = {(s.source, s.key) for s in signals}
    lock_keys(connection, [lock_key("incident", *k) for k in keys])
    incidents.load(connection, keys)
    results = []
    for signal in signals:
        component = linker.component_of(signal)
        category = linker.category(signal.text or signal.title, signal.attributes)
        results.append(incidents.apply(signal, component, str(category), link=None))
    incidents.write(connection)
    return results


def _unique(rows: list[dict[str, object]], key: str) -> list[dict[str, object]]:
    """First row per key: PostgreSQL refuses one INSERT ... ON CONFLICT touching a key twice."""
    seen: dict[object, dict[str, object]] = {}
    for row in rows:
        seen.setdefault(row[key], row)
    return list(seen.values())
