import datetime as dt

import pytest

from mldebt.errors import PayloadError, UnauthorizedError
from mldebt.ingest import zendesk
from mldebt.ingest.common import Delivery
from tests.support.webhooks import SECRETS, fixture, signed_headers


def test_signature_over_timestamp_and_body():
    body = fixture("zendesk_ticket_created.json")
    headers = signed_headers("zendesk", body)
    zendesk.verify(Delivery("zendesk", body, headers), SECRETS["zendesk"])
    headers["x-zendesk-webhook-signature-timestamp"] = "2026-11-22T09:12:02Z"
    with pytest.raises(UnauthorizedError):
        zendesk.verify(Delivery("zendesk", body, headers), SECRETS["zendesk"])


def test_ticket_event_becomes_a_ticket_with_its_order():
    parsed = zendesk.parse(Delivery("zendesk", fixture("zendesk_ticket_created.json")))
    assert parsed.delivery_id == "event:01JD2V8K6W3X9Y7Z5A4B3C2D1E" and parsed.kind == "ticket.created"
    [ticket] = parsed.tickets
    assert (ticket.external_id, ticket.status, ticket.priority, ticket.order_id) == ("35436", "new", "high", "100245")
    assert ticket.tags == ("chatbot", "order_100245")
    assert ticket.created_at == dt.datetime(2026, 11, 22, 9, 12, tzinfo=dt.UTC)


def test_ticket_export_backfills_every_ticket():
    parsed = zendesk.parse(Delivery("zendesk", fixture("zendesk_export.json"), backfill=True))
    assert [t.external_id for t in parsed.tickets] == ["35501", "35502"]
    assert parsed.tickets[0].attributes["tag"] == ["recommendations", "stock"]


def test_unsupported_event_type_is_named():
    with pytest.raises(PayloadError, match=r"unsupported Zendesk event type 'zen:event-type:user\.created'"):
        zendesk.parse(Delivery("zendesk", b'{"type": "zen:event-type:user.created", "id": "1", "detail": {}}'))


def test_custom_fields_that_are_not_an_array_are_named():
    body = fixture("zendesk_export.json").replace(b'"custom_fields": []', b'"custom_fields": true', 1)
    with pytest.raises(PayloadError, match=r"body\.tickets\[0\]\.custom_fields must be an array"):
        zendesk.parse(Delivery("zendesk", body))
