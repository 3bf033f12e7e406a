"""One timestamp shape on every store: API and JSON fields read `...+00:00` on SQLite and PostgreSQL."""

import datetime as dt

from mldebt.domain.incident import IncidentSignal, SignalAction
from mldebt.ingest.common import ParsedDelivery
from mldebt.service.incidents import incident_dicts
from mldebt.service.ingest import apply_parsed
from mldebt.service.linker import Linker
from mldebt.service.tokens import create_api_token, token_list
from mldebt.store.models import ComponentRow

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def test_incident_and_token_timestamps_are_utc_aware_in_json(store):
    east = dt.timezone(dt.timedelta(hours=2))
    signal = IncidentSignal(source="alertmanager", key="alert:a", action=SignalAction.OPEN,
                            at=T0.astimezone(east), title="recs latency", attributes={})
    with store.session() as session:
        apply_parsed(session.connection(), ParsedDelivery("x", signals=[signal]), Linker(), raw_id=1)
    (incident,) = incident_dicts(store)
    assert (incident["opened_at"], incident["intervals"]) == (
        "2026-11-01T12:00:00+00:00", [{"opened_at": "2026-11-01T12:00:00+00:00", "resolved_at": None}])
    create_api_token(store, "viewer", "ci")
    (token,) = token_list(store)
    assert token["created_at"].endswith("+00:00")


def test_orm_timestamps_come_back_aware_and_dates_stay_dates(store):
    with store.session() as session:
        session.add(ComponentRow(name="m", kind="model", lifecycle="production", spec={}, spec_hash="h",
                                 last_retrained=dt.date(2026, 10, 1), created_at=T0, updated_at=T0))
    with store.session() as session:
        row = session.query(ComponentRow).one()
        assert (row.created_at, row.created_at.utcoffset(), row.last_retrained) == (
            T0, dt.timedelta(0), dt.date(2026, 10, 1))
        assert type(row.last_retrained) is dt.date
