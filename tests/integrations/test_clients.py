"""Zigpoll and BigCommerce clients against local fake servers that speak the documented formats."""

import datetime as dt
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mldebt.ingest.common import Delivery
from mldebt.integrations.bigcommerce import BigCommerceClient
from mldebt.integrations.zigpoll import ZigpollClient
from mldebt.service.catalog import require_catalog
from mldebt.service.ingest import receive
from mldebt.service.linker import Linker
from mldebt.service.pull import fill_order_totals, pull_poll
from mldebt.service.signals import component_signals
from mldebt.store.ingest_tables import FeedbackRow
from mldebt.web.app import create_app
from tests.support.fake_vendors import BigCommerceHandler, FakeServer, ZigpollHandler
from tests.support.server import STOREFRONT
from tests.support.transactions import watched_client
from tests.support.webhooks import SECRETS, fixture, signed_headers

POLL = "66f1c0a9e4b0c2a1d3f4e5a7"


@pytest.fixture
def zigpoll():
    ZigpollHandler.throttled = False
    with FakeServer(ZigpollHandler) as server:
        yield server


@pytest.fixture
def bigcommerce():
    BigCommerceHandler.throttled = False
    with FakeServer(BigCommerceHandler) as server:
        yield server


@pytest.fixture
def linker():
    return Linker.from_catalog(require_catalog(STOREFRONT))


@pytest.mark.parametrize("bearer", [False, True])
def test_zigpoll_pages_by_cursor_and_retries_429(zigpoll, bearer):
    with ZigpollClient(zigpoll.url, "zp-api-key", bearer=bearer) as client:
        records = list(client.responses(poll_id=POLL, created_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)))
    assert [r["_id"][-1] for r in records] == ["1", "2", "3"]
    assert client.client.waits == [0.0]
    queries = [q for path, q, _ in zigpoll.requests if path == "/responses"]
    assert queries[-1]["startCursor"] == ["6740b0000000000000000002"]
    assert queries[-1]["createdAfter"] == [str(int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp() * 1000))]
    assert queries[-1]["pollId"] == [POLL] and queries[-1]["limit"] == ["1000"]


def test_pull_stores_feedback_once_and_asks_only_for_newer(request, store, zigpoll, linker):
    client = ZigpollClient(zigpoll.url, "zp-api-key")
    _, open_at_request = watched_client(request, client, store.engine)
    first = pull_poll(store, linker, client, POLL)
    assert (first.fetched, first.stored, first.duplicates, first.failed) == (3, 3, 0, 0)
    assert open_at_request == [0, 0, 0]  # 429, page 1, page 2: no transaction open while fetching
    with store.session() as session:
        rows = list(session.scalars(select(FeedbackRow).order_by(FeedbackRow.created_at)))
    assert [(r.answer, r.score, r.component) for r in rows] == [("5", 1.0, "recs-api"), ("2", 0.25, "recs-api"),
                                                                ("4", 0.75, "recs-api")]
    again = pull_poll(store, linker, client, POLL)
    assert (again.fetched, again.stored) == (0, 0)
    last = [q for path, q, _ in zigpoll.requests if path == "/responses"][-1]
    assert last["createdAfter"] == [str(int(dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC).timestamp() * 1000))]


def test_zigpoll_webhook_trigger_pulls_the_poll(request, store, zigpoll, linker):
    client = ZigpollClient(zigpoll.url, "zp-api-key")
    request.addfinalizer(client.close)
    app = create_app(store, linker, SECRETS,
                     poll_puller=lambda poll, write: pull_poll(store, linker, client, poll, write))
    body = fixture("zigpoll_trigger.json")
    with TestClient(app) as api:
        assert api.post("/hooks/zigpoll", content=body, headers=signed_headers("zigpoll", body)).status_code == 202
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with store.session() as session:
                if len(list(session.scalars(select(FeedbackRow)))) == 3:
                    break
            time.sleep(0.05)
    with store.session() as session:
        assert len(list(session.scalars(select(FeedbackRow)))) == 3


def test_bigcommerce_products_follow_pagination_meta(request, bigcommerce):
    client = BigCommerceClient(bigcommerce.url, "n0rthw1nd", "bc-token")
    request.addfinalizer(client.close)
    assert [p["id"] for p in client.products(limit=2)] == [111, 112, 113]
    assert client.client.waits[0] == pytest.approx(0.015)
    assert all(h["x-auth-token"] == "bc-token" for _, _, h in bigcommerce.requests)


def test_bigcommerce_orders_are_a_bare_array_until_204(request, bigcommerce):
    client = BigCommerceClient(bigcommerce.url, "n0rthw1nd", "bc-token")
    request.addfinalizer(client.close)
    assert [o["id"] for o in client.orders(min_date_modified="Sat, 22 Nov 2026 00:00:00 +0000", limit=2)] == [
        100245, 100246]
    assert [q["page"] for p, q, _ in bigcommerce.requests if p.endswith("/v2/orders")][-1] == ["2"]


def test_order_totals_give_revenue_at_risk_and_are_fetched_with_no_transaction_open(request, store, bigcommerce,
                                                                                   linker):
    deliveries = [Delivery("zendesk", fixture("zendesk_ticket_created.json")),
                  Delivery("bigcommerce", fixture("bigcommerce_order_status.json"))]
    receive(store, deliveries, linker, {}, verification="test")
    with BigCommerceClient(bigcommerce.url, "n0rthw1nd", "bc-token") as client:
        _, open_at_request = watched_client(request, client, store.engine)
        filled = fill_order_totals(store, client)
    assert filled == 2
    assert open_at_request == [0, 0]  # the 429, then order 100245 (both rows name it): no transaction open
    rows = {r.component: r for r in component_signals(store)}
    assert rows["order-bot-nlp"].revenue_at_risk == 336.32  # the ticket's order
    assert rows["fraud-model"].revenue_at_risk == 336.32    # held for manual verification (status 12)
