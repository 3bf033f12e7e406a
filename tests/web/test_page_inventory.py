"""/inventory and /inventory/{name} on the storefront demo (SQLite and PostgreSQL), and on hostile data."""

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mldebt.service.catalog import require_catalog
from mldebt.service.linker import Linker
from mldebt.service.tokens import create_api_token
from mldebt.store.components import ComponentRecord, upsert_components
from mldebt.store.models import DriftRunRow
from mldebt.web.app import create_app
from tests.support.demo_store import BACKENDS, NOW, demo_store_fixture
from tests.support.webhooks import SECRETS

STOREFRONT = Path(__file__).resolve().parents[2] / "examples" / "storefront" / "mldebt.yaml"
demo_store = pytest.fixture(scope="module", params=BACKENDS)(demo_store_fixture)


@pytest.fixture(scope="module")
def demo(demo_store):
    """(client, viewer headers) over the demo, the pages' clock at the demo's date."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("mldebt.web.pages.inventory.now", lambda: NOW)
        app = create_app(demo_store, Linker.from_catalog(require_catalog(STOREFRONT)), SECRETS)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, {"authorization": f"Bearer {create_api_token(demo_store, 'viewer', 'ana')['token']}"}


def component_links(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/inventory/([^"]+)">', page)


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</section>", start)]


def test_the_inventory_lists_every_component_riskiest_first_with_its_health(demo):
    client, viewer = demo
    response = client.get("/inventory", headers=viewer)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    page = response.text
    assert component_links(page) == [
        "recs-model", "order-bot-nlp", "demand-forecast", "order-intent-model", "recs-api", "fraud-model",
        "recs-features", "legacy-analytics-export", "promo-uplift-model", "chat-transcripts", "clickstream",
        "orders", "product-reviews", "review-sentiment-model"]
    assert "14 components" in page and "1\u201314 of 14" in page
    start = page.index('href="/inventory/recs-model"')
    recs = page[start:page.index("</tr>", start)]
    assert "2026-06-01 (177 days)" in recs and '<span class="badge bad">stale</span>' in recs
    assert re.findall(r"<td>([^<]*)</td>", recs) == ["model", "personalization", "yes", "7", "5",
                                                      "$10-15/week", "0", "production", "5.1.0"]
    assert '<span class="risk risk-high">high</span> (12)' in recs
    promo = page[page.index('href="/inventory/promo-uplift-model"'):]
    assert promo.index('<span class="badge bad">no owner</span>') < promo.index("</tr>")
    assert '<link rel="stylesheet" href="/static/inventory.css">' in page


def test_the_inventory_filters_by_kind_and_health_and_keeps_the_filters(demo):
    client, viewer = demo
    page = client.get("/inventory?kind=model&unhealthy=1", headers=viewer).text
    assert component_links(page) == ["recs-model", "demand-forecast", "order-intent-model", "fraud-model",
                                     "promo-uplift-model"]
    assert '<option value="model" selected>' in page and 'name="unhealthy" value="1" checked' in page
    assert component_links(client.get("/inventory?kind=dataset", headers=viewer).text) == [
        "chat-transcripts", "clickstream", "orders", "product-reviews"]
    assert len(component_links(client.get("/inventory?kind=", headers=viewer).text)) == 14


def test_bad_inventory_queries_are_4xx_naming_the_problem(demo):
    client, viewer = demo
    bad_kind = client.get("/inventory?kind=robot", headers=viewer)
    assert bad_kind.status_code == 400 and "kind: unknown kind 'robot'" in bad_kind.json()["error"]["message"]
    assert client.get("/inventory?page=0", headers=viewer).status_code == 422
    assert client.get("/inventory?unhealthy=maybe", headers=viewer).status_code == 422
    assert client.get("/inventory?kind=" + "x" * 21, headers=viewer).status_code == 422


def test_the_recommenders_page_shows_staleness_dependencies_drift_and_debt(demo, demo_store):
    client, viewer = demo
    response = client.get("/inventory/recs-model", headers=viewer)
    assert response.status_code == 200
    page = response.text
    assert "<h1>recs-model</h1>" in page and "2026-06-01 (177 days ago) <span class=\"badge bad\">stale</span>" in page
    graph = section(page, "dependencies-title")
    assert re.findall(r'<a href="/inventory/([^"]+)">', graph) == [
        "legacy-analytics-export", "clickstream", "recs-features", "recs-api"]
    assert re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", graph) == [
        ("recs-api", "recs-features"), ("recs-api", "recs-model"), ("recs-features", "clickstream"),
        ("recs-features", "legacy-analytics-export"), ("recs-model", "clickstream"), ("recs-model", "recs-features")]
    with demo_store.session() as session:
        run_id = session.scalar(select(DriftRunRow.id).where(DriftRunRow.component == "recs-model")
                                .order_by(DriftRunRow.created_at.desc()).limit(1))
    drift = section(page, "drift-title")
    assert "6 of 6 drift runs" in drift and f'<a href="/drift/{run_id}">run {run_id}</a>' in drift
    assert 'class="chart"' in drift and "<td>0.50</td>" in drift and "2: price, channel" in drift
    debt = section(page, "debt-title")
    assert "5 of 5 open debt items" in debt and len(re.findall(r'<a href="/backlog/\d+">', debt)) == 5
    findings = section(page, "findings-title")
    assert "7 of 7 open findings" in findings and 'href="/scan?component=recs-model"' in findings
    assert "2 of 2 changes" in section(page, "changes-title")


def test_the_chatbots_page_bounds_its_lists_and_shows_mttr_and_feedback(demo):
    client, viewer = demo
    page = client.get("/inventory/order-bot-nlp", headers=viewer).text
    assert "20 of 44 AI-linked tickets" in page and "10 of 150 answers" in page and "2 of 2 incidents" in page
    assert "150 answers, mean satisfaction 0.57" in page
    assert "mean 149 min, median 70 min, p90 333 min over 9 outages (9 resolved, 0 open" in page
    assert "0 of 0 drift runs" in page and 'class="chart"' not in section(page, "drift-title")


def test_an_unknown_or_overlong_component_name_is_refused(demo):
    client, viewer = demo
    missing = client.get("/inventory/nope", headers=viewer)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no component named 'nope' in the inventory"
    assert client.get("/inventory/" + "x" * 101, headers=viewer).status_code == 400
    assert client.get("/inventory/a%00b", headers=viewer).status_code == 400


def test_a_signed_out_visitor_is_sent_to_login(demo):
    client, _ = demo
    response = client.get("/inventory/recs-model", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/inventory/recs-model"


HOSTILE = "<script>alert(1)</script>"


def hostile_component(store):
    now = dt.datetime.now(dt.UTC)
    spec = {"kind": "service", "description": "<img src=x onerror=alert(2)>", "depends_on": ["<b>dep</b>"],
            "docs": "javascript:alert(3)", "repo": "https://git.example.com/r?a=1&b=2",
            "changes": [{"version": "1", "date": "2026-01-01", "kind": "patch", "description": "<i>x</i>",
                         "link": "javascript:alert(4)"}]}
    record = ComponentRecord(name=HOSTILE, kind="service", owner="<u>team</u>", lifecycle="production",
                             description=spec["description"], version="<v>", customer_facing=False,
                             revenue_critical=False, last_retrained=None, retrain_every_days=None,
                             model_card_present=None, spec=spec,
                             changes=[{"version": "1", "date": dt.date(2026, 1, 1), "kind": "patch",
                                       "author": "<a>", "description": "<i>x</i>", "link": "javascript:alert(4)"}])
    with store.session() as session:
        upsert_components(session, [record], "hostile.yaml", now)


def test_hostile_names_and_texts_are_escaped_and_unsafe_links_are_text(client, store, token):
    hostile_component(store)
    listing = client.get("/inventory", headers=token()).text
    assert "<script>" not in listing and "<u>" not in listing
    quoted = "/inventory/%3Cscript%3Ealert%281%29%3C%2Fscript%3E"
    assert f'<a href="{quoted}">&lt;script&gt;alert(1)&lt;/script&gt;</a>' in listing
    response = client.get(quoted, headers=token())
    assert response.status_code == 200
    page = response.text
    assert "<script>" not in page and "<img" not in page and "<i>" not in page and "<b>" not in page
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "javascript:" not in page.replace("<dd>javascript:alert(3)</dd>", "").replace("(javascript:alert(4))", "")
    assert '<a href="https://git.example.com/r?a=1&amp;b=2">' in page
    assert "&lt;b&gt;dep&lt;/b&gt; (not in the inventory)" in page


def plain_component(name: str, kind: str = "service", depends_on: tuple[str, ...] = ()) -> ComponentRecord:
    return ComponentRecord(name=name, kind=kind, owner="team", lifecycle="production", description=None,
                           version=None, customer_facing=False, revenue_critical=False, last_retrained=None,
                           retrain_every_days=None, model_card_present=None,
                           spec={"kind": kind, "depends_on": list(depends_on)})


def test_the_inventory_pages_by_50_and_the_links_keep_the_filters(client, store, token):
    with store.session() as session:
        upsert_components(session, [plain_component(f"svc-{i:02d}") for i in range(55)], "many.yaml",
                          dt.datetime.now(dt.UTC))
    first = client.get("/inventory?kind=service", headers=token()).text
    assert len(component_links(first)) == 50 and "1\u201350 of 55" in first
    assert '<a href="/inventory?kind=service&amp;page=2" rel="next">' in first
    second = client.get("/inventory?kind=service&page=2", headers=token()).text
    assert component_links(second) == [f"svc-{i:02d}" for i in range(50, 55)]
    assert "No component matches." in client.get("/inventory?kind=model", headers=token()).text


def test_a_retired_component_leaves_the_list_but_keeps_its_page(client, store, token):
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        upsert_components(session, [plain_component("api", depends_on=("old",)), plain_component("old")], "f.yaml", now)
    with store.session() as session:
        upsert_components(session, [plain_component("api", depends_on=("old",))], "f.yaml", now)
    assert component_links(client.get("/inventory", headers=token()).text) == ["api"]
    page = client.get("/inventory/old", headers=token()).text
    assert '<h1>old <span class="badge bad">retired</span></h1>' in page
    assert "<tr><td>api</td><td>old</td></tr>" in page  # its dependents still point at it
