"""Receiving deliveries: verify, parse, store raw, claim the delivery key, apply what they say.

`prepare` is the pure part (no database): it decides accepted / rejected / failed. `write_batch`
writes a batch of prepared deliveries in ONE transaction (group commit): every raw event is stored,
accepted ones claim their (source, delivery_id) key (a retry becomes `duplicate`), and the parsed
signals are applied under a savepoint, so that a bug in applying them leaves the raw event stored
as `accepted` for `replay` instead of losing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mldebt.errors import MldebtError, PayloadError, UnauthorizedError
from mldebt.ingest.common import Delivery, ParsedDelivery
from mldebt.ingest.registry import adapter
from mldebt.service.apply import apply_many, apply_parsed
from mldebt.service.linker import Linker
from mldebt.store import incidents as incident_store
from mldebt.store import raw_events
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
        except Exception as exc:  # a verifier bug must not turn hostile input into a 5xx
            error = UnauthorizedError(f"credentials could not be checked ({type(exc).__name__})")
            return Prepared(raw(REJECTED, f"rejected: {error.message}"[:200], error.message), error=error)
        verification = "verified"
    try:
        parsed = module.parse(delivery)
    except PayloadError as exc:
        return Prepared(raw(FAILED, verification, exc.message), error=exc)
    except Exception as exc:  # a parser bug: kept as failed, replayable once the parser is fixed; never a 5xx
        error = PayloadError(f"payload could not be parsed ({type(exc).__name__}: {exc}); it is kept and "
                             "`mldebt ingest replay` re-parses it after a fix")
        return Prepared(raw(FAILED, verification, error.message[:2000]), error=error)
    return Prepared(raw(ACCEPTED, verification, parsed=parsed), parsed=parsed)


def write_batch(session: Session, batch: Sequence[Prepared], linker: Linker, now: dt.datetime | None = None,
                careful: bool = True) -> list[Outcome]:
    """Store a batch in the caller's transaction; the caller commits once for all of them.

    A handful of statements per batch, whatever its size: the delivery keys in one INSERT ... ON
    CONFLICT DO NOTHING (the database decides what is a duplicate), the raw events with their final
    status in one INSERT, then the domain effects. `careful=False` applies the effects without
    savepoints and lets an error propagate: the caller rolls back and retries with `careful=True`,
    which isolates each delivery's effects (the fast path for the common case, the safe one on error).
    """
    now = now or dt.datetime.now(dt.UTC)
    keys = [(item.raw.source, item.parsed.delivery_id[:200]) if item.parsed is not None else None for item in batch]
    claimed = raw_events.claim_many(session, list(dict.fromkeys(k for k in keys if k is not None)))
    statuses, raws = [], []
    for item, key in zip(batch, keys, strict=True):
        status = item.raw.status
        if key is not None:
            status = PARSED if key in claimed else DUPLICATE
            claimed.discard(key)  # a second copy in the same batch is a duplicate
        statuses.append(status)
        parsed_at = now if status == PARSED else None
        raws.append(dataclasses.replace(item.raw, status=status, parsed_at=parsed_at))
    ids = raw_events.append_many(session, raws)
    outcomes = [Outcome(raw_id, status, item.raw.delivery_id, item.error)
                for raw_id, status, item in zip(ids, statuses, batch, strict=True)]
    winners = [(o, item) for o, item in zip(outcomes, batch, strict=True) if o.status == PARSED]
    if careful:
        _apply_all(session, winners, linker, now)
    elif winners:
        effects = apply_many(session, [(o.raw_id, item.parsed) for o, item in winners if item.parsed], linker)
        _record_effects(winners, effects)
    return outcomes


def _apply_all(session: Session, winners: Sequence[tuple[Outcome, Prepared]], linker: Linker,
               now: dt.datetime) -> None:
    """Apply every winner's effects under one savepoint; if that fails, one savepoint each, so that a
    bug in applying one delivery leaves only that one `accepted` (with the error) for replay."""
    if not winners:
        return
    try:
        with session.begin_nested():
            effects = apply_many(session, [(o.raw_id, item.parsed) for o, item in winners if item.parsed], linker)
    except Exception:
        for outcome, item in winners:
            _apply_one(session, outcome, item.parsed, linker, now)
        return
    _record_effects(winners, effects)


def _record_effects(winners: Sequence[tuple[Outcome, Prepared]], effects: Sequence[dict[str, int]]) -> None:
    for (outcome, item), applied in zip(winners, effects, strict=True):
        outcome.effects = applied
        outcome.pull_polls = list(item.parsed.pull_polls) if item.parsed else []


def _apply_one(session: Session, outcome: Outcome, parsed: ParsedDelivery | None, linker: Linker,
               now: dt.datetime) -> None:
    """Apply one claimed delivery; on failure it stays stored as `accepted` with the error, for replay."""
    assert parsed is not None
    try:
        with session.begin_nested():
            outcome.effects = apply_parsed(session, parsed, linker, outcome.raw_id)
    except Exception as exc:
        outcome.status = ACCEPTED
        error = f"not applied: {type(exc).__name__}: {exc}".replace("\x00", "")[:2000]
        raw_events.set_status(session, outcome.raw_id, ACCEPTED, error=error)
        return
    outcome.status = PARSED
    outcome.pull_polls = list(parsed.pull_polls)
    raw_events.set_status(session, outcome.raw_id, PARSED, parsed_at=now)


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
            raw_events.set_status(session, row.id, row.status, error=row.error,
                                  delivery_id=parsed.delivery_id[:200], kind=parsed.kind[:100])
            outcome = Outcome(row.id, ACCEPTED, parsed.delivery_id)
            # an `accepted` event already holds its key; a `failed` one must claim it first
            if row.status == FAILED and not raw_events.claim(session, row.source, parsed.delivery_id[:200]):
                outcome.status = DUPLICATE
                raw_events.set_status(session, row.id, DUPLICATE)
            else:
                _apply_one(session, outcome, parsed, linker, now)
            if outcome.status == PARSED:
                result.parsed += 1
            elif outcome.status == DUPLICATE:
                result.duplicate += 1
            else:
                result.failed += 1
    return result


STATUS_CODES = {PARSED: 202, ACCEPTED: 202, DUPLICATE: 200, REJECTED: 401, FAILED: 422}
