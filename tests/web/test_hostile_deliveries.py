"""Deliveries that used to be answered 202 and then never applied, or that broke replay: refused at receipt."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from mldebt.ingest import sentry
from mldebt.store import raw_events
from mldebt.store.ingest_tables import RawEventRow
from mldebt.store.raw_events import ACCEPTED, FAILED, RawEvent
from tests.support.webhooks import fixture
from tests.web.conftest import post_hook


def rows(store) -> list[tuple[str, str | None]]:
    with store.session() as session:
        return [(r.status, r.error) for r in session.scalars(select(RawEventRow).order_by(RawEventRow.id))]


def test_a_deeply_nested_delivery_gets_422_naming_the_depth(client, store):
    payload = json.loads(fixture("alertmanager_firing.json"))
    body = json.dumps(payload).encode()[:-1] + b', "deep": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = post_hook(client, "alertmanager", body)
    assert response.status_code == 422
    message = "body nests arrays and objects more than 64 levels deep; at most 64 are accepted"
    assert response.json()["error"]["message"] == message
    assert rows(store) == [("failed", message)]


def test_a_signed_delivery_with_a_lone_surrogate_gets_422_naming_the_field(client, store):
    body = fixture("sentry_issue_created.json").replace(b'"title": "', b'"title": "\\ud800', 1)
    response = post_hook(client, "sentry", body)
    assert response.status_code == 422
    message = ("body.data.issue.title holds a lone UTF-16 surrogate (\\ud800), which is not text; send valid "
               "Unicode (a surrogate pair encodes one character)")
    assert response.json()["error"]["message"] == message
    assert rows(store) == [("failed", message)]
    assert client.get("/healthz").json()["unapplied"]["count"] == 0


def test_a_surrogate_pair_is_one_character_and_is_applied(client, store):
    body = fixture("sentry_issue_created.json").replace(b'"title": "', b'"title": "\\ud83d\\ude00 ', 1)
    assert post_hook(client, "sentry", body).status_code == 202
    assert rows(store) == [("parsed", None)]


def test_healthz_reports_deliveries_accepted_and_not_applied_for_seconds(client, store):
    assert client.get("/healthz").json()["status"] == "ok"
    stuck_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    event = RawEvent(source="sentry", delivery_id="req-1", headers={}, body=b"{}", received_at=stuck_at,
                     verification="verified", status=ACCEPTED, error="not applied: UnicodeEncodeError: ...")
    with store.session() as session:
        raw_events.append(session.connection(), event)
    health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["writer"]["unsettled"] == 0  # what it reported alone, before
    assert health["unapplied"] == {"count": 1, "oldest_received_at": stuck_at.isoformat(), "older_than_seconds": 5}


def test_api_replay_answers_200_with_counts_when_one_delivery_crashes_the_parser(client, store, token,
                                                                                 monkeypatch):
    def crash(delivery):
        raise RecursionError("maximum recursion depth exceeded while decoding a JSON array")

    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        for source, name in [("sentry", "sentry_issue_created.json"), ("alertmanager", "alertmanager_firing.json")]:
            raw_events.append(session.connection(), RawEvent(
                source=source, delivery_id=None, headers={}, body=fixture(name), received_at=now,
                verification="verified", status=FAILED, error="old parser"))
    monkeypatch.setattr(sentry, "parse", crash)
    response = client.post("/api/v1/events/replay", headers=token("editor"))
    assert response.status_code == 200
    reason = ("payload could not be parsed (RecursionError: maximum recursion depth exceeded while decoding a "
              "JSON array)")
    assert response.json() == {"parsed": 1, "duplicate": 0, "failed": 1, "errors": [f"raw event 1 (sentry): {reason}"]}
