"""The REST API: tokens and roles, events, incidents, MTTR, unlinked, signals."""

from tests.support.webhooks import fixture
from tests.web.conftest import post_hook


def test_every_api_call_needs_a_token(client, token):
    assert client.get("/api/v1/incidents").status_code == 401
    bad = client.get("/api/v1/incidents", headers={"authorization": "Bearer mldt_nope"})
    assert (bad.status_code, bad.json()["error"]["message"]) == (401, "unknown or revoked API token")
    assert client.get("/api/v1/incidents", headers=token("viewer")).status_code == 200


def test_viewers_cannot_write(client, token):
    response = client.post("/api/v1/events/replay", headers=token("viewer"))
    assert response.status_code == 403
    assert response.json()["error"] == {"code": "forbidden", "details": [],
                                        "message": "a viewer token cannot do this: it needs the editor role"}
    assert client.post("/api/v1/events/replay", headers=token("editor")).status_code == 200


def test_only_admins_create_tokens_and_the_new_token_works(client, token):
    assert client.post("/api/v1/tokens", json={"role": "viewer"}, headers=token("editor")).status_code == 403
    created = client.post("/api/v1/tokens", json={"role": "viewer", "name": "grafana"}, headers=token("admin"))
    assert created.status_code == 201
    new = {"authorization": f"Bearer {created.json()['token']}"}
    assert client.get("/api/v1/events", headers=new).status_code == 200


def test_mttr_per_component_from_webhooks(client, token):
    post_hook(client, "alertmanager", fixture("alertmanager_firing.json"))
    post_hook(client, "alertmanager", fixture("alertmanager_resolved.json"))
    rows = client.get("/api/v1/incidents/mttr", params={"by": "component"}, headers=token()).json()
    assert rows == [{"group": "recs-api", "incidents": 1, "resolved": 1, "open": 0, "mean_minutes": 45.0,
                     "median_minutes": 45.0, "p90_minutes": 45.0}]
    [incident] = client.get("/api/v1/incidents", headers=token()).json()
    assert incident["intervals"] == [{"opened_at": "2026-11-23T10:00:00+00:00",
                                      "resolved_at": "2026-11-23T10:45:00+00:00"}]


def test_unlinked_lists_what_maps_nowhere_with_a_suggestion(client, token):
    post_hook(client, "zendesk", fixture("zendesk_ticket_created.json"))  # tag chatbot -> order-bot-nlp
    body = fixture("sentry_issue_created.json").replace(b'"slug": "storefront-recs"', b'"slug": "recs-apii"')
    post_hook(client, "sentry", body)
    [item] = client.get("/api/v1/unlinked", headers=token()).json()
    assert (item["kind"], item["source"], item["attributes"]["project"]) == ("incident", "sentry", "recs-apii")
    assert item["suggestion"] == "sources.sentry: - match: {project: recs-apii}  component: recs-api"
    linked = client.post(f"/api/v1/incidents/{item['id']}/component", json={"component": "recs-api"},
                         headers=token("editor"))
    assert linked.json()["component"] == "recs-api"
    assert client.get("/api/v1/unlinked", headers=token()).json() == []


def test_event_detail_shows_the_raw_body(client, token):
    body = fixture("zigpoll_response.json")
    raw_id = post_hook(client, "zigpoll", body).json()["raw_event_id"]
    event = client.get(f"/api/v1/events/{raw_id}", headers=token()).json()
    assert event["body"] == body.decode() and event["status"] == "parsed"
    assert client.get("/api/v1/events/999999", headers=token()).status_code == 404


def test_signals_count_ai_linked_tickets_and_satisfaction(client, token):
    post_hook(client, "zendesk", fixture("zendesk_ticket_created.json"))
    post_hook(client, "zigpoll", fixture("zigpoll_response.json"))
    rows = {r["component"]: r for r in client.get("/api/v1/signals", headers=token()).json()}
    assert rows["order-bot-nlp"]["tickets"] == 1 and rows["order-bot-nlp"]["open_tickets"] == 1
    assert rows["order-bot-nlp"]["responses"] == 1 and rows["order-bot-nlp"]["satisfaction"] is None
