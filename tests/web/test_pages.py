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
    icon = client.get("/static/favicon.svg")  # linked by every page: no 404 in the browser's console
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert client.get("/static/..%2Fapp.py").status_code == 404


def test_no_dashboard_template_marks_a_value_safe_or_holds_inline_script_or_style():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "src" / "mldebt" / "web" / "templates"
    for template in sorted(templates.glob("*.j2")):
        text = template.read_text("utf-8")
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, template.name
        assert "<script" not in text and "<style" not in text and "style=" not in text, template.name


def _debt(store, key: str, first_seen: dt.datetime, low: float, high: float, status: str = "open",
          resolved: dt.datetime | None = None) -> None:
    with store.session() as session:
        debt_store.add_item(session, {
            "key": key, "title": f"item {key}", "category": "model", "component": "recs-model", "source": "manual",
            "severity": "high", "status": status, "effort_low_hours": 1.0, "effort_high_hours": 2.0,
            "first_seen_at": first_seen, "resolved_at": resolved, "interest_low": low, "interest_high": high},
            actor="t", at=first_seen)


def test_open_debt_per_week_counts_items_open_at_each_weeks_end_priced_at_current_interest(store):
    from mldebt.service.overview_view import debt_over_time

    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    hour, week = dt.timedelta(hours=1), dt.timedelta(weeks=1)
    _debt(store, "a", now - 10 * week + hour, 100.0, 200.0)
    _debt(store, "b", now - 5 * week + hour, 10.0, 20.0, status="resolved", resolved=now - 2 * week + hour)
    _debt(store, "c", now - 20 * week, 1000.0, 2000.0, status="accepted")  # a decision, not open debt
    _debt(store, "d", now - 5 * week, 1.0, 2.0, status="resolved", resolved=now - 2 * week)  # exactly at week ends
    weeks = debt_over_time(store, now)
    assert len(weeks) == 26
    assert weeks[0].ends == dt.date(2026, 6, 3) and weeks[-1].ends == dt.date(2026, 11, 25)
    assert [w.items for w in weeks] == [0] * 16 + [1] * 4 + [2] + [3] * 2 + [2] + [1] * 2
    assert [w.interest_low for w in weeks] == [0.0] * 16 + [100.0] * 4 + [101.0] + [111.0] * 2 + [110.0] + [100.0] * 2
    assert [w.interest_high for w in weeks] == [0.0] * 16 + [200.0] * 4 + [202.0] + [222.0] * 2 + [220.0] + [200.0] * 2


def test_the_overview_charts_open_debt_and_labels_its_interest_as_at_current_rates(client, store, token):
    now = dt.datetime.now(dt.UTC)
    _debt(store, "a", now - dt.timedelta(weeks=3), 100.0, 200.0)
    page = client.get("/", headers=token("viewer")).text
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert "Open debt items at the end of each week" in page and "Its weekly interest at current rates (USD)" in page
    assert "Now: 1 open debt item, $100-200/week of interest." in page
    assert "<th scope=\"row\">" + (now - dt.timedelta(weeks=3)).date().isoformat() + "</th><td>1</td>" in page


def test_the_overview_links_the_latest_five_drift_alerts_and_incidents_newest_first(client, store, token):
    from mldebt.store.drift import add_drift_run
    from mldebt.store.ingest_tables import IncidentRow

    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        runs = [add_drift_run(session, "recs-model", "ref", "cur", {
            "dataset_drift": drifted, "drift_share": 0.5 if drifted else 0.0,
            "drifted_columns": ["price", "<b>x</b>"] if drifted else []}, now - dt.timedelta(hours=10 - i)).id
            for i, drifted in enumerate([True] * 6 + [False])]
        for i in range(7):
            session.add(IncidentRow(source="sentry", fingerprint=f"f{i}", component="recs-model", category="timeout",
                                    title=f"incident <{i}>", attributes={}, links=[],
                                    opened_at=now - dt.timedelta(days=7 - i), last_event_at=now))
        session.flush()
        incident_ids = [r.id for r in session.query(IncidentRow).order_by(IncidentRow.opened_at.desc())]
    page = client.get("/", headers=token("viewer")).text
    alerts = page.split('id="alerts-title"', 1)[1].split("</section>", 1)[0]
    assert [f'href="/drift/{run}"' in alerts for run in runs] == [False, True, True, True, True, True, False]
    assert alerts.index(f'href="/drift/{runs[5]}"') < alerts.index(f'href="/drift/{runs[1]}"')
    assert "50% of columns drifted: price, &lt;b&gt;x&lt;/b&gt;" in alerts
    incidents = page.split('id="incidents-title"', 1)[1].split("</section>", 1)[0]
    assert [incidents.index(f'href="/incidents#incident-{i}"') for i in incident_ids[:5]] == sorted(
        incidents.index(f'href="/incidents#incident-{i}"') for i in incident_ids[:5])
    assert all(f"#incident-{i}\"" not in incidents for i in incident_ids[5:])
    assert "incident &lt;6&gt;" in incidents and "<6>" not in incidents


def test_a_kpi_tile_says_better_or_worse_in_words_not_only_colour(client, store, token):
    from mldebt.store.drift import add_drift_run

    with store.session() as session:
        add_drift_run(session, "recs-model", "ref", "cur", {"dataset_drift": True, "drift_share": 1.0,
                                                            "drifted_columns": ["price"]}, dt.datetime.now(dt.UTC))
    page = client.get("/", headers=token("viewer")).text
    tile = page.split("<h3>Drift alerts</h3>", 1)[1].split("</li>", 1)[0]
    assert '<p class="verdict"><span aria-hidden="true">▼ </span>Worse (+1 alerts)</p>' in tile
    assert "lower is better" in tile
