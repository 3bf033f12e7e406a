"""The lifecycle rules on their own: how one signal moves an incident's latest outage."""

import datetime as dt

import pytest

from mldebt.domain.incident import IncidentSignal, SignalAction
from mldebt.domain.incident_lifecycle import (
    OPENED,
    REOPENED,
    RESOLVED,
    UNCHANGED,
    Outage,
    first_outage,
    transition,
)

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def signal(action: str, minutes: float, started: float | None = None) -> IncidentSignal:
    return IncidentSignal(source="alertmanager", key="a", action=SignalAction(action), at=at(minutes), title="t",
                          started_at=at(started) if started is not None else None)


def test_first_signal_opens_or_records_a_closed_outage_from_its_start():
    assert first_outage(signal("open", 5)) == (OPENED, Outage(at(5), None))
    assert first_outage(signal("resolve", 30, started=10)) == (RESOLVED, Outage(at(10), at(30)))
    assert first_outage(signal("open", 5, started=9)) == (OPENED, Outage(at(5), None))  # a start after `at` is ignored


@pytest.mark.parametrize(("latest", "sig", "expected"), [
    (Outage(at(0)), signal("open", 5), (UNCHANGED, None, None)),                      # already open
    (Outage(at(0)), signal("resolve", 30), (RESOLVED, at(30), None)),
    (Outage(at(10)), signal("resolve", 5), (RESOLVED, at(10), None)),                 # never before it opened
    (Outage(at(0), at(30)), signal("open", 20), (UNCHANGED, None, None)),             # stale open
    (Outage(at(0), at(30)), signal("open", 30), (UNCHANGED, None, None)),             # same instant
    (Outage(at(0), at(30)), signal("open", 90), (REOPENED, None, Outage(at(90)))),
    (Outage(at(0), at(30)), signal("resolve", 40, started=10), (UNCHANGED, None, None)),  # repeated resolve
    (Outage(at(0), at(30)), signal("resolve", 100, started=90), (REOPENED, None, Outage(at(90), at(100)))),
])
def test_transition(latest, sig, expected):
    step = transition(latest, sig)
    assert (step.result, step.close_latest_at, step.new_outage) == expected
    assert latest.resolved_at in (None, at(30))  # the rules never change their input
