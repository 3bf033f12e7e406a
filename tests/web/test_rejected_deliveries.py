"""A delivery that fails authentication keeps what forensics needs, never its whole body or its secrets."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from mldebt.store.ingest_tables import RawEventRow
from tests.support.webhooks import signed_headers


def test_a_one_megabyte_unauthenticated_body_keeps_4_kib_with_its_exact_size_and_sha256(client, store, token):
    body = (b'{"pad": "' + bytes(range(97, 123)) * 38_462)[:999_998] + b'"}'  # 1,000,000 bytes
    assert len(body) == 1_000_000
    headers = {**signed_headers("sentry", body, secret="wrong"), "authorization": "Bearer guess",
               "cookie": "session=abc", "x-api-key": "k-123", "user-agent": "curl/8.5"}
    response = client.post("/hooks/sentry", content=body, headers=headers)
    assert response.status_code == 401
    with store.session() as session:
        [row] = session.scalars(select(RawEventRow))
        stored = (row.status, row.body, row.body_size, row.body_sha256, row.headers)
    assert stored[:4] == ("rejected", body[:4096], 1_000_000, hashlib.sha256(body).hexdigest())
    kept = stored[4]
    assert kept["sentry-hook-signature"] == "[redacted, 64 characters]"
    assert (kept["authorization"], kept["cookie"], kept["x-api-key"]) == (
        "[redacted, 12 characters]", "[redacted, 11 characters]", "[redacted, 5 characters]")
    assert (kept["user-agent"], kept["request-id"]) == ("curl/8.5", headers["request-id"])
    assert "guess" not in str(kept) and "abc" not in str(kept)
    listed = client.get("/api/v1/events", headers=token()).json()
    assert [(e["status"], e["size"], e["sha256"], e["body_kept"]) for e in listed] == [
        ("rejected", 1_000_000, hashlib.sha256(body).hexdigest(), 4096)]


def test_headers_of_a_rejected_delivery_are_bounded(client, store):
    body = b'{"a": 1}'
    headers = {"authorization": "Bearer nope", "x-long": "v" * 3000, **{f"x-h{n}": "y" * 100 for n in range(40)}}
    assert client.post("/hooks/alertmanager", content=body, headers=headers).status_code == 401
    with store.session() as session:
        [row] = session.scalars(select(RawEventRow))
        kept = row.headers
    assert kept["x-long"] == "v" * 512 + "...[cut, 3000 characters]"
    assert sum(len(k) + len(v) for k, v in kept.items()) <= 4096 + 100
    assert kept["..."].endswith("more headers not kept")


def test_accepted_deliveries_keep_their_whole_body_size_and_sha256(client, store):
    from tests.support.webhooks import fixture
    from tests.web.conftest import post_hook

    body = fixture("alertmanager_firing.json")
    assert post_hook(client, "alertmanager", body).status_code == 202
    with store.session() as session:
        [row] = session.scalars(select(RawEventRow))
        assert (row.body, row.body_size, row.body_sha256) == (body, len(body), hashlib.sha256(body).hexdigest())
