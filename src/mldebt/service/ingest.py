"""Receiving deliveries: verify, parse, store raw, claim the delivery key, apply what they say.

`prepare` is the pure part (no database): it decides accepted / rejected / failed. `store_batch`
writes a batch of prepared deliveries in one transaction (group commit): every raw event is stored,
accepted ones claim their (source, delivery_id) key (a retry becomes `duplicate`). `apply_stored`
applies what the accepted ones say (incidents, tickets, feedback, store events) and marks them
`parsed`; a bug in applying one leaves it stored as `accepted` with the error, for `replay`.
The web server answers after the first step and applies right after (see `service.writer`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from mldebt.errors import MldebtError, PayloadError, UnauthorizedError, short_description
from mldebt.ingest.common import Delivery, ParsedDelivery, body_digest, forensic_headers
from mldebt.ingest.registry import adapter
from mldebt.service.apply import apply_many, apply_parsed
from mldebt.service.field_widths import check_widths
from mldebt.service.linker import Linker
from mldebt.store import raw_events
from mldebt.store.database import Store
from mldebt.store.ingest_tables import RawEventRow
from mldebt.store.raw_events import ACCEPTED, DUPLICATE, FAILED, PARSED, REJECTED, RawEvent, delivery_key

BACKFILL = "backfill (local file)"
REJECTED_BODY_KEPT = 4096
"""Bytes of a rejected delivery's body that are kept (with its size and SHA-256): enough to see what was
sent, while an unauthenticated sender cannot grow the store by more than this per request."""
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
    parsed: ParsedDelivery | None = None  # what an `accepted` delivery says, until it is applied


def prepare(delivery: Delivery, secret: str | None, verification: str | None = None) -> Prepared:
    """Verify (unless `verification` says why not: backfill, pulled) and parse; never raises."""
    module = adapter(delivery.source)
    size, digest = len(delivery.body), body_digest(delivery.body)

    def raw(status: str, verified: str, error: str | None = None, parsed: ParsedDelivery | None = None) -> RawEvent:
        if status == REJECTED:  # anyone can send these: keep what forensics needs, never the whole body
            headers, body = forensic_headers(delivery.headers), delivery.body[:REJECTED_BODY_KEPT]
        else:
            headers, body = {k: v for k, v in delivery.headers.items() if k in module.kept_headers}, delivery.body
        return RawEvent(source=delivery.source, delivery_id=delivery_key(parsed.delivery_id) if parsed else None,
                        headers=headers, body=body, received_at=delivery.received_at, verification=verified,
                        status=status, kind=(parsed.kind[:100] if parsed else None), error=error,
                        body_size=size, body_sha256=digest)

    if verification is None:
        try:
            if not secret:
                raise UnauthorizedError(f"no secret configured for {delivery.source}: set MLDEBT_"
                                        f"{delivery.source.upper()}_SECRET; deliveries are refused until then")
            module.verify(delivery, secret)
        except UnauthorizedError as exc:
            return Prepared(raw(REJECTED, f"rejected: {exc.message}"[:200], exc.message), error=exc)
        except Exception as exc:  # a verifier bug must not turn hostile input into a 5xx
            unchecked = UnauthorizedError(f"credentials could not be checked ({type(exc).__name__})")
            return Prepared(raw(REJECTED, f"rejected: {unchecked.message}"[:200], unchecked.message), error=unchecked)
        verification = "verified"
    try:
        parsed = module.parse(delivery)
        check_widths(parsed)
    except PayloadError as exc:
        return Prepared(raw(FAILED, verification, exc.message), error=exc)
    except Exception as exc:  # a parser bug: kept as failed, replayable once the parser is fixed; never a 5xx
        error = PayloadError(f"payload could not be parsed ({type(exc).__name__}: {exc}); it is kept and "
                             "`mldebt ingest replay` re-parses it after a fix")
        return Prepared(raw(FAILED, verification, error.message[:2000]), error=error)
    return Prepared(raw(ACCEPTED, verification, parsed=parsed), parsed=parsed)


def store_batch(db: Connection, batch: Sequence[Prepared]) -> list[Outcome]:
    """Store a batch of deliveries in the caller's transaction: what a 2xx answer waits for.

    Two statements whatever the batch size: the delivery keys in one INSERT ... ON CONFLICT DO
    NOTHING (the database decides what is a duplicate), then the raw events in one INSERT. A delivery
    that claimed its key is stored `accepted`; `apply_stored` then applies what it says and marks it
    `parsed`, in a later transaction (the server) or the same one (`write_batch`).
    """
    keys = [(item.raw.source, delivery_key(item.parsed.delivery_id)) if item.parsed is not None else None
            for item in batch]
    claimed = raw_events.claim_many(db, list(dict.fromkeys(k for k in keys if k is not None)))
    statuses = []
    for item, key in zip(batch, keys, strict=True):
        status = item.raw.status
        if key is not None:
            status = ACCEPTED if key in claimed else DUPLICATE
            claimed.discard(key)  # a second copy in the same batch is a duplicate
        statuses.append(status)
    ids = raw_events.append_many(db, [item.raw for item in batch], [{"status": s} for s in statuses])
    outcomes = []
    for raw_id, status, item in zip(ids, statuses, batch, strict=True):
        outcome = Outcome(raw_id, status, item.raw.delivery_id, item.error)
        if status == ACCEPTED and item.parsed is not None:
            outcome.parsed = item.parsed
            outcome.pull_polls = list(item.parsed.pull_polls)
        outcomes.append(outcome)
    return outcomes


def apply_stored(db: Connection, outcomes: Sequence[Outcome], linker: Linker, now: dt.datetime | None = None,
                 careful: bool = True) -> None:
    """Apply the effects of stored `accepted` deliveries and mark them `parsed`, in the caller's transaction.

    `careful=False` applies all of them at once and lets an error propagate: the caller rolls back and
    retries with `careful=True`, which tries all under one savepoint and then one savepoint each, so
    that a bug in applying one delivery leaves only that one `accepted` (with the error) for replay.
    """
    now = now or dt.datetime.now(dt.UTC)
    pending = [o for o in outcomes if o.parsed is not None]
    if not pending:
        return
    items = [(o.raw_id, o.parsed) for o in pending if o.parsed is not None]
    if careful:
        try:
            with db.begin_nested():
                effects = apply_many(db, items, linker)
        except Exception:
            for outcome in pending:
                _apply_one(db, outcome, outcome.parsed, linker, now)
            return
    else:
        effects = apply_many(db, items, linker)
    raw_events.mark_parsed(db, [o.raw_id for o in pending], now)
    for outcome, applied in zip(pending, effects, strict=True):
        outcome.status, outcome.effects = PARSED, applied


def write_batch(db: Connection, batch: Sequence[Prepared], linker: Linker, now: dt.datetime | None = None,
                careful: bool = True) -> list[Outcome]:
    """Store a batch and apply it in the caller's transaction (CLI backfill, pulls, tests)."""
    outcomes = store_batch(db, batch)
    apply_stored(db, outcomes, linker, now, careful)
    return outcomes


