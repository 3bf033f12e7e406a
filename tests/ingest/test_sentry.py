import datetime as dt

import pytest

from mldebt.domain.incident import SignalAction
from mldebt.errors import PayloadError, UnauthorizedError
from mldebt.ingest import sentry
from mldebt.ingest.common import Delivery
from tests.support.webhooks import SECRETS, fixture, signed_headers

SECRET = SECRETS["sentry"]


def delivery(body: bytes, headers: dict[str, str] | None = None) -> Delivery:
    if headers is None:
        headers = signed_headers("sentry", body, request_id="r-1")
    return Delivery("sentry", body, headers)


def test_signature_over_raw_body_is_accepted():
    body = fixture("sentry_issue_created.json")
    sentry.verify(delivery(body), SECRET)


@pytest.mark.parametrize("change", ["wrong secret", "reserialised body", "missing header"])
def test_bad_signature_is_rejected(change):
    body = fixture("sentry_issue_created.json")
    headers = signed_headers("sentry", body, secret="other" if change == "wrong secret" else SECRET)
    if change == "reserialised body":
        body = body.replace(b", ", b",")
    if change == "missing header":
        del headers["sentry-hook-signature"]
    with pytest.raises(UnauthorizedError):
        sentry.verify(delivery(body, headers), SECRET)


def test_issue_created_opens_at_first_seen_with_project_attributes():
    parsed = sentry.parse(delivery(fixture("sentry_issue_created.json")))
    assert parsed.delivery_id == "r-1" and parsed.kind == "issue.created"
    [signal] = parsed.signals
    assert signal.action == SignalAction.OPEN
    assert signal.key == "issue:4512987301"
    assert signal.at == dt.datetime(2026, 11, 20, 14, 2, 11, 512000, tzinfo=dt.UTC)
    assert signal.attributes["project"] == "storefront-recs"
    assert signal.culprit == "recs.api.views in get_recommendations"
    assert "TimeoutError" in signal.text


def test_issue_resolved_resolves_at_the_hook_timestamp():
    body = fixture("sentry_issue_resolved.json")
    parsed = sentry.parse(delivery(body, signed_headers("sentry", body, now=1763650800)))
    [signal] = parsed.signals
    assert signal.action == SignalAction.RESOLVE
    assert signal.at == dt.datetime.fromtimestamp(1763650800, dt.UTC)


def test_metric_alert_critical_opens_at_date_started():
    parsed = sentry.parse(delivery(fixture("sentry_metric_alert_critical.json")))
    [signal] = parsed.signals
    assert (signal.key, signal.action, signal.attributes["project"]) == ("metric_alert:9031", "open", "order-bot")
    assert signal.at == dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


def test_event_alert_uses_tags_for_linking():
    [signal] = sentry.parse(delivery(fixture("sentry_event_alert.json"))).signals
    assert signal.key == "issue:4512990020" and signal.attributes["project"] == "order-bot"


def test_assigned_and_archived_change_nothing():
    for action in ("assigned", "ignored", "archived"):
        body = fixture("sentry_issue_created.json").replace(b'"created"', f'"{action}"'.encode())
        assert sentry.parse(delivery(body)).signals == []


@pytest.mark.parametrize(("body", "message"), [
    (b"{not json", "body is not JSON"),
    (b"[]", "body must be a JSON object, got an array"),
    (b'{"action": "exploded", "data": {"issue": {"id": "1", "title": "x"}}}', "unknown issue action 'exploded'"),
    (b'{"action": "created", "data": {"issue": {"title": "x"}}}', "body.data.issue.id is missing"),
    (b'{"action": "created", "data": {"issue": {"id": "1", "title": "x", "firstSeen": "yesterday"}}}',
     "body.data.issue.firstSeen: 'yesterday' is not an ISO-8601 or RFC-2822 time"),
])
def test_malformed_payload_names_the_problem(body, message):
    with pytest.raises(PayloadError) as info:
        sentry.parse(delivery(body, {"sentry-hook-resource": "issue"}))
    assert message in info.value.message


def test_backfill_without_headers_infers_resource_and_uses_body_digest():
    body = fixture("sentry_issue_created.json")
    first = sentry.parse(Delivery("sentry", body, {}, backfill=True))
    again = sentry.parse(Delivery("sentry", body, {}, backfill=True))
    assert first.delivery_id == again.delivery_id and len(first.delivery_id) == 64
    assert first.signals[0].action == SignalAction.OPEN
