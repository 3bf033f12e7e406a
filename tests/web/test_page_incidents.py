"""`/incidents`: timeline and MTTR charts with their tables, recurring failures, the filtered, paged, escaped list."""

import datetime as dt
import re
from functools import partial

from mldebt.service import incident_view
from mldebt.service.incident_view import MttrRow, window_start
from mldebt.service.tokens import create_api_token
from mldebt.web.pages.incidents import mttr_chart
from tests.support.incident_rows import add_finding, add_incident
from tests.web.test_login import sign_in


def this_week() -> dt.datetime:
    """Monday 00:00 UTC of the current week: the last week of the page's window."""
    return window_start(dt.datetime.now(dt.UTC), 1)


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr id="incident-(\d+)">', page)


def test_the_page_shows_the_charts_mttr_tables_and_recurring_failures(client, store, token):
    monday = this_week()
    with store.session() as session:
        just_now = max(monday, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        add_incident(session, 1, "recs-api", "latency", [(just_now, 30)])
        add_incident(session, 2, "recs-api", "latency", [(monday - dt.timedelta(days=3), 90)])
        add_incident(session, 3, "fraud-model", "model-error", [(monday - dt.timedelta(days=4), 3 * 1440)])
        add_finding(session, 1, "INC001", "high", "recs-api", monday,
                    message="recurring failure: recs timeout (4 times in 30 days)",
                    evidence={"kind": "fingerprint", "occurrences": 4, "window_days": 30, "categories": ["latency"],
                              "incidents": [{"incident_id": 1, "opened_at": "x", "title": "recs timeout"}]})
    response = client.get("/incidents", headers=token("viewer"))
    page = response.text
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert "Incidents opened per week, by category" in page and "Median MTTR per component" in page
    assert '<th scope="row">' + monday.date().isoformat() + "</th>" in page  # the timeline's data table
    assert page.count("<h1>") == 1 and 'href="/static/incidents.css"' in page
    recs = page.split('<a href="/inventory/recs-api">recs-api</a></th>')[1].split("</tr>")[0]
    assert re.sub(r"\s+", " ", recs).strip() == (
        "<td>2</td><td>2</td><td>0</td> <td>1.0 h</td><td>1.0 h</td><td>1.4 h</td> "
        '<td><span class="badge good">under a day</span></td>')
    fraud = page.split('<a href="/inventory/fraud-model">fraud-model</a></th>')[1].split("</tr>")[0]
    assert "<td>3.0 days</td>" in fraud and '<span class="badge warn">under a week</span>' in fraud
    assert "recurring failure: recs timeout (4 times in 30 days)" in page and "4 in 30 days" in page
    assert "1 of 1 open recurring-failure findings" in page
    assert rows_of(page) == ["1", "2", "3"]


def test_hostile_titles_and_component_names_are_escaped(client, store, token):
    with store.session() as session:
        add_incident(session, 1, "<b>x</b>", "latency", [(this_week(), 5)], title="<script>alert(1)</script> down")
    page = client.get("/incidents", headers=token("viewer")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; down" in page and "<script>" not in page
    assert '<a href="/inventory/%3Cb%3Ex%3C/b%3E">&lt;b&gt;x&lt;/b&gt;</a>' in page and "<b>x</b>" not in page


def test_the_list_filters_by_component_category_source_and_status_and_keeps_them_in_the_form(client, store, token):
    monday = this_week()
    with store.session() as session:
        a = add_incident(session, 1, "recs-api", "latency", [(monday - dt.timedelta(days=1), 5)])
        b = add_incident(session, 2, "recs-api", "data-quality", [(monday - dt.timedelta(days=2), None)])
        c = add_incident(session, 3, "fraud-model", "latency", [(monday - dt.timedelta(days=3), 5)],
                         source="alertmanager")
    viewer = token("viewer")

    def listed(query: str) -> list[str]:
        response = client.get(f"/incidents?{query}", headers=viewer)
        assert response.status_code == 200
        return rows_of(response.text)

    assert listed("") == [str(a), str(b), str(c)]
    assert listed("component=recs-api") == [str(a), str(b)]
    assert listed("category=latency") == [str(a), str(c)]
    assert listed("source=alertmanager") == [str(c)]
    assert listed("status=open") == [str(b)]
    assert listed("status=resolved&component=recs-api") == [str(a)]
    assert listed("component=&category=&source=&status=") == [str(a), str(b), str(c)]
    page = client.get("/incidents?status=open&category=data-quality", headers=viewer).text
    assert '<option value="open" selected>open</option>' in page
    assert '<option value="data-quality" selected>data-quality</option>' in page
    assert '<span class="badge bad">open</span>' in page and '<span class="muted">still open</span>' in page


def test_the_list_is_paged_fifty_at_a_time_keeping_the_filters(client, store, token):
    monday = this_week()
    with store.session() as session:
        ids = [add_incident(session, n, "recs-api", "latency", [(monday - dt.timedelta(hours=n + 1), 5)])
               for n in range(51)]
    viewer = token("viewer")
    first = client.get("/incidents?component=recs-api", headers=viewer).text
    assert rows_of(first) == [str(i) for i in ids[:50]]
    assert "1\u201350 of 51" in first and 'href="/incidents?component=recs-api&amp;page=2" rel="next"' in first
    second = client.get("/incidents?component=recs-api&page=2", headers=viewer).text
    assert rows_of(second) == [str(ids[50])] and "51\u201351 of 51" in second
    assert client.get("/incidents?page=0", headers=viewer).status_code == 422


def test_a_bad_filter_is_a_400_naming_it(client, token):
    response = client.get("/incidents?status=closed", headers=token("viewer"))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "status: 'closed' is not one of open, resolved"
    assert client.get("/incidents?category=%3Cx%3E", headers=token("viewer")).status_code == 400
    assert client.get("/incidents?component=" + "x" * 201, headers=token("viewer")).status_code == 422


def test_an_empty_store_shows_empty_states(client, store):
    sign_in(client, create_api_token(store, "viewer", "ana")["token"])
    response = client.get("/incidents")
    assert response.status_code == 200
    for text in ("No incidents opened in the last 26 weeks.", "No outage intervals in the last 30 days.",
                 "No open recurring failures recorded.", "No incidents match."):
        assert text in response.text


def test_a_signed_out_visitor_is_sent_to_login(client):
    response = client.get("/incidents?status=open", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/incidents")


def test_the_mttr_chart_draws_the_slowest_components_first_and_says_when_it_keeps_only_fifty():
    rows = [MttrRow(f"c{n:02d}", 1, 1, 0, 60.0 * n, 60.0 * n, 60.0 * n) for n in range(1, 53)]
    rows.append(MttrRow("never-resolved", 1, 0, 1, None, None, None))
    chart = mttr_chart(rows)
    assert chart.title == "Median MTTR per component (the 50 slowest)"
    assert [row[0] for row in chart.table.rows][:2] == ["c52", "c51"] and len(chart.table.rows) == 50
    assert mttr_chart(rows[:3]).title == "Median MTTR per component"


def test_a_month_with_more_intervals_than_mttr_reads_says_where_its_window_starts(client, store, token, monkeypatch):
    monday = this_week()
    with store.session() as session:
        add_incident(session, 1, "recs-api", "latency", [(monday, 30)])
        add_incident(session, 2, "recs-api", "latency", [(monday - dt.timedelta(days=1), 90)])
    monkeypatch.setattr(incident_view, "mttr_tables", partial(incident_view.mttr_tables, most=1))
    page = client.get("/incidents", headers=token("viewer")).text
    shown = monday.strftime("%Y-%m-%d %H:%M")
    assert f'since <time datetime="{monday.isoformat()}">{shown}</time> UTC (the newest 1: the last 30 days' in page
