"""Receiving deliveries: verify, parse, store raw, claim the delivery key, apply what they say.

`prepare` is the pure part (no database): it decides accepted / rejected / failed. `write_batch`
writes a batch of prepared deliveries in ONE transaction (group commit): every raw event is stored,
accepted ones claim their (source, delivery_id) key (a retry becomes `duplicate`), and the parsed
signals are applied under a savepoint, so that a bug in applying them leaves the raw event stored
as `accepted` for `replay` instead of losing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mldebt.errors import MldebtError, PayloadError, UnauthorizedError
from mldebt.ingest.common import Delivery, ParsedDelivery
from mldebt.ingest.registry import adapter
from mldebt.service.linker import Linker
from mldebt.store import incidents as incident_store
from mldebt.store import raw_events
from mldebt.store import signals as signal_store
from mldebt.store.database import Store
from mldebt.store.raw_events import ACCEPTED, DUPLICATE, FAILED, PARSED, REJECTED, RawEvent

BACKFILL = "backfill (local file)"
PULLED = "pulled from the source's API"


@dataclass
class Prepared:
    """A delivery after verification and parsing, ready to be written."""

    raw: RawEvent
    parsed: ParsedDelivery | None = None
    error: MldebtError | None = None


@dataclass
class Outcome:
    """What happened to one delivery; the web layer turns it into the HTTP answer."""

    raw_id: int
    status: str
    delivery_id: str | None
    error: MldebtError | None = None
    pull_polls: list[str] = field(default_factory=list)
    effects: dict[str, int] = field(default_factory=dict)


def prepare(delivery: Delivery, secret: str | None, verification: str | None = None) -> Prepared:
    """Verify (unless `verification` says why not: backfill, pulled) and parse; never raises."""
    module = adapter(delivery.source)
    headers = {k: v for k, v in delivery.headers.items() if k in module.kept_headers}

    def raw(status: str, verified: str, error: str | None = None, parsed: ParsedDelivery | None = None) -> RawEvent:
        return RawEvent(source=delivery.source, delivery_id=parsed.delivery_id[:200] if parsed else None,
                        headers=headers, body=delivery.body, received_at=delivery.received_at, verification=verified,
                        status=status, kind=(parsed.kind[:100] if parsed else None), error=error)

    if verification is None:
        try:
            if not secret:
                raise UnauthorizedError(f"no secret configured for {delivery.source}: set MLDEBT_"
                                        f"{delivery.source.upper()}_SECRET; deliveries are refused until then")
            module.verify(delivery, secret)
        except UnauthorizedError as exc:
            return Prepared(raw(REJECTED, f"rejected: {exc.message}"[:200], exc.message), error=exc)
        verification = "verified"
    try:
        parsed = module.parse(delivery)
    except PayloadError as exc:
        return Prepared(raw(FAILED, verification, exc.message), error=exc)
    return Prepared(raw(ACCEPTED, verification, parsed=parsed), parsed=parsed)


def write_batch(session: Session, batch: Sequence[Prepared], linker: Linker, now: dt.datetime | None = None
                ) -> list[Outcome]:
    """Store a batch in the caller's transaction; the caller commits once for all of them."""
    now = now or dt.datetime.now(dt.UTC)
    outcomes = []
    for item in batch:
        raw_id = raw_events.append(session, item.raw)
        outcome = Outcome(raw_id, item.raw.status, item.raw.delivery_id, item.error)
        if item.parsed is not None:
            _accept(session, outcome, item.raw.source, item.parsed, linker, now)
        outcomes.append(outcome)
    return outcomes


