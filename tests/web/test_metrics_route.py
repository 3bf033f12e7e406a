"""`GET /metrics`: a viewer token, the store's values, and request metrics labelled by route template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.support.metrics_data import EXPECTED, samples, seed

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_metrics_without_a_token_or_with_an_unknown_one_are_refused(client):
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    unknown = client.get("/metrics", headers={"authorization": "Bearer nope"})
    assert unknown.status_code == 401 and "unknown or revoked" in unknown.json()["error"]["message"]


def test_a_viewer_token_reads_the_exposition(client, token):
    response = client.get("/metrics", headers=token("viewer"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")


def test_metrics_give_the_store_values(client, token, store):
    seed(store, dt.datetime.now(dt.UTC))
    got = samples(client.get("/metrics", headers=token("viewer")).text)
    assert {key: got.get(key) for key in EXPECTED} == EXPECTED


def test_request_metrics_use_the_route_template_and_one_label_for_unknown_paths(client, token):
    viewer = token("viewer")
    for event_id in (123, 456):
        assert client.get(f"/api/v1/events/{event_id}", headers=viewer).status_code == 404
    assert client.get("/no/such/path").status_code == 404
    assert client.get("/also/unknown/42").status_code == 404
    assert client.post("/hooks/sentry", content=b"{}").status_code == 401  # the fast path, unsigned
    assert client.request("BREW", "/healthz").status_code == 405
    got = samples(client.get("/metrics", headers=viewer).text)
    requests = {labels: value for (name, labels), value in got.items() if name == "mldebt_http_requests_total"}
    assert requests == {
        (("code", "404"), ("method", "GET"), ("route", "/api/v1/events/{event_id}")): 2.0,
        (("code", "404"), ("method", "GET"), ("route", "(unmatched)")): 2.0,
        (("code", "401"), ("method", "POST"), ("route", "/hooks/{source}")): 1.0,
        (("code", "405"), ("method", "other"), ("route", "/healthz")): 1.0,
    }  # the scrape being answered is counted once it is done
    histogram = ("mldebt_http_request_duration_seconds_count",
                 (("method", "GET"), ("route", "/api/v1/events/{event_id}")))
    assert got[histogram] == 2.0
    again = samples(client.get("/metrics", headers=viewer).text)
    assert again[("mldebt_http_requests_total", (("code", "200"), ("method", "GET"), ("route", "/metrics")))] == 1.0


def test_the_metrics_route_and_every_metric_are_documented(client, token, store):
    seed(store, dt.datetime.now(dt.UTC))
    text = DOCS.read_text()
    assert "`GET /metrics`" in text
    names = {name.removesuffix("_bucket").removesuffix("_count").removesuffix("_sum")
             for name, _ in samples(client.get("/metrics", headers=token("viewer")).text)}
    assert sorted(name for name in names if f"`{name}`" not in text) == []
