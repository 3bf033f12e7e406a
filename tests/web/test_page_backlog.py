"""The backlog pages: ranked, filtered, paginated list; an item with its evidence, breakdown and history; edits."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

from sqlalchemy import func, select

from mldebt.service.tokens import create_api_token
from mldebt.store import debt as debt_store
from mldebt.store.debt_tables import DebtItemChangeRow, DebtItemRow
from tests.web.test_login import sign_in

NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def add(store, number: int, **values: Any) -> int:
    row = {"key": f"k{number}", "title": f"item {number}", "category": "code", "component": "recommender",
           "source": "manual", "severity": "medium", "status": "open", "effort_low_hours": 2.0,
           "effort_high_hours": 6.0, "first_seen_at": NOW, "priority": 1000.0 - number, "risk": 1.0,
           "interest_low": 100.0, "interest_high": 300.0, **values}
    with store.session() as session:
        return debt_store.add_item(session, row, actor="seed", at=NOW).id


def seed(store, count: int) -> None:
    with store.session() as session:
        for number in range(1, count + 1):
            debt_store.add_item(session, {
                "key": f"k{number}", "title": f"item {number}", "category": "code", "component": "recommender",
                "source": "manual", "severity": "medium", "status": "open", "effort_low_hours": 2.0,
                "effort_high_hours": 6.0, "first_seen_at": NOW, "priority": 1000.0 - number}, actor="seed", at=NOW)


def ranks_and_titles(page: str) -> list[tuple[int, str]]:
    rows = re.findall(r'<td class="num">(\d+)</td>\s*<td><a href="/backlog/\d+">([^<]*)</a>', page)
    return [(int(rank), unescape(title)) for rank, title in rows]


def alert(page: str) -> str:
    found = re.search(r'role="alert">([^<]*)<', page)
    assert found, "no alert on the page"
    return unescape(found.group(1))


def csrf_of(page: str) -> str:
    found = re.search(r'<form id="edit-item"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page)
    assert found, "no edit form with a CSRF token"
    return found.group(1)


def history(store, item_id: int) -> list[DebtItemChangeRow]:
    with store.session() as session:
        return list(session.scalars(select(DebtItemChangeRow).where(DebtItemChangeRow.item_id == item_id)))


def stored(store, item_id: int) -> DebtItemRow:
    with store.session() as session:
        row = session.get(DebtItemRow, item_id)
        assert row is not None
        session.expunge(row)
        return row


def test_120_items_make_three_pages_and_page_2_shows_ranks_51_to_100(client, store, token):
    seed(store, 120)
    first = client.get("/backlog", headers=token())
    assert first.status_code == 200
    assert ranks_and_titles(first.text) == [(n, f"item {n}") for n in range(1, 51)]
    assert "page 1 of 3" in first.text and 'href="/backlog?status=open&amp;status=planned' not in first.text
    second = client.get("/backlog?page=2", headers=token()).text
    assert ranks_and_titles(second) == [(n, f"item {n}") for n in range(51, 101)]
    assert "51\N{EN DASH}100 of 120" in second and "page 2 of 3" in second
    assert '<a href="/backlog" rel="prev">' in second and '<a href="/backlog?page=3" rel="next">' in second
    third = client.get("/backlog?page=3", headers=token()).text
    assert ranks_and_titles(third) == [(n, f"item {n}") for n in range(101, 121)]


def test_the_list_shows_every_column_with_ranges(client, store, token):
    add(store, 1, owner="ana", category="data", status="planned", interest_low=1234.0, interest_high=3456.0,
        effort_low_hours=4.0, effort_high_hours=12.0, priority=185.3)
    page = client.get("/backlog", headers=token()).text
    row = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["1", "item 1", "recommender", "data", "planned", "ana", "4-12 h", "$1.2k-3.5k/week", "185.3"]


def test_filters_by_component_category_several_statuses_and_owner_and_pages_keep_them(client, store, token):
    add(store, 1, component="search", owner="ana")
    add(store, 2, component="recommender", owner="ana", status="planned")
    add(store, 3, component="recommender", owner="bo", status="in-progress")
    add(store, 4, component="recommender", owner="ana", category="data")
    add(store, 5, component="recommender", owner="ana", status="resolved")
    add(store, 6, component="recommender", owner="ana", status="accepted")

    def titles(query: str) -> list[str]:
        response = client.get(f"/backlog?{query}", headers=token())
        assert response.status_code == 200
        return [title for _, title in ranks_and_titles(response.text)]

    assert titles("") == ["item 1", "item 2", "item 3", "item 4"]  # the active statuses by default
    assert titles("component=recommender") == ["item 2", "item 3", "item 4"]
    assert titles("category=data") == ["item 4"]
    assert titles("owner=ana&component=recommender") == ["item 2", "item 4"]
    assert titles("status=resolved&status=accepted") == ["item 5", "item 6"]
    assert titles("component=&category=&owner=&status=") == ["item 1", "item 2", "item 3", "item 4"]
    seed_more = [add(store, n, component="search", owner="cy", status="resolved") for n in range(10, 70)]
    assert len(seed_more) == 60
    page = client.get("/backlog?component=search&owner=cy&status=resolved", headers=token()).text
    assert '<a href="/backlog?component=search&amp;status=resolved&amp;owner=cy&amp;page=2" rel="next">' in page


def test_the_filter_form_offers_the_stored_components_and_owners_and_keeps_the_choice(client, store, token):
    add(store, 1, component="search", owner="ana")
    add(store, 2, component="recommender", owner="bo")
    add(store, 3, component="recommender")
    page = client.get("/backlog?component=search&status=open&status=resolved", headers=token()).text
    form = re.search(r'<form class="filters" method="get" action="/backlog">(.*?)</form>', page, re.S).group(1)
    component = re.search(r'<select id="f-component" name="component">(.*?)</select>', form, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', component) == ["", "recommender", "search"]
    assert '<option value="search" selected>' in component
    owner = re.search(r'<select id="f-owner" name="owner">(.*?)</select>', form, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', owner) == ["", "ana", "bo"]
    checked = re.findall(r'name="status" value="([^"]+)" checked', form)
    assert checked == ["open", "resolved"]
    assert '<label for="f-category">Category' in form and "<legend>Status</legend>" in form


def test_a_bad_filter_is_a_400_page_naming_it(client, store, token):
    add(store, 1)
    closed = client.get("/backlog?status=open&status=closed", headers=token())
    assert closed.status_code == 400
    assert alert(closed.text) == ("status: unknown status 'closed'; expected one of open, planned, in-progress, "
                                  "resolved, accepted")
    category = client.get("/backlog?category=nope", headers=token())
    assert category.status_code == 400 and alert(category.text).startswith("category: unknown category 'nope'")
    owner = client.get("/backlog?owner=" + "x" * 201, headers=token())
    assert owner.status_code == 400 and alert(owner.text) == "owner: at most 200 characters, not 201"
    assert client.get("/backlog?page=0", headers=token()).status_code == 422
    assert client.get("/backlog?page=abc", headers=token()).status_code == 422


def test_nothing_matching_shows_the_empty_state(client, store, token):
    add(store, 1)
    page = client.get("/backlog?component=nowhere", headers=token()).text
    assert "No debt items match these filters." in page and 'id="backlog"' not in page
    assert "No debt items match these filters." in client.get("/backlog?page=9", headers=token()).text


def test_hostile_titles_owners_and_refs_are_escaped_and_a_javascript_ref_is_not_linked(client, store, token):
    item_id = add(store, 1, title="<script>alert(1)</script> stale", owner='<img src=x onerror="alert(2)">',
                  description="<b>bold</b>", evidence=[
                      {"kind": "ticket", "ref": "javascript:alert(3)", "summary": "<i>hi</i>", "at": None},
                      {"kind": "order", "ref": "JaVaScRiPt:alert(4)", "summary": "x", "at": None},
                      {"kind": "incident", "ref": "data:text/html,<script>alert(5)</script>", "summary": "",
                       "at": None},
                      {"kind": "ticket", "ref": 'https://t.example/a"onmouseover="x', "summary": "", "at": None}])
    listing = client.get("/backlog", headers=token()).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; stale" in listing and "<script>" not in listing
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in listing and "<img" not in listing
    page = client.get(f"/backlog/{item_id}", headers=token()).text
    assert "<script>" not in page and "<img" not in page and "<b>bold" not in page and "<i>hi" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "&lt;i&gt;hi&lt;/i&gt;" in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert not [h for h in hrefs if not h.startswith(("/", "https://", "http://", "#main"))]
    assert not [h for h in hrefs if "alert" in h or "onmouseover" in h]
    assert "ticket javascript:alert(3)" in page  # shown as text
    assert page.count('href="/inventory/recommender"') >= 2  # the tickets point at the component page


def evidence_links(page: str) -> list[tuple[str, str, str]]:
    table = re.search(r'<table id="evidence">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<tr><td>[^<]*</td><td>(.*?)</td>", table, re.S)
    found = []
    for cell in cells:
        link = re.search(r'<a href="([^"]+)"( rel="noopener noreferrer")?>([^<]*)</a>', cell)
        found.append((unescape(link.group(1)), "external" if link.group(2) else "local", unescape(link.group(3)))
                     if link else ("", "text", unescape(re.sub(r"<[^>]+>", "", cell))))
    return found


def test_every_kind_of_evidence_links_to_where_it_is_shown(client, store, token):
    from mldebt.store.models import FindingRow

    with store.session() as session:
        finding = FindingRow(source="scan", scope="/repo", fingerprint="f" * 64, rule_id="MLD302", severity="high",
                             component="demand-forecast", message="HACK", file="forecast/forecast.py", line=17,
                             first_seen_at=NOW)
        drift = FindingRow(source="drift", scope="x", fingerprint="d" * 64, rule_id="DRIFT001", severity="high",
                           component="recommender", message="price drifted", first_seen_at=NOW)
        session.add_all([finding, drift])
        session.flush()
        finding_id, drift_id = finding.id, drift.id
    entries = [("finding", str(finding_id)), ("finding", str(drift_id)), ("finding", "999999"), ("drift_run", "12"),
               ("incident", "7"), ("ticket", "ZD-1"), ("feedback", "r-9"), ("order", "1001"), ("retrain", "3"),
               ("change", "5"), ("ticket", "https://support.example/tickets/1")]
    item_id = add(store, 1, component="demand-forecast",
                  evidence=[{"kind": k, "ref": r, "summary": f"s{n}", "at": NOW.isoformat()}
                            for n, (k, r) in enumerate(entries)])
    page = client.get(f"/backlog/{item_id}", headers=token()).text
    assert evidence_links(page) == [
        ("/scan?rule=MLD302&component=demand-forecast", "local",
         f"finding {finding_id}: MLD302 (forecast/forecast.py:17)"),
        ("/drift?component=recommender", "local", f"finding {drift_id}: DRIFT001"),
        ("", "text", "finding 999999"),
        ("/drift/12", "local", "drift run 12"),
        ("/incidents#incident-7", "local", "incident 7"),
        ("/inventory/demand-forecast", "local", "ticket ZD-1"),
        ("/feedback?component=demand-forecast", "local", "feedback r-9"),
        ("/inventory/demand-forecast", "local", "order 1001"),
        ("/inventory/demand-forecast", "local", "retrain 3"),
        ("/inventory/demand-forecast", "local", "change 5"),
        ("https://support.example/tickets/1", "external", "https://support.example/tickets/1"),
    ]
    assert '<a href="/inventory/demand-forecast">demand-forecast</a>' in page
    assert "2026-11-02 09:30 UTC" in page


BREAKDOWN = {
    "version": 1, "model": "docs/prioritization.md", "window_days": 90, "recent_days": 30, "currency": "USD",
    "summary": "$56-68/week interest, $28-68/week per hour of effort; risk 1 (impact 8 x likelihood 0.13)",
    "reasons": ["demand-forecast incidents (data-quality): 3 incident interval(s) -> $25/week"],
    "impact": {"value": 8.0, "severity": "high", "severity_weight": 4.0, "exposure": 2.0, "customer_facing": False,
               "revenue_critical": True, "lifecycle": "production", "retired": False, "in_inventory": True,
               "lifecycle_weight": 1.0, "dependants": 1, "dependant_names": ["checkout"], "dependants_factor": 1.2},
    "likelihood": {"value": 0.1253, "base": 0.05, "signals": [
        {"name": "incident_frequency", "value": 0.0093, "unit": "intervals/week", "half": 1.0, "p": 0.0092,
         "sources": ["demand-forecast incidents (data-quality)"]}], "without_evidence": ["ticket_volume", "churn"]},
    "risk": 1.0026,
    "interest": {"per_week": 55.75, "low": 55.75, "high": 68.1, "hours_per_week": 0.124, "text": "$56-68/week",
                 "shared_per_week": 55.75, "shared_recent_per_week": 68.1,
                 "drag": {"changes_per_week": 0.0, "share_per_change": 0.1, "per_week": 0.0},
                 "parts": [{"kind": "incidents", "component": "demand-forecast", "category": "data-quality",
                            "pool_per_week": 1351.86, "relation": "own", "share": 0.0188, "per_week": 25.42,
                            "recent_per_week": 49.41,
                            "observed": {"incidents": 1, "intervals": 3, "incident_ids": [7]}}],
                 "parts_omitted": 0, "omitted_per_week": 0},
    "priority": {"value": 37.1686, "low": 27.8764, "high": 68.1009, "effort_low_hours": 1.0,
                 "effort_high_hours": 2.0, "effort_mid_hours": 1.5},
    "rates": {"currency": "USD", "engineer_hour": 110.0, "incident_hour": 450.0},
    "defaults_used": [], "new_field": {"a": 1},
}


def table_text(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}"[^>]*>(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [[" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_the_score_breakdown_shows_risk_interest_parts_priority_and_how_it_was_computed(client, store, token):
    item_id = add(store, 1, component="demand-forecast", breakdown=BREAKDOWN, scored_at=NOW,
                  interest_low=55.75, interest_high=68.1, priority=37.1686, priority_low=27.8764,
                  priority_high=68.1009, effort_low_hours=1.0, effort_high_hours=2.0)
    page = client.get(f"/backlog/{item_id}", headers=token()).text
    assert BREAKDOWN["summary"] in unescape(page)
    assert table_text(page, "breakdown-risk") == [["Risk", "1"], ["Impact", "8"], ["Likelihood", "0.125"]]
    assert ["Dependants", "1: checkout"] in table_text(page, "breakdown-impact")
    assert '<a href="/inventory/checkout">checkout</a>' in page
    assert table_text(page, "breakdown-likelihood")[1] == [
        "incident_frequency", "0.0093 intervals/week", "1", "0.0092", "demand-forecast incidents (data-quality)"]
    assert table_text(page, "breakdown-interest-parts")[1] == [
        "demand-forecast incidents (data-quality)", "own", "$1.4k/week", "0.0188", "$25/week", "$49/week",
        "incidents 1, intervals 3: incident 7"]
    assert '<a href="/incidents#incident-7">incident 7</a>' in page
    assert table_text(page, "breakdown-priority") == [
        ["Priority", "37.2"], ["Range", "$28-68/week per hour"], ["Effort", "1-2 h (midpoint 1.5 h)"]]
    assert ["Scored at", "2026-11-02 09:30 UTC"] in table_text(page, "breakdown-method")
    method = table_text(page, "breakdown-method")
    assert ["Model", "docs/prioritization.md"] in method and ["New field", '{"a": 1}'] in method
    assert ["incident hour", "450"] in table_text(page, "breakdown-rates")


def test_an_unscored_item_says_so_and_an_unknown_item_is_404(client, store, token):
    item_id = add(store, 1)
    assert "Not scored yet" in client.get(f"/backlog/{item_id}", headers=token()).text
    assert client.get("/backlog/424242", headers=token()).status_code == 404
    assert client.get("/backlog/99999999999999999999", headers=token()).status_code in (404, 422)
    assert client.post("/backlog/424242", headers=token("editor"), data={"status": "planned"}).status_code == 404


def test_an_editor_changes_status_and_owner_with_the_form_and_the_history_shows_it(client, store):
    item_id = add(store, 1)
    assert sign_in(client, create_api_token(store, "editor", "ed")["token"]).status_code == 303
    page = client.get(f"/backlog/{item_id}").text
    form = re.search(r'<form id="edit-item" class="edit" method="post" action="/backlog/(\d+)">', page)
    assert form and int(form.group(1)) == item_id
    assert '<option value="open" selected>' in page and '<button type="submit">Save changes</button>' in page
    response = client.post(f"/backlog/{item_id}", data={
        "csrf_token": csrf_of(page), "status": "in-progress", "owner": "ana", "effort_low_hours": "2",
        "effort_high_hours": "6", "accepted_reason": "", "accepted_until": ""}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/backlog/{item_id}"
    reloaded = client.get(f"/backlog/{item_id}").text
    rows = table_text(reloaded, "history")
    assert rows[0] == ["When", "Who", "What"]
    assert rows[1][1:] == ["token:ed", "updated status: open → in-progress owner: none → ana"]
    assert rows[2][1] == "seed" and rows[2][2].startswith("created")
    assert '<option value="in-progress" selected>' in reloaded
    row = stored(store, item_id)
    assert (row.status, row.owner, row.effort_low_hours, row.effort_high_hours) == ("in-progress", "ana", 2.0, 6.0)


def test_an_editor_changes_the_effort_and_accepts_an_item(client, store, token):
    item_id = add(store, 1)
    editor = token("editor")
    response = client.post(f"/backlog/{item_id}", headers=editor, data={
        "status": "open", "owner": "", "effort_low_hours": "3.5", "effort_high_hours": "8"}, follow_redirects=False)
    assert response.status_code == 303  # a Bearer caller needs no CSRF token
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    accepted = client.post(f"/backlog/{item_id}", headers=editor, data={
        "status": "accepted", "owner": "", "effort_low_hours": "3.5", "effort_high_hours": "8",
        "accepted_reason": "cheaper to live with", "accepted_until": until}, follow_redirects=False)
    assert accepted.status_code == 303
    row = stored(store, item_id)
    assert (row.status, row.effort_low_hours, row.effort_high_hours, row.accepted_reason) == (
        "accepted", 3.5, 8.0, "cheaper to live with")
    rows = table_text(client.get(f"/backlog/{item_id}", headers=editor).text, "history")
    assert rows[2][2] == "estimated effort_low_hours: 2 → 3.5 effort_high_hours: 6 → 8"
    assert rows[1][2] == f"accepted status: open → accepted accepted_reason: none → cheaper to live with " \
                         f"accepted_until: none → {until}"


def test_a_refused_change_shows_the_page_again_with_400_and_the_reason_and_changes_nothing(client, store, token):
    item_id = add(store, 1)
    editor = token("editor")

    def post(**fields: str) -> tuple[int, str]:
        data = {"status": "open", "owner": "", "effort_low_hours": "2", "effort_high_hours": "6", **fields}
        response = client.post(f"/backlog/{item_id}", headers=editor, data=data, follow_redirects=False)
        return response.status_code, alert(response.text) if response.status_code == 400 else ""

    assert post(effort_low_hours="9") == (400, "effort: effort low (9 h) is above high (6 h)")
    assert post(effort_low_hours="lots") == (400, "effort_low_hours: expected a number of hours, not 'lots'")
    assert post(status="closed") == (400, "status: unknown status 'closed'; expected one of open, planned, "
                                          "in-progress, resolved, accepted")
    assert post(owner="o" * 201) == (400, "owner: at most 200 characters, not 201")
    assert post() == (400, "nothing changed: the form holds the item's current status, owner and effort")
    assert post(status="accepted") == (400, "accepted_reason: accepting debt needs a reason (why it is not paid now)")
    page = client.post(f"/backlog/{item_id}", headers=editor, data={
        "status": "planned", "owner": "<b>x</b>", "effort_low_hours": "9", "effort_high_hours": "6"}).text
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in page and '<option value="planned" selected>' in page  # as it was sent
    assert len(history(store, item_id)) == 1
    row = stored(store, item_id)
    assert (row.status, row.owner, row.effort_low_hours, row.effort_high_hours) == ("open", None, 2.0, 6.0)


def test_a_form_post_without_the_csrf_token_is_refused(client, store):
    item_id = add(store, 1)
    sign_in(client, create_api_token(store, "editor", "ed")["token"])
    page = client.get(f"/backlog/{item_id}").text
    for token in (None, "forged", csrf_of(page)[:-1] + "x"):
        data = {"status": "planned"} | ({"csrf_token": token} if token else {})
        response = client.post(f"/backlog/{item_id}", data=data, follow_redirects=False)
        assert response.status_code == 403
        assert response.json()["error"]["message"] == "missing or wrong CSRF token: reload the page and send the " \
                                                       "form again"
    assert stored(store, item_id).status == "open" and len(history(store, item_id)) == 1


def test_a_viewer_sees_no_form_and_cannot_post(client, store, token):
    item_id = add(store, 1)
    assert 'id="edit-item"' not in client.get(f"/backlog/{item_id}", headers=token("viewer")).text
    assert client.post(f"/backlog/{item_id}", headers=token("viewer"), data={"status": "planned"}).status_code == 403
    sign_in(client, create_api_token(store, "viewer", "vi")["token"])
    page = client.get(f"/backlog/{item_id}").text
    assert 'id="edit-item"' not in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # the sign-out form's
    assert client.post(f"/backlog/{item_id}", data={"csrf_token": csrf, "status": "planned"}).status_code == 403
    assert stored(store, item_id).status == "open"


def test_a_signed_out_visitor_is_sent_to_login(client, store):
    item_id = add(store, 1)
    response = client.get(f"/backlog/{item_id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/login?next=/backlog/{item_id}"
    assert client.post(f"/backlog/{item_id}", data={"status": "planned"}, follow_redirects=False).status_code == 303


def test_the_list_reads_one_count_one_page_of_ids_its_rows_and_the_two_filter_choices(store):
    from sqlalchemy import event

    from mldebt.service.backlog_view import BacklogFilters, backlog_list

    seed(store, 120)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        listing = backlog_list(store, BacklogFilters.of("recommender", None, ["open"], None), 50, 50)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert [row["rank"] for row in listing.rows] == list(range(51, 101)) and listing.total == 120
    on_items = [s for s in statements if "FROM debt_items" in s]
    assert len([s for s in on_items if "count(*)" in s]) == 1
    page = [s for s in on_items if "LIMIT" in s and "DISTINCT" not in s]
    assert len(page) == 1 and page[0].startswith("SELECT debt_items.id FROM debt_items")  # the sort carries ids only
    assert len([s for s in on_items if "debt_items.id IN" in s]) == 1  # then the page's 50 rows by primary key
    assert len([s for s in on_items if "DISTINCT" in s]) == 2 and len(on_items) == 5
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(DebtItemChangeRow)) == 120
