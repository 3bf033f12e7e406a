"""`/api/v1/debt`: viewers read, editors write (through the writer), pages and filters, errors by name."""

import datetime as dt
import json

import pytest

from mldebt.domain.finding import Finding, Severity
from mldebt.service.backlog import rebuild_backlog
from mldebt.store.findings import sync_findings
from tests.service.test_backlog import T0, catalog
from tests.web.conftest import settle


@pytest.fixture
def backlog(store, tmp_path):
    """Two components, three scanned items: unpinned dependencies, debt markers and a drifting model."""
    from mldebt.service.catalog import import_catalog

    import_catalog(store, catalog(tmp_path), T0.date(), now=T0)
    findings = [Finding.create("MLD102", Severity.MEDIUM, "shop-api", f"unpinned {p}", identity=(p,))
                for p in ("flask", "requests")]
    findings.append(Finding.create("MLD301", Severity.LOW, "shop-api", "TODO: retry", identity=("todo",)))
    with store.session() as session:
        sync_findings(session, "scan", "repo", findings, T0)
        sync_findings(session, "drift", "data", [Finding.create("DRIFT001", Severity.HIGH, "shop-model", "drifted",
                                                                identity=("price",))], T0)
    rebuild_backlog(store, T0)
    return store


def test_viewers_read_the_backlog_with_pages_and_filters(client, token, backlog):
    response = client.get("/api/v1/debt", headers=token("viewer"))
    body = response.json()
    assert response.status_code == 200
    assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (3, 50, 0, 3)
    assert set(body["items"][0]) >= {"breakdown", "priority", "interest", "effort", "evidence"}
    page = client.get("/api/v1/debt", params={"limit": 2, "offset": 2}, headers=token()).json()
    assert (page["total"], len(page["items"])) == (3, 1)
    data = client.get("/api/v1/debt", params={"category": "data"}, headers=token()).json()
    assert [i["component"] for i in data["items"]] == ["shop-model"]
    by_component = client.get("/api/v1/debt", params={"component": "shop-api"}, headers=token()).json()
    assert sorted(i["category"] for i in by_component["items"]) == ["code", "dependencies"]
    statuses = client.get("/api/v1/debt", params=[("status", "resolved"), ("status", "accepted")],
                          headers=token()).json()
    assert statuses["total"] == 0


@pytest.mark.parametrize(("params", "where"), [({"limit": 0}, "query.limit"), ({"limit": 501}, "query.limit"),
                                               ({"offset": -1}, "query.offset"), ({"status": "closed"}, "query.status"),
                                               ({"category": "money"}, "query.category")])
def test_bad_query_parameters_are_422_naming_them(client, token, backlog, params, where):
    response = client.get("/api/v1/debt", params=params, headers=token())
    assert response.status_code == 422 and response.json()["error"]["message"].startswith(where)


def test_an_item_shows_its_history_and_a_missing_one_is_404(client, token, backlog):
    [first] = client.get("/api/v1/debt", params={"limit": 1}, headers=token()).json()["items"]
    item = client.get(f"/api/v1/debt/{first['id']}", headers=token()).json()
    assert [h["action"] for h in item["history"]] == ["created"]
    missing = client.get("/api/v1/debt/999999", headers=token())
    assert (missing.status_code, missing.json()["error"]["message"]) == (404, "no debt item 999999")
    assert client.get(f"/api/v1/debt/{2**70}", headers=token()).status_code == 404


def test_a_viewer_cannot_change_or_add_and_an_editor_can_with_the_token_in_the_history(client, token, backlog):
    [first] = client.get("/api/v1/debt", params={"limit": 1}, headers=token()).json()["items"]
    change = {"status": "planned", "owner": "web-team"}
    denied = client.patch(f"/api/v1/debt/{first['id']}", json=change, headers=token("viewer"))
    assert denied.status_code == 403
    assert client.post("/api/v1/debt/rebuild", headers=token("viewer")).status_code == 403
    changed = client.patch(f"/api/v1/debt/{first['id']}", json=change, headers=token("editor"))
    assert changed.status_code == 200
    last = changed.json()["history"][-1]
    assert (last["actor"], last["action"], last["changes"]) == (
        "token:test", "updated", {"status": ["open", "planned"], "owner": [None, "web-team"]})


