import datetime as dt
import json

import pytest

from mldebt.errors import PayloadError, UnauthorizedError
from mldebt.ingest import bigcommerce
from mldebt.ingest.common import Delivery
from tests.support.webhooks import SECRETS, fixture, fixture_json, signed_headers

SECRET = SECRETS["bigcommerce"]
NOW = 1763805200


def at(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def test_standard_webhooks_signature_with_whsec_secret():
    body = fixture("bigcommerce_order_created.json")
    headers = signed_headers("bigcommerce", body, now=NOW)
    bigcommerce.verify(Delivery("bigcommerce", body, headers, at(NOW + 60)), SECRET)


def test_standard_webhooks_signature_with_a_plain_secret():
    body = fixture("bigcommerce_order_created.json")
    headers = signed_headers("bigcommerce", body, secret="plain", now=NOW)
    bigcommerce.verify(Delivery("bigcommerce", body, headers, at(NOW)), "plain")


@pytest.mark.parametrize(("received", "tamper", "message"), [
    (NOW + 301, False, "more than 5 minutes"), (NOW - 301, False, "more than 5 minutes"),
    (NOW, True, "does not match the body")])
def test_old_or_tampered_deliveries_are_rejected(received, tamper, message):
    body = fixture("bigcommerce_order_created.json")
    headers = signed_headers("bigcommerce", body, now=NOW)
    if tamper:
        body = body.replace(b"100245", b"100246")
    with pytest.raises(UnauthorizedError, match=message):
        bigcommerce.verify(Delivery("bigcommerce", body, headers, at(received)), SECRET)


def test_shared_secret_header_from_the_subscription():
    bigcommerce.verify(Delivery("bigcommerce", b"{}", {"x-mldebt-secret": SECRET}), SECRET)
    with pytest.raises(UnauthorizedError):
        bigcommerce.verify(Delivery("bigcommerce", b"{}", {"x-mldebt-secret": "nope"}), SECRET)
    with pytest.raises(UnauthorizedError):
        bigcommerce.verify(Delivery("bigcommerce", b"{}", {}), SECRET)


def test_order_event_is_identified_by_hash():
    parsed = bigcommerce.parse(Delivery("bigcommerce", fixture("bigcommerce_order_status.json")))
    [event] = parsed.store_events
    assert parsed.delivery_id == "8a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
    assert (event.scope, event.store_hash, event.resource_id, event.order_id) == (
        "store/order/statusUpdated", "n0rthw1nd", "100245", "100245")
    assert event.data["status"]["new_status_id"] == 12 and event.created_at == at(1763805300)


def test_cart_ids_are_uuids_and_carts_have_no_order():
    [event] = bigcommerce.parse(Delivery("bigcommerce", fixture("bigcommerce_cart_abandoned.json"))).store_events
    assert event.resource_id == "b2f7c9e0-4d1a-4e8b-9c3f-5a6b7c8d9e0f" and event.order_id is None


def test_unsupported_scope_is_named():
    body = json.dumps({**fixture_json("bigcommerce_order_created.json"), "scope": "store/customer/created"}).encode()
    with pytest.raises(PayloadError, match="unsupported scope 'store/customer/created'"):
        bigcommerce.parse(Delivery("bigcommerce", body))


def test_v2_order_total_reads_money_strings_and_rfc2822_dates():
    order_id, total, created = bigcommerce.order_total(fixture_json("bigcommerce_orders_page1.json")[0])
    assert (order_id, total, created) == ("100245", 336.32, dt.datetime(2026, 11, 22, 9, 52, tzinfo=dt.UTC))
