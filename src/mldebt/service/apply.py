"""Applying parsed deliveries to the domain tables, a batch at a time.

One query loads the incidents and tickets a batch touches, signals are applied in memory (so two
signals for one problem in the same batch see each other), and feedback and store events are
inserted with one INSERT ... ON CONFLICT DO NOTHING each; the ORM flushes once at the end. This
keeps the per-delivery cost of group commit small.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from mldebt.ingest.common import ParsedDelivery
from mldebt.service.linker import Linker
from mldebt.store import incidents as incident_store
from mldebt.store import signals as signal_store
from mldebt.store.ingest_tables import FeedbackRow, StoreEventRow


def apply_parsed(session: Session, parsed: ParsedDelivery, linker: Linker, raw_id: int) -> dict[str, int]:
    """Write the domain objects of one delivery; returns counts of what changed."""
    return apply_many(session, [(raw_id, parsed)], linker)[0]


def apply_many(session: Session, items: Sequence[tuple[int, ParsedDelivery]], linker: Linker
               ) -> list[dict[str, int]]:
    """Write the domain objects of many deliveries; per delivery, counts of what changed."""
    effects: list[dict[str, int]] = [{} for _ in items]

    def count(index: int, key: str, changed: bool = True) -> None:
        if changed:
            effects[index][key] = effects[index].get(key, 0) + 1

    with session.no_autoflush:
        incidents = incident_store.load_known(session, {(s.source, s.key) for _, p in items for s in p.signals})
        tickets = signal_store.load_tickets(session, {(t.source, t.external_id) for _, p in items for t in p.tickets})
        feedback_rows, event_rows = [], []
        feedback_owner, event_owner = {}, {}
        for index, (raw_id, parsed) in enumerate(items):
            for signal in parsed.signals:
                component = linker.component(signal.source, signal.attributes)
                category = linker.category(signal.text or signal.title, signal.attributes)
                count(index, incident_store.apply_signal(session, signal, component, str(category),
                                                         link=f"raw_event:{raw_id}", known=incidents))
            for ticket in parsed.tickets:
                component = linker.component(ticket.source, ticket.attributes)
                category = linker.category(f"{ticket.subject} {ticket.description}", ticket.attributes)
                count(index, "tickets", signal_store.upsert_ticket(session, ticket, component, str(category), tickets))
            for response in parsed.feedback:
                score = linker.score(response.poll_id, response.answer, response.value_type)
                component = linker.component("zigpoll", response.attributes)
                feedback_rows.append(signal_store.feedback_values(response, component, score))
                feedback_owner.setdefault(response.response_id, index)
            for event in parsed.store_events:
                event_rows.append(signal_store.store_event_values(event, linker.component("bigcommerce",
                                                                                          event.attributes)))
                event_owner.setdefault(event.event_hash, index)
    session.flush()
    for response_id in signal_store.insert_new(session, FeedbackRow, "response_id", _unique(feedback_rows,
                                                                                            "response_id")):
        count(feedback_owner[response_id], "feedback")
    for event_hash in signal_store.insert_new(session, StoreEventRow, "event_hash", _unique(event_rows, "event_hash")):
        count(event_owner[event_hash], "store_events")
    return effects


def _unique(rows: list[dict[str, object]], key: str) -> list[dict[str, object]]:
    """First row per key: PostgreSQL refuses one INSERT ... ON CONFLICT touching a key twice."""
    seen: dict[object, dict[str, object]] = {}
    for row in rows:
        seen.setdefault(row[key], row)
    return list(seen.values())
