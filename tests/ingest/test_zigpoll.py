import pytest

from mldebt.errors import PayloadError
from mldebt.ingest import zigpoll
from mldebt.ingest.common import Delivery
from tests.support.webhooks import fixture


def test_response_record_becomes_feedback_with_html_stripped():
    parsed = zigpoll.parse(Delivery("zigpoll", fixture("zigpoll_response.json")))
    [response] = parsed.feedback
    assert parsed.delivery_id == "6740a1b2c3d4e5f601234567"
    assert response.answer == "Not helpful & slow"
    assert (response.poll_id, response.order_value) == ("66f1c0a9e4b0c2a1d3f4e5a6", 84.5)
    assert response.attributes["poll_id"] == "66f1c0a9e4b0c2a1d3f4e5a6"


def test_trigger_asks_for_a_pull_of_its_poll():
    parsed = zigpoll.parse(Delivery("zigpoll", fixture("zigpoll_trigger.json")))
    assert parsed.pull_polls == ["66f1c0a9e4b0c2a1d3f4e5a7"] and parsed.feedback == []


def test_responses_page_backfills_every_record():
    parsed = zigpoll.parse(Delivery("zigpoll", fixture("zigpoll_responses_page2.json")))
    assert [r.answer for r in parsed.feedback] == ["4"]


@pytest.mark.parametrize(("html", "plain"), [
    ("<script>alert(1)</script>ok", "alert(1)ok"), ("a&nbsp;&lt;b&gt;", "a <b>"), ("  two\n words ", "two words")])
def test_strip_html(html, plain):
    assert zigpoll.strip_html(html) == plain


def test_body_without_poll_is_named():
    with pytest.raises(PayloadError, match="neither a Zigpoll response"):
        zigpoll.parse(Delivery("zigpoll", b'{"hello": 1}'))