def _apply_one(db: Connection, outcome: Outcome, parsed: ParsedDelivery | None, linker: Linker,
               now: dt.datetime) -> None:
    """Apply one claimed delivery; on failure it stays stored as `accepted` with the error, for replay."""
    assert parsed is not None
    try:
        with db.begin_nested():
            outcome.effects = apply_parsed(db, parsed, linker, outcome.raw_id)
    except Exception as exc:
        outcome.status = ACCEPTED
        error = f"not applied: {short_description(exc)}"
        raw_events.set_status(db, outcome.raw_id, ACCEPTED, error=error)
        return
    outcome.status = PARSED
    raw_events.set_status(db, outcome.raw_id, PARSED, parsed_at=now)


def receive(store: Store, deliveries: Iterable[Delivery], linker: Linker, secrets: Mapping[str, str | None],
            verification: str | None = None) -> list[Outcome]:
    """Synchronous receive of a batch (CLI backfill, pulls, tests): one transaction, like the server."""
    prepared = [prepare(d, secrets.get(d.source), verification) for d in deliveries]
    with store.session() as session:
        return write_batch(session.connection(), prepared, linker)


@dataclass
class ReplayResult:
    parsed: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"parsed": self.parsed, "duplicate": self.duplicate, "failed": self.failed, "errors": self.errors}


def replay(store: Store, linker: Linker, source: str | None = None,
           statuses: Sequence[str] = (FAILED, ACCEPTED), unapplied_only: bool = False) -> ReplayResult:
    """Re-parse stored raw events (after a parser or inventory fix); verification is not repeated.

    Each event is replayed under its own savepoint: one that still cannot be parsed or stored (a parser
    bug, `RecursionError`, a value the database refuses) is marked `failed` with its reason and replay
    goes on with the next, so one poisonous delivery can never make replay fail for good.
    `unapplied_only` takes only `accepted` events without an error: stored by a server that stopped
    before applying them (see `recover_unapplied`)."""
    result = ReplayResult()
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        db = session.connection()
        for row in raw_events.events_to_replay(session, source, statuses, unapplied_only):
            try:
                with db.begin_nested():
                    status, reason = _replay_one(db, row, linker, now)
            except Exception as exc:  # the database refused what it says: this one fails, replay goes on
                status = FAILED
                reason = f"replay failed: {short_description(exc)}"
                raw_events.set_status(db, row.id, FAILED, error=reason)
            if status == PARSED:
                result.parsed += 1
            elif status == DUPLICATE:
                result.duplicate += 1
            else:
                result.failed += 1
            if reason is not None:
                result.errors.append(f"raw event {row.id} ({row.source}): {reason}")
    return result


def _replay_one(db: Connection, row: RawEventRow, linker: Linker, now: dt.datetime) -> tuple[str, str | None]:
    """Re-parse and apply one stored event: its new status, and why it failed to parse (also stored)."""
    delivery = Delivery(source=row.source, body=row.body, headers=dict(row.headers or {}),
                        received_at=row.received_at or now)
    try:
        parsed = adapter(row.source).parse(delivery)
        check_widths(parsed)
    except PayloadError as exc:
        raw_events.set_status(db, row.id, FAILED, error=exc.message)
        return FAILED, exc.message
    except Exception as exc:  # a parser bug (RecursionError, ...): this one fails, replay goes on
        reason = f"payload could not be parsed ({short_description(exc)})"
        raw_events.set_status(db, row.id, FAILED, error=reason)
        return FAILED, reason
    key = delivery_key(parsed.delivery_id)
    raw_events.set_status(db, row.id, row.status, error=row.error, delivery_id=key, kind=parsed.kind[:100])
    # an `accepted` event already holds its key; a `failed` one must claim it first
    if row.status == FAILED and not raw_events.claim(db, row.source, key):
        raw_events.set_status(db, row.id, DUPLICATE)
        return DUPLICATE, None
    outcome = Outcome(row.id, ACCEPTED, key)
    _apply_one(db, outcome, parsed, linker, now)
    return outcome.status, None


def recover_unapplied(store: Store, linker: Linker) -> ReplayResult:
    """Apply deliveries a previous server process stored and acknowledged but did not live to apply."""
    return replay(store, linker, statuses=(ACCEPTED,), unapplied_only=True)


STATUS_CODES = {PARSED: 202, ACCEPTED: 202, DUPLICATE: 200, REJECTED: 401, FAILED: 422}
