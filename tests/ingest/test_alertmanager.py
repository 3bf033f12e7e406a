import base64
import datetime as dt
import json

import pytest

from mldebt.errors import PayloadError, UnauthorizedError
from mldebt.ingest import alertmanager
from mldebt.ingest.common import Delivery
from tests.support.webhooks import fixture


def test_bearer_token_and_basic_auth_are_accepted():
    alertmanager.verify(Delivery("alertmanager", b"{}", {"authorization": "Bearer am-token"}), "am-token")
    basic = base64.b64encode(b"alertmanager:am-token").decode()
    alertmanager.verify(Delivery("alertmanager", b"{}", {"authorization": f"Basic {basic}"}), "am-token")


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic !!!", "Token am-token"])
def test_wrong_or_missing_credentials_are_rejected(auth):
    headers = {"authorization": auth} if auth else {}
    with pytest.raises(UnauthorizedError):
        alertmanager.verify(Delivery("alertmanager", b"{}", headers), "am-token")


def test_firing_opens_at_starts_at_and_resolved_ends_at_ends_at():
    [firing] = alertmanager.parse(Delivery("alertmanager", fixture("alertmanager_firing.json"))).signals
    [resolved] = alertmanager.parse(Delivery("alertmanager", fixture("alertmanager_resolved.json"))).signals
    assert (firing.key, firing.action, resolved.key, resolved.action) == (
        "alert:5f1c2a9e7b3d4c60", "open", "alert:5f1c2a9e7b3d4c60", "resolve")
    assert firing.at == dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    assert resolved.at == dt.datetime(2026, 11, 23, 10, 45, tzinfo=dt.UTC)
    assert firing.attributes["service"] == "recs-api" and firing.title == "recs-api p99 latency above 800ms"


def test_delivery_identity_is_fingerprint_status_and_start():
    first = alertmanager.parse(Delivery("alertmanager", fixture("alertmanager_firing.json")))
    payload = json.loads(fixture("alertmanager_firing.json"))
    payload["receiver"] = "another"  # a repeat notification of the same state
    repeat = alertmanager.parse(Delivery("alertmanager", json.dumps(payload).encode()))
    resolved = alertmanager.parse(Delivery("alertmanager", fixture("alertmanager_resolved.json")))
    assert first.delivery_id == repeat.delivery_id != resolved.delivery_id


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p.update(alerts=[]), "body.alerts must be a non-empty array"),
    (lambda p: p["alerts"][0].update(status="pending"), "body.alerts[0].status must be firing or resolved"),
    (lambda p: p["alerts"][0].pop("startsAt"), "body.alerts[0].startsAt is missing"),
    (lambda p: p["alerts"][0].update(labels="x"), "body.alerts[0].labels must be an object"),
])
def test_malformed_alerts_name_the_field(change, message):
    payload = json.loads(fixture("alertmanager_firing.json"))
    change(payload)
    with pytest.raises(PayloadError) as info:
        alertmanager.parse(Delivery("alertmanager", json.dumps(payload).encode()))
    assert message in info.value.message


def _own_alert(status: str, component: str = "recs-api") -> bytes:
    payload = json.loads(fixture("alertmanager_firing.json"))
    payload["alerts"][0]["status"] = status
    payload["alerts"][0]["labels"].update(mldebt_alert=f"{component}/lag", component=component)
    if status == "resolved":
        payload["alerts"][0]["endsAt"] = "2026-11-23T10:45:00Z"
    return json.dumps(payload).encode()


def test_mldebts_own_alert_joins_its_monitors_incident():
    [firing] = alertmanager.parse(Delivery("alertmanager", _own_alert("firing"))).signals
    [resolved] = alertmanager.parse(Delivery("alertmanager", _own_alert("resolved"))).signals
    assert (firing.source, firing.key, firing.component, firing.action) == (
        "monitor", "monitor:recs-api/lag", "recs-api", "open")
    assert (resolved.source, resolved.key, resolved.action) == ("monitor", "monitor:recs-api/lag", "resolve")


def test_an_alert_label_cannot_name_a_component_the_inventory_lacks():
    from mldebt.service.linker import Linker

    [known] = alertmanager.parse(Delivery("alertmanager", _own_alert("firing"))).signals
    [unknown] = alertmanager.parse(Delivery("alertmanager", _own_alert("firing", "nope"))).signals
    linker = Linker(components=["recs-api"])
    assert (linker.component_of(known), linker.component_of(unknown)) == ("recs-api", None)


def test_mldebts_digest_is_no_incident():
    payload = json.loads(fixture("alertmanager_firing.json"))
    payload["alerts"][0]["labels"] = {"alertname": "MldebtAlertDigest", "mldebt_alert": "recs-api/digest",
                                      "component": "recs-api", "source": "mldebt"}
    assert alertmanager.parse(Delivery("alertmanager", json.dumps(payload).encode())).signals == []