def _accept(session: Session, outcome: Outcome, source: str, parsed: ParsedDelivery, linker: Linker,
            now: dt.datetime) -> None:
    if not raw_events.claim(session, source, parsed.delivery_id[:200], outcome.raw_id):
        outcome.status = DUPLICATE
        raw_events.set_status(session, outcome.raw_id, DUPLICATE)
        return
    try:
        with session.begin_nested():
            outcome.effects = apply_parsed(session, parsed, linker, outcome.raw_id)
    except Exception as exc:  # a bug in applying must not lose the delivery: it stays accepted for replay
        raw_events.set_status(session, outcome.raw_id, ACCEPTED, error=f"not applied: {type(exc).__name__}: {exc}")
        return
    outcome.status = PARSED
    outcome.pull_polls = list(parsed.pull_polls)
    raw_events.set_status(session, outcome.raw_id, PARSED, parsed_at=now)


def apply_parsed(session: Session, parsed: ParsedDelivery, linker: Linker, raw_id: int) -> dict[str, int]:
    """Write the domain objects of one delivery; returns counts of what changed."""
    effects: dict[str, int] = {}

    def count(key: str, changed: bool = True) -> None:
        if changed:
            effects[key] = effects.get(key, 0) + 1

    for signal in parsed.signals:
        component = linker.component(signal.source, signal.attributes)
        category = linker.category(signal.text or signal.title, signal.attributes)
        count(incident_store.apply_signal(session, signal, component, str(category), link=f"raw_event:{raw_id}"))
    for ticket in parsed.tickets:
        component = linker.component(ticket.source, ticket.attributes)
        category = linker.category(f"{ticket.subject} {ticket.description}", ticket.attributes)
        count("tickets", signal_store.upsert_ticket(session, ticket, component, str(category)))
    for response in parsed.feedback:
        component = linker.component("zigpoll", response.attributes)
        score = linker.score(response.poll_id, response.answer, response.value_type)
        count("feedback", signal_store.insert_feedback(session, response, component, score))
    for event in parsed.store_events:
        component = linker.component("bigcommerce", event.attributes)
        count("store_events", signal_store.insert_store_event(session, event, component))
    return effects


def receive(store: Store, deliveries: Iterable[Delivery], linker: Linker, secrets: Mapping[str, str | None],
            verification: str | None = None) -> list[Outcome]:
    """Synchronous receive of a batch (CLI backfill, pulls, tests): one transaction, like the server."""
    prepared = [prepare(d, secrets.get(d.source), verification) for d in deliveries]
    with store.session() as session:
        return write_batch(session, prepared, linker)


@dataclass
class ReplayResult:
    parsed: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"parsed": self.parsed, "duplicate": self.duplicate, "failed": self.failed, "errors": self.errors}


def replay(store: Store, linker: Linker, source: str | None = None,
           statuses: Sequence[str] = (FAILED, ACCEPTED)) -> ReplayResult:
    """Re-parse stored raw events (after a parser or inventory fix); verification is not repeated."""
    result = ReplayResult()
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        for row in raw_events.events_to_replay(session, source, statuses):
            delivery = Delivery(source=row.source, body=row.body, headers=dict(row.headers or {}),
                                received_at=incident_store.as_aware(row.received_at) or now)
            try:
                parsed = adapter(row.source).parse(delivery)
            except PayloadError as exc:
                raw_events.set_status(session, row.id, FAILED, error=exc.message)
                result.failed += 1
                result.errors.append(f"raw event {row.id} ({row.source}): {exc.message}")
                continue
            raw_events.set_status(session, row.id, row.status, delivery_id=parsed.delivery_id[:200],
                                  kind=parsed.kind[:100])
            if row.status == ACCEPTED:
                session.execute(raw_events.delete_claim(row.source, parsed.delivery_id[:200], row.id))
            outcome = Outcome(row.id, ACCEPTED, parsed.delivery_id)
            _accept(session, outcome, row.source, parsed, linker, now)
            if outcome.status == PARSED:
                result.parsed += 1
            elif outcome.status == DUPLICATE:
                result.duplicate += 1
            else:
                result.failed += 1
    return result


STATUS_CODES = {PARSED: 202, ACCEPTED: 202, DUPLICATE: 200, REJECTED: 401, FAILED: 422}
