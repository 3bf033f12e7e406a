"""Request limits of every route through the ASGI app: bodies (413), headers (431), URL (414), delivery ids."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from mldebt.store.ingest_tables import RawEventRow
from tests.support.webhooks import fixture, signed_headers
from tests.web.conftest import settle

TOO_LARGE = {"error": {"code": "payload_too_large", "message": "request body of 70000 bytes is over the 64 KiB "
                       "limit of the API", "details": []}}


def test_an_api_body_over_64_kib_gets_413_in_the_one_shape(client, token):
    response = client.post("/api/v1/tokens", content=b"{" + b" " * 69_998 + b"}", headers=token("admin"))
    assert (response.status_code, response.json()) == (413, TOO_LARGE)


def test_an_api_body_without_a_declared_length_is_cut_off_at_64_kib(client, token):
    def chunks():
        for _ in range(100):
            yield b" " * 1024

    response = client.post("/api/v1/incidents/1/component", content=chunks(), headers=token("editor"))
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "request body is over the 64 KiB limit of the API"


def test_every_route_bounds_its_body_even_an_unknown_one(client):
    response = client.post("/nowhere", content=b"x" * 70_000)
    assert (response.status_code, response.json()) == (413, TOO_LARGE)


def test_a_small_api_body_still_works(client, token):
    response = client.post("/api/v1/tokens", json={"role": "viewer", "name": "grafana"}, headers=token("admin"))
    assert response.status_code == 201


def test_more_than_100_headers_get_431_in_the_one_shape(client):
    response = client.get("/healthz", headers={f"x-h{n}": "v" for n in range(100)})  # and the client's own 5
    assert (response.status_code, response.json()) == (431, {"error": {
        "code": "request_header_fields_too_large", "message": "105 request headers are more than the 100 accepted",
        "details": []}})


def test_headers_over_16_kib_get_431_on_webhooks_too(client, store):
    body = fixture("alertmanager_firing.json")
    response = client.post("/hooks/alertmanager", content=body,
                           headers={**signed_headers("alertmanager", body), "x-pad": "v" * 17_000})
    assert response.status_code == 431
    assert response.json()["error"]["code"] == "request_header_fields_too_large"
    assert response.json()["error"]["message"].endswith("bytes are over the 16 KiB limit")
    with store.session() as session:
        assert list(session.scalars(select(RawEventRow))) == []


def test_a_url_over_8_kib_gets_414(client):
    response = client.get("/healthz?q=" + "a" * 9000)
    assert (response.status_code, response.json()["error"]["code"]) == (414, "uri_too_long")


def test_a_delivery_id_longer_than_its_column_is_stored_hashed_and_a_retry_is_a_duplicate(client, store):
    body = fixture("sentry_issue_created.json")
    long_id = "req-" + "7" * 5000
    first = client.post("/hooks/sentry", content=body, headers=signed_headers("sentry", body, request_id=long_id))
    again = client.post("/hooks/sentry", content=body, headers=signed_headers("sentry", body, request_id=long_id))
    settle(client)
    key = "sha256:" + hashlib.sha256(long_id.encode()).hexdigest()
    assert [(r.status_code, r.json()["status"], r.json()["delivery_id"]) for r in (first, again)] == [
        (202, "accepted", key), (200, "duplicate", key)]
