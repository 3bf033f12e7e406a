"""`/feedback`: the satisfaction chart with its table, the quarter comparison, escaped and paged negative answers."""

import datetime as dt
import re

from mldebt.metrics.kpis.period import Quarter
from mldebt.service.incident_view import window_start
from mldebt.service.tokens import create_api_token
from tests.support.incident_rows import add_answer
from tests.web.test_login import sign_in


def this_week() -> dt.datetime:
    return window_start(dt.datetime.now(dt.UTC), 1)


def answers_of(page: str) -> list[str]:
    return re.findall(r'<tr id="answer-(\d+)">', page)


def test_the_page_shows_the_trend_chart_and_this_quarter_against_the_last(client, store, token):
    monday = this_week()
    quarter = Quarter.of(dt.datetime.now(dt.UTC))
    first_day = max(monday, quarter.start)  # this week and this quarter
    with store.session() as session:
        add_answer(session, 1, "recs", 1.0, first_day)
        add_answer(session, 2, "recs", 0.5, first_day)
        add_answer(session, 3, "recs", 1.0, quarter.previous().start + dt.timedelta(days=1))
    response = client.get("/feedback", headers=token("viewer"))
    page = response.text
    assert response.status_code == 200 and page.count("<h1>") == 1 and 'href="/static/feedback.css"' in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
    assert "Satisfaction per AI feature, weekly mean score" in page
    assert f'<tr><th scope="row">{monday.date().isoformat()}</th><td>0.75</td></tr>' in page  # the chart's table
    row = page.split('<th scope="row"><a href="/inventory/recs">recs</a></th>')[1].split("</tr>")[0]
    assert re.sub(r"\s+", " ", row).strip() == (
        "<td>2</td> <td>0.750</td> <td>0%</td> <td>1</td> <td>1.000</td> "
        '<td><span class="badge bad">-0.250 worse</span></td>')
    assert f"Per AI feature: {quarter} against {quarter.previous()}" in page


def test_negative_answers_are_escaped_bounded_newest_first_and_filtered(client, store, token):
    monday = this_week()
    with store.session() as session:
        hostile = add_answer(session, 1, "recs", 0.0, monday, answer="<script>alert(1)</script> terrible " + "x" * 400)
        older = add_answer(session, 2, "search", 0.25, monday - dt.timedelta(days=1), answer="bad")
        add_answer(session, 3, "search", 0.5, monday - dt.timedelta(days=2), answer="okay")  # not negative
        unlinked = add_answer(session, 4, None, 0.0, monday - dt.timedelta(days=3), answer="<b>no</b>")
    viewer = token("viewer")
    page = client.get("/feedback", headers=viewer).text
    assert answers_of(page) == [str(hostile), str(older), str(unlinked)]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; terrible" in page and "<script>" not in page
    assert "&lt;b&gt;no&lt;/b&gt;" in page and "x" * 300 not in page and "x" * 200 in page
    assert '<span class="muted">(unlinked)</span>' in page
    filtered = client.get("/feedback?component=search", headers=viewer).text
    assert answers_of(filtered) == [str(older)] and '<option value="search" selected>search</option>' in filtered


def test_negative_answers_are_paged_keeping_the_filter(client, store, token):
    monday = this_week()
    with store.session() as session:
        ids = [add_answer(session, n, "recs", 0.0, monday - dt.timedelta(hours=n)) for n in range(51)]
    viewer = token("viewer")
    first = client.get("/feedback?component=recs", headers=viewer).text
    assert answers_of(first) == [str(i) for i in ids[:50]]
    assert 'href="/feedback?component=recs&amp;page=2" rel="next"' in first
    assert answers_of(client.get("/feedback?component=recs&page=2", headers=viewer).text) == [str(ids[50])]


def test_a_bad_filter_is_a_4xx_naming_it(client, token):
    response = client.get("/feedback?component=" + "x" * 101, headers=token("viewer"))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "component: at most 100 characters, got 101"
    assert client.get("/feedback?page=-1", headers=token("viewer")).status_code == 422


def test_an_empty_store_shows_empty_states(client, store):
    sign_in(client, create_api_token(store, "viewer", "ana")["token"])
    response = client.get("/feedback")
    assert response.status_code == 200
    for text in ("No scored answers in the last 26 weeks.", "No negative answers."):
        assert text in response.text
    assert "No scored answers in " in response.text


def test_a_signed_out_visitor_is_sent_to_login(client):
    response = client.get("/feedback", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/feedback"
