"""Hostile payloads: arbitrary JSON, raw bytes, and documented payloads with one value replaced."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from tests.support.webhooks import fixture_json

FIXTURES = {"sentry": ["sentry_issue_created.json", "sentry_metric_alert_critical.json", "sentry_event_alert.json"],
            "alertmanager": ["alertmanager_firing.json", "alertmanager_resolved.json"],
            "zendesk": ["zendesk_ticket_created.json", "zendesk_export.json"],
            "zigpoll": ["zigpoll_response.json", "zigpoll_trigger.json", "zigpoll_responses_page1.json"],
            "bigcommerce": ["bigcommerce_order_status.json", "bigcommerce_cart_abandoned.json"]}

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


@st.composite
def mutated_payload(draw: st.DrawFn, source: str) -> bytes:
    """A documented payload of `source` with one value (anywhere) replaced by arbitrary JSON."""
    payload = copy.deepcopy(fixture_json(draw(st.sampled_from(FIXTURES[source]))))
    path = draw(st.sampled_from(_paths(payload)[1:]))
    target = payload
    for key in path[:-1]:
        target = target[key]
    if draw(st.booleans()):
        target[path[-1]] = draw(json_values)
    elif isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = None
    return json.dumps(payload).encode()


def bodies(source: str) -> st.SearchStrategy[bytes]:
    return (mutated_payload(source) | json_values.map(lambda v: json.dumps(v).encode())
            | st.binary(max_size=200))
