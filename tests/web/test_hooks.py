"""Webhook endpoints through the ASGI app, on SQLite and PostgreSQL."""

import json

import pytest
from sqlalchemy import func, select

from mldebt.errors import StoreError
from mldebt.store.ingest_tables import IncidentRow, RawEventRow, TicketRow
from tests.support.webhooks import fixture, signed_headers
from tests.web.conftest import post_hook

SOURCES_AND_FIXTURES = [("sentry", "sentry_issue_created.json"), ("alertmanager", "alertmanager_firing.json"),
                        ("zendesk", "zendesk_ticket_created.json"), ("zigpoll", "zigpoll_response.json"),
                        ("bigcommerce", "bigcommerce_order_created.json")]


def raw_rows(store):
    with store.session() as session:
        return list(session.scalars(select(RawEventRow).order_by(RawEventRow.id)))


@pytest.mark.parametrize(("source", "name"), SOURCES_AND_FIXTURES)
def test_signed_delivery_is_stored_raw_and_parsed(client, store, source, name):
    body = fixture(name)
    response = post_hook(client, source, body)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "accepted"  # stored; applied right after (post_hook waits for it)
    [row] = raw_rows(store)
    assert (row.source, row.status, row.verification, row.body) == (source, "parsed", "verified", body)
    assert "authorization" not in row.headers


def test_sentry_retry_is_acknowledged_and_not_counted_twice(client, store):
    body = fixture("sentry_issue_created.json")
    first = post_hook(client, "sentry", body, request_id="req-1")
    again = post_hook(client, "sentry", body, request_id="req-1")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["status"] == "duplicate"
    assert [r.status for r in raw_rows(store)] == ["parsed", "duplicate"]
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(IncidentRow)) == 1


def test_zendesk_retry_with_same_event_id_is_a_duplicate(client, store):
    body = fixture("zendesk_ticket_created.json")
    assert post_hook(client, "zendesk", body).status_code == 202
    assert post_hook(client, "zendesk", body).status_code == 200
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(TicketRow)) == 1


def test_bad_signature_gets_401_and_is_kept_as_rejected(client, store):
    body = fixture("sentry_issue_created.json")
    response = client.post("/hooks/sentry", content=body, headers=signed_headers("sentry", body, secret="wrong"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert "Sentry-Hook-Signature does not match the body" in response.json()["error"]["message"]
    [row] = raw_rows(store)
    assert (row.status, row.body) == ("rejected", body)


def test_source_without_secret_refuses_and_keeps_the_delivery(store, linker):
    from fastapi.testclient import TestClient

    from mldebt.web.app import create_app

    body = fixture("alertmanager_firing.json")
    with TestClient(create_app(store, linker, {"alertmanager": None})) as no_secret:
        response = no_secret.post("/hooks/alertmanager", content=body, headers={"authorization": "Bearer anything"})
    assert response.status_code == 401
    assert "MLDEBT_ALERTMANAGER_SECRET" in response.json()["error"]["message"]
    assert [r.status for r in raw_rows(store)] == ["rejected"]


def test_malformed_payload_gets_422_naming_the_field_and_is_listed_as_failed(client, store, token):
    body = json.dumps({"version": "4", "status": "firing", "alerts": [{"status": "firing", "labels": {}}]}).encode()
    response = post_hook(client, "alertmanager", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_payload" and error["message"] == "body.alerts[0].startsAt is missing"
    listed = client.get("/api/v1/events", params={"status": "failed"}, headers=token("viewer")).json()
    assert [(e["source"], e["error"]) for e in listed] == [("alertmanager", "body.alerts[0].startsAt is missing")]


def test_body_over_one_mib_gets_413(client, store):
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    response = post_hook(client, "sentry", body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert [r.status for r in raw_rows(store)] == ["rejected"]


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("post", "/hooks/nagios", 404, "not_found"),
    ("get", "/hooks/sentry", 405, "method_not_allowed"),
    ("get", "/nowhere", 404, "not_found"),
    ("get", "/api/v1/incidents?limit=0", 401, "unauthorized"),
])
def test_every_error_has_the_one_shape(client, method, path, status, code):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert list(response.json()) == ["error"]
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert response.json()["error"]["code"] == code


def test_validation_error_has_the_one_shape(client, token):
    response = client.get("/api/v1/incidents?limit=0", headers=token("viewer"))
    assert response.status_code == 422
    assert response.json() == {"error": {
        "code": "invalid_request", "message": "query.limit: Input should be greater than or equal to 1",
        "details": [{"loc": ["query", "limit"], "message": "Input should be greater than or equal to 1"}]}}


def test_healthz(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_firing_then_resolved_alert_makes_one_resolved_incident_linked_to_its_component(client, store):
    assert post_hook(client, "alertmanager", fixture("alertmanager_firing.json")).status_code == 202
    assert post_hook(client, "alertmanager", fixture("alertmanager_resolved.json")).status_code == 202
    with store.session() as session:
        [incident] = session.scalars(select(IncidentRow))
        assert (incident.component, incident.category, incident.reopen_count) == ("recs-api", "latency", 0)
        assert incident.resolved_at is not None


def test_nul_characters_never_cause_a_5xx_and_the_delivery_is_kept(client, store):
    payload = json.loads(fixture("alertmanager_firing.json"))
    payload["alerts"][0]["annotations"]["summary"] = "latency\u0000high"
    payload["alerts"][0]["labels"]["service\u0000"] = "recs\u0000api"
    body = json.dumps(payload).encode()
    response = post_hook(client, "alertmanager", body)
    assert response.status_code == 202, response.text
    [row] = raw_rows(store)
    assert (row.body, row.status) == (body, "parsed")
    with store.session() as session:
        assert session.scalar(select(IncidentRow.title)) == "latencyhigh"


class FailingWriter:
    """Stands in for the server's writer and fails every delivery with `error`."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def submit(self, prepared):
        raise self.error


def post_through_failing_writer(client, error: Exception, source: str, name: str):
    ctx = client.app.state.ctx
    real, ctx.writer = ctx.writer, FailingWriter(error)
    try:
        body = fixture(name)
        return client.post(f"/hooks/{source}", content=body, headers=signed_headers(source, body))
    finally:
        ctx.writer = real


def test_a_bug_behind_the_webhook_fast_path_is_a_500_in_the_one_error_shape(client):
    """The fast path sits outside FastAPI's error handlers, so it must give their answer itself."""
    response = post_through_failing_writer(client, RuntimeError("a bug, not the payload"), "sentry",
                                           "sentry_issue_created.json")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error", "details": [],
                                         "message": "internal error: RuntimeError (it has been logged)"}}


def test_store_unavailable_is_a_503_with_retry_after_so_senders_retry(client):
    error = StoreError("the store is unavailable (ConnectionRefusedError); nothing was stored, retry later")
    response = post_through_failing_writer(client, error, "alertmanager", "alertmanager_firing.json")
    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    assert response.json()["error"]["code"] == "store_error"
