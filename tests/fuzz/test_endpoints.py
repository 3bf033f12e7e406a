"""Hostile deliveries through the ASGI app, correctly signed so they reach the parsers: never a 5xx."""

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mldebt.store.database import open_store
from mldebt.web.app import create_app
from tests.fuzz.strategies import FIXTURES, bodies
from tests.support.webhooks import SECRETS, signed_headers


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}")
    with TestClient(create_app(store, secrets=SECRETS), raise_server_exceptions=False) as test_client:
        yield test_client
    store.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_signed_hostile_deliveries_never_get_a_5xx(client, data):
    source = data.draw(st.sampled_from(sorted(FIXTURES)))
    body = data.draw(bodies(source))
    response = client.post(f"/hooks/{source}", content=body, headers=signed_headers(source, body))
    assert response.status_code in (200, 202, 422), response.text
    if response.status_code == 422:
        assert set(response.json()["error"]) == {"code", "message", "details"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.text(max_size=20), body=st.binary(max_size=300),
       headers=st.dictionaries(st.sampled_from(["authorization", "sentry-hook-signature", "webhook-signature",
                                                "webhook-id", "webhook-timestamp", "x-mldebt-secret",
                                                "x-zendesk-webhook-signature", "sentry-hook-resource"]),
                               st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)))
def test_unsigned_garbage_is_refused_without_a_5xx(client, source, body, headers):
    response = client.post(f"/hooks/{quote(source, safe='')}", content=body, headers=headers)
    assert response.status_code in (401, 404, 405, 422) or response.status_code < 300, response.text
    assert response.status_code < 500
