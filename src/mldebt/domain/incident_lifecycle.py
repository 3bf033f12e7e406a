"""How one signal moves an incident's latest outage: the lifecycle rules, with no storage in sight.

Rules (see `docs/incidents.md`): an open signal for a resolved incident that comes after its
resolution starts a new outage (a reopen); a resolve closes the open outage; a resolve for an
unknown problem records a closed outage from its start; stale or repeated signals change nothing,
so out-of-order and duplicate deliveries are harmless. The store applies these to a whole batch in
memory and writes the result with a few set-based statements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mldebt.domain.incident import IncidentSignal, SignalAction

OPENED, REOPENED, RESOLVED, UNCHANGED = "opened", "reopened", "resolved", "unchanged"


@dataclass
class Outage:
    """One interval of an incident; `resolved_at` is None while it lasts."""

    opened_at: dt.datetime
    resolved_at: dt.datetime | None = None


@dataclass(frozen=True)
class Transition:
    """What a signal does: the result name, the time the latest outage closes at, a new outage."""

    result: str
    close_latest_at: dt.datetime | None = None
    new_outage: Outage | None = None


def signal_start(signal: IncidentSignal) -> dt.datetime:
    return min(signal.started_at or signal.at, signal.at)


def first_outage(signal: IncidentSignal) -> tuple[str, Outage]:
    """The outage of a problem seen for the first time."""
    if signal.action == SignalAction.RESOLVE:
        return RESOLVED, Outage(signal_start(signal), signal.at)
    return OPENED, Outage(signal_start(signal), None)


def transition(latest: Outage, signal: IncidentSignal) -> Transition:
    """The effect of `signal` on an incident whose most recent outage is `latest`."""
    if signal.action == SignalAction.OPEN:
        if latest.resolved_at is None or signal.at <= latest.resolved_at:
            return Transition(UNCHANGED)
        return Transition(REOPENED, new_outage=Outage(signal.at, None))
    if latest.resolved_at is None:
        return Transition(RESOLVED, close_latest_at=max(signal.at, latest.opened_at))
    start = signal_start(signal)
    if start > latest.resolved_at:
        return Transition(REOPENED, new_outage=Outage(start, signal.at))
    return Transition(UNCHANGED)
