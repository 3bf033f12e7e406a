"""Pages: signed-out visitors go to /login, Bearer works, the overview shows KPIs and escaped items."""

import datetime as dt

from mldebt.service.tokens import create_api_token
from mldebt.store import debt as debt_store
from tests.web.test_login import sign_in


def test_a_signed_out_visitor_is_sent_to_login_with_a_local_next(client):
    response = client.get("/?tab=1", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/%3Ftab%3D1"


def test_the_login_form_does_not_follow_a_foreign_next(client, store):
    response = sign_in(client, create_api_token(store, "viewer", "ana")["token"], "//evil.example/x")
    assert response.headers["location"] == "/"


def test_a_bearer_token_opens_a_page_and_a_bad_one_is_sent_to_login(client, token):
    assert client.get("/", headers=token("viewer")).status_code == 200
    assert client.get("/", headers={"authorization": "Bearer mldt_nope"}, follow_redirects=False).status_code == 303


def test_the_overview_shows_kpis_and_escapes_item_titles(client, store, token):
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        debt_store.add_item(session, {
            "key": "k1", "title": "<script>alert(1)</script> stale model", "category": "model",
            "component": "recommender", "source": "manual", "severity": "high", "status": "open",
            "effort_low_hours": 1.0, "effort_high_hours": 2.0, "first_seen_at": now}, actor="t", at=now)
    page = client.get("/", headers=token("viewer")).text
    assert "Open debt" in page and "Drift alerts" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; stale model" in page and "<script>" not in page
    assert 'href="/backlog/' in page


def test_the_stylesheet_is_served_from_the_package_and_nothing_else_is(client):
    css = client.get("/static/mldebt.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/..%2Fapp.py").status_code == 404


def test_no_dashboard_template_marks_a_value_safe_or_holds_inline_script_or_style():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "src" / "mldebt" / "web" / "templates"
    for template in sorted(templates.glob("*.j2")):
        text = template.read_text("utf-8")
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, template.name
        assert "<script" not in text and "<style" not in text and "style=" not in text, template.name