def test_adding_debt_by_hand_is_201_and_a_duplicate_is_409(client, token, backlog):
    body = {"title": "Replace the feature store", "component": "shop-model", "category": "infrastructure",
            "effort": {"low_hours": 16, "high_hours": 40}}
    created = client.post("/api/v1/debt", json=body, headers=token("editor"))
    assert created.status_code == 201
    assert (created.json()["source"], created.json()["created_by"], created.json()["effort"]) == (
        "manual", "token:test", {"low_hours": 16.0, "high_hours": 40.0})
    again = client.post("/api/v1/debt", json={**body, "title": "replace the FEATURE store"}, headers=token("editor"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    unknown = client.post("/api/v1/debt", json={**body, "component": "shop-modle"}, headers=token("editor"))
    assert (unknown.status_code, unknown.json()["error"]["message"]) == (
        404, "component: unknown component 'shop-modle'; did you mean shop-model?")


@pytest.mark.parametrize(("effort", "message"), [
    ({"low_hours": 12, "high_hours": 4}, "body.effort: Value error, low_hours (12) is above high_hours (4)"),
    ({"low_hours": -1, "high_hours": 4}, "body.effort.low_hours: Input should be greater than or equal to 0"),
    ({"low_hours": 1, "high_hours": 1e6}, "body.effort.high_hours: Input should be less than or equal to 10000"),
])
def test_a_bad_effort_is_422_naming_the_field(client, token, backlog, effort, message):
    body = {"title": "x", "component": "shop-model", "category": "code", "effort": effort}
    response = client.post("/api/v1/debt", json=body, headers=token("editor"))
    assert (response.status_code, response.json()["error"]["message"]) == (422, message)
    [first] = client.get("/api/v1/debt", params={"limit": 1}, headers=token()).json()["items"]
    patched = client.patch(f"/api/v1/debt/{first['id']}", json={"effort": effort}, headers=token("editor"))
    assert patched.status_code == 422


def test_accepting_without_a_reason_is_400_naming_the_field(client, token, backlog):
    [first] = client.get("/api/v1/debt", params={"limit": 1}, headers=token()).json()["items"]
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.patch(f"/api/v1/debt/{first['id']}", json={"status": "accepted", "accepted_until": until},
                            headers=token("editor"))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "accepted_reason: accepting debt needs a reason (why it is not paid now)")
    ok = client.patch(f"/api/v1/debt/{first['id']}", json={"status": "accepted", "accepted_until": until,
                                                           "accepted_reason": "retires next month"},
                      headers=token("editor"))
    assert ok.json()["accepted"] == {"reason": "retires next month", "until": until}
    unknown_field = client.patch(f"/api/v1/debt/{first['id']}", json={"priority": 1}, headers=token("editor"))
    assert unknown_field.status_code == 422


def test_a_rebuild_through_the_api_finds_the_same_items(client, token, backlog):
    response = client.post("/api/v1/debt/rebuild", headers=token("editor"))
    settle(client)
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("created", "updated", "resolved", "findings")} == {
        "created": 0, "updated": 0, "resolved": 0, "findings": 4}
    assert client.get("/api/v1/debt", headers=token()).json()["total"] == 3


def test_every_debt_write_of_the_api_runs_in_the_writer(store, backlog):
    from fastapi.testclient import TestClient

    from mldebt.service.tokens import create_api_token
    from mldebt.web.app import create_app
    from tests.support.transactions import EngineWatch
    from tests.web.test_writes_through_the_writer import writing_threads

    editor = {"authorization": f"Bearer {create_api_token(store, 'editor', 'test')['token']}"}
    watch = EngineWatch(store.engine)
    try:
        with TestClient(create_app(store)) as api:
            [first] = api.get("/api/v1/debt", params={"limit": 1}, headers=editor).json()["items"]
            assert api.patch(f"/api/v1/debt/{first['id']}", json={"owner": "ana"}, headers=editor).status_code == 200
            body = {"title": "t", "component": "shop-api", "category": "code", "effort": {"low_hours": 1,
                                                                                          "high_hours": 2}}
            assert api.post("/api/v1/debt", json=body, headers=editor).status_code == 201
            assert api.post("/api/v1/debt/rebuild", headers=editor).status_code == 200
            units = api.get("/healthz").json()["writer"]["units"]
    finally:
        watch.close()
    assert units == 3
    assert len(watch.writer_threads) == writing_threads(store)  # nothing wrote beside the writer


def test_hostile_text_is_refused_or_stored_safely_never_a_5xx(client, token, backlog):
    body = {"title": "bad \ud800 title", "component": "shop-model", "category": "code",
            "effort": {"low_hours": 1, "high_hours": 2}}
    lone = client.post("/api/v1/debt", content=json.dumps(body), headers={**token("editor"),
                                                                           "content-type": "application/json"})
    assert lone.status_code == 422 and lone.json()["error"]["message"].startswith("body.title: ")
    nul = client.post("/api/v1/debt", json={**body, "title": "nul\x00 title"}, headers=token("editor"))
    assert (nul.status_code, nul.json()["title"]) == (201, "nul title")
    assert client.get("/api/v1/debt", params={"component": "x\x00"}, headers=token()).status_code == 422
