"""In `mldebt serve` every write goes through the one writer: a Zigpoll pull fetches in a thread and
hands its records to the writer; replay, linking and token creation run as the writer's units of work.

"Through the writer" is observable: on SQLite the writer runs on the event loop, so every INSERT,
UPDATE and DELETE of the server runs on one thread; on PostgreSQL it writes through its own asyncpg
engine, so the store's (blocking) engine writes nothing at all.
"""

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mldebt.ingest.common import Delivery
from mldebt.integrations.zigpoll import ZigpollClient
from mldebt.service.ingest import PULLED, prepare, store_batch
from mldebt.service.pull import pull_poll
from mldebt.service.tokens import create_api_token
from mldebt.store import raw_events
from mldebt.store.ingest_tables import FeedbackRow, IncidentRow
from mldebt.store.raw_events import ACCEPTED
from mldebt.web.app import create_app
from tests.support.fake_vendors import FakeServer, ZigpollHandler
from tests.support.transactions import EngineWatch, watched_client
from tests.support.webhooks import SECRETS, fixture, fixture_json, signed_headers
from tests.web.conftest import settle

POLL = "66f1c0a9e4b0c2a1d3f4e5a7"
WAIT = 20.0  # generous bounds: only a hang reaches them


class SlowZigpoll(ZigpollHandler):
    """Holds the second page of `/responses` until the test releases it: a pull in progress."""

    second_page_asked: threading.Event
    release: threading.Event

    def do_GET(self) -> None:
        if "startCursor" in self.path:
            type(self).second_page_asked.set()
            type(self).release.wait(WAIT)
        super().do_GET()


def writing_threads(store) -> int:
    """How many threads write through the store's own engine when every write is the writer's."""
    return 1 if store.engine.dialect.name == "sqlite" else 0


@pytest.fixture
def slow_zigpoll():
    SlowZigpoll.throttled = False
    SlowZigpoll.second_page_asked, SlowZigpoll.release = threading.Event(), threading.Event()
    with FakeServer(SlowZigpoll) as server:
        yield server
    SlowZigpoll.release.set()


def sentry_delivery(n: int) -> tuple[bytes, dict[str, str]]:
    payload = fixture_json("sentry_issue_created.json")
    payload["data"]["issue"]["id"] = str(8_000 + n)
    body = json.dumps(payload).encode()
    return body, signed_headers("sentry", body, request_id=f"during-pull-{n}")


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_a_slow_pull_never_delays_a_webhook_and_its_records_are_stored_by_the_writer(request, store, slow_zigpoll):
    client = ZigpollClient(slow_zigpoll.url, "zp-api-key")
    watch, open_at_request = watched_client(request, client, store.engine)
    app = create_app(store, secrets=SECRETS,
                     poll_puller=lambda poll, write: pull_poll(store, app.state.ctx.linker, client, poll, write))
    trigger = fixture("zigpoll_trigger.json")

    def feedback() -> int:
        with store.session() as session:
            return len(list(session.scalars(select(FeedbackRow))))

    with TestClient(app) as api:
        assert api.post("/hooks/zigpoll", content=trigger, headers=signed_headers("zigpoll", trigger)
                        ).status_code == 202
        assert SlowZigpoll.second_page_asked.wait(WAIT), "the trigger started no pull"
        # the pull now waits on Zigpoll; deliveries sent meanwhile are answered and stored
        answers = [api.post("/hooks/sentry", content=body, headers=headers).status_code
                   for body, headers in map(sentry_delivery, range(4))]
        settle(api)
        assert answers == [202] * 4
        with store.session() as session:
            assert [e.status for e in raw_events.list_events(session, source="sentry")] == ["parsed"] * 4
            assert len(list(session.scalars(select(IncidentRow)))) == 4
        assert feedback() == 0 and not SlowZigpoll.release.is_set()  # all while the pull was in progress
        SlowZigpoll.release.set()
        wait_for(lambda: feedback() == 3, "the pulled responses")
        settle(api)
        stats = api.get("/healthz").json()["writer"]
    assert stats["deliveries"] == 1 + 4 + 3  # the trigger, the webhooks and the pulled records: one writer
    assert len(watch.writer_threads) == writing_threads(store)  # no write beside the writer
    assert open_at_request == [0, 0, 0]  # 429, page 1, page 2: the pull held no transaction while fetching
    with store.session() as session:
        events = sorted(raw_events.list_events(session), key=lambda e: e.id)
    assert [(e.source, e.verification == PULLED) for e in events] == (
        [("zigpoll", False)] + [("sentry", False)] * 4 + [("zigpoll", True)] * 3)


def test_replay_linking_and_tokens_of_the_api_write_through_the_writer(store):
    admin = {"authorization": f"Bearer {create_api_token(store, 'admin', 'test')['token']}"}
    body, headers = sentry_delivery(1)
    with store.engine.begin() as connection:  # stored, then applying failed: waits for a replay
        [stored] = store_batch(connection, [prepare(Delivery("sentry", body, headers), SECRETS["sentry"])])
        raw_events.set_status(connection, stored.raw_id, ACCEPTED, error="not applied: RuntimeError: bug")
    watch = EngineWatch(store.engine)
    try:
        with TestClient(create_app(store, secrets=SECRETS)) as api:
            assert api.post("/api/v1/events/replay", headers=admin).json() == {
                "parsed": 1, "duplicate": 0, "failed": 0, "errors": []}
            [incident] = api.get("/api/v1/incidents", headers=admin).json()
            linked = api.post(f"/api/v1/incidents/{incident['id']}/component", headers=admin,
                              json={"component": "recs-api"})
            assert linked.status_code == 200 and linked.json()["component"] == "recs-api"
            assert api.post("/api/v1/incidents/999/component", headers=admin,
                            json={"component": "recs-api"}).status_code == 404
            assert api.post("/api/v1/tokens", headers=admin, json={"role": "viewer"}).status_code == 201
            units = api.get("/healthz").json()["writer"]["units"]
    finally:
        watch.close()
    assert units == 4  # replay, the link, the refused link (rolled back), the token
    assert len(watch.writer_threads) == writing_threads(store)  # nothing wrote beside the writer
