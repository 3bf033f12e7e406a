"""`/scan`: findings by rule and component, hotspots, ML Test Score per component, scan runs, the list."""

import datetime as dt
import re

from mldebt.store.models import FindingRow
from mldebt.store.scans import add_scan_run

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
HOSTILE = "<script>alert(1)</script>"


def add_findings(store, *specs):
    """Each spec: (count, rule, severity, component, file[, source[, effort minutes[, status]]])."""
    with store.session() as session:
        for spec in specs:
            add_group(session, *spec)


def add_group(session, count, rule, severity, component, file, source="scan", minutes=10, status="open"):
    for i in range(count):
        session.add(FindingRow(source=source, scope="repo", fingerprint=f"{rule}-{component}-{file}-{status}-{i}"[-64:],
                               rule_id=rule, severity=severity, component=component, message=f"{rule} finding {i}",
                               evidence={}, file=file, line=i + 1 if file else None, effort_minutes=minutes,
                               status=status, first_seen_at=T0))


def scores(component, final, sections=(2.0, 1.5, 1.0, 3.0), missing=20):
    return {"component": component, "final": final,
            "sections": dict(zip(("data", "model", "infrastructure", "monitoring"), sections, strict=True)),
            "points": {}, "how": {}, "missing": [f"T{i}" for i in range(missing)]}


def add_run(store, scope, at, test_scores, findings=3, new=2, fixed=1):
    with store.session() as session:
        add_scan_run(session, scope, at, {"files": 11, "lines": 117, "findings": findings, "suppressed": 0,
                                          "new": new, "fixed": fixed, "debt_minutes": 90}, 0.25,
                     {"counts_by_rule": {}, "hotspots": [], "ml_test_score": test_scores})


def rows_of(page, section_id):
    section = page[page.index(f'id="{section_id}"'):]
    table = section[section.index("<tbody>"):section.index("</tbody>")]
    cells = r"<t[hd][^>]*>(.*?)</t[hd]>"
    return [[" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(cells, row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_findings_by_rule_count_open_findings_with_title_worst_severity_and_debt(client, store, token):
    add_findings(store, (3, "MLD102", "medium", "recs", "req.txt"), (1, "MLD102", "high", "churn", "a.txt"),
                 (2, "MLD406", "critical", "recs", "bot.py"), (5, "MLD301", "low", "recs", "x.py", "scan", 10, "fixed"))
    page = client.get("/scan", headers=token()).text
    assert rows_of(page, "by-rule-title") == [["MLD102", "unpinned-requirement", "4", "high", "0.7"],
                                              ["MLD406", "hard-coded-credential", "2", "critical", "0.3"]]
    assert 'aria-labelledby="scan-by-rule-title"' in page and 'href="/scan?rule=MLD102"' in page
    assert rows_of(page, "by-component-title") == [["recs", "5", "2", "critical", "0.8"],
                                                   ["churn", "1", "1", "high", "0.2"]]


def test_hotspots_are_the_20_files_with_the_most_open_findings(client, store, token):
    add_findings(store, *((i % 5 + 1, "MLD301", "low", "recs", f"src/f{i:02d}.py") for i in range(25)),
                 (9, "INV001", "high", "recs", None, "inventory"))
    page = client.get("/scan", headers=token()).text
    files = rows_of(page, "hotspots-title")
    assert len(files) == 20 and files[:2] == [["src/f04.py", "5", "low", "0.8"], ["src/f09.py", "5", "low", "0.8"]]
    assert [f[1] for f in files] == ["5"] * 5 + ["4"] * 5 + ["3"] * 5 + ["2"] * 5
    assert "The top 20 of 25 files with open findings." in page


def test_the_ml_test_score_comes_from_the_latest_scan_of_each_tree(client, store, token):
    add_run(store, "/repo/a", T0, [scores("recs-model", 0.5), scores("churn-model", 2.0)])
    add_run(store, "/repo/a", T0 + dt.timedelta(days=7),
            [{**scores("recs-model", 1.0, (2.0, 1.5, 1.0, 3.0), 18), "governance": "reviewed"}])
    add_run(store, "/repo/b", T0 + dt.timedelta(days=1), [scores("fraud-model", 1.5, (1.5, 2.0, 2.0, 2.0))])
    page = client.get("/scan", headers=token()).text
    assert rows_of(page, "test-score-title") == [
        ["recs-model", "2.0", "1.5", "1.0", "3.0", "1.0", "18 of 28", "reviewed", "2026-11-09"],
        ["fraud-model", "1.5", "2.0", "2.0", "2.0", "1.5", "20 of 28", "-", "2026-11-03"]]  # stored before the line
    assert 'aria-labelledby="scan-test-score-title"' in page
    assert rows_of(page, "scan-runs-title") == [
        ["2026-11-09 08:00 UTC", "/repo/a", "11", "3", "2", "1", "1.5"],
        ["2026-11-03 08:00 UTC", "/repo/b", "11", "3", "2", "1", "1.5"],
        ["2026-11-02 08:00 UTC", "/repo/a", "11", "3", "2", "1", "1.5"]]
    only = client.get("/scan?component=fraud-model", headers=token()).text
    assert [r[0] for r in rows_of(only, "test-score-title")] == ["fraud-model"]


def test_the_open_findings_list_is_worst_first_paginated_and_keeps_its_filters(client, store, token):
    add_findings(store, (52, "MLD102", "medium", "recs", "req.txt"), (1, "MLD406", "critical", "bot", "bot.py"),
                 (2, "INV001", "high", "recs", None, "inventory"))
    first = client.get("/scan", headers=token()).text
    listed = rows_of(first, "findings-title")
    assert len(listed) == 50 and listed[0][:4] == ["critical", "MLD406", "bot", "bot.py:1"]
    assert listed[1][:4] == ["high", "INV001", "recs", "-"]
    assert listed[3] == ["medium", "MLD102", "recs", "req.txt:1", "MLD102 finding 0", "scan", "2026-11-02"]
    assert "1\u201350 of 55" in first and 'href="/scan?page=2"' in first
    assert [r[3] for r in rows_of(client.get("/scan?page=2", headers=token()).text, "findings-title")] == [
        "req.txt:48", "req.txt:49", "req.txt:50", "req.txt:51", "req.txt:52"]
    filtered = client.get("/scan?rule=MLD102&component=recs&severity=medium&source=scan&page=2", headers=token()).text
    assert len(rows_of(filtered, "findings-title")) == 2 and "51\u201352 of 52" in filtered
    assert 'href="/scan?rule=MLD102&amp;component=recs&amp;source=scan&amp;severity=medium"' in filtered
    assert rows_of(filtered, "by-rule-title") == [["MLD102", "unpinned-requirement", "52", "medium", "8.7"]]
    by_source = client.get("/scan?source=inventory", headers=token()).text
    assert [r[1] for r in rows_of(by_source, "findings-title")] == ["INV001", "INV001"]
    assert rows_of(by_source, "by-component-title") == [["recs", "2", "2", "high", "0.3"]]


def test_a_bad_filter_is_a_400_naming_it(client, token):
    for query, message in (
            ("rule=%3Cx%3E", "rule: a rule id of 1 to 30 letters, digits, '.', '_' or '-' (such as MLD102)"),
            ("source=nope", "source: expected one of scan, drift, inventory, incidents, feedback, got 'nope'"),
            ("severity=urgent", "severity: expected one of info, low, medium, high, critical, got 'urgent'")):
        response = client.get(f"/scan?{query}", headers=token())
        assert (response.status_code, response.json()["error"]["message"]) == (400, message), query
    long = client.get("/scan?component=" + "x" * 101, headers=token())
    assert long.status_code == 422 and "component" in long.text
    assert client.get("/scan?page=0", headers=token()).status_code == 422


def test_hostile_file_paths_messages_and_names_are_escaped(client, store, token):
    add_findings(store, (1, "MLD301", "low", HOSTILE, f"{HOSTILE}.py"))
    with store.session() as session:
        session.query(FindingRow).update({"message": HOSTILE})
    add_run(store, f"/repo/{HOSTILE}", T0, [scores(HOSTILE, 1.0)])
    page = client.get("/scan", headers=token()).text
    assert "<script>" not in page and page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6


def test_an_empty_store_shows_empty_states(client, token):
    response = client.get("/scan", headers=token())
    assert response.status_code == 200
    page = response.text
    for text in ("<p>No open findings.</p>", "No component has open findings.", "No open finding names a file.",
                 "No scan has scored a model yet.", "No scan runs are stored."):
        assert text in page, text
    filtered = client.get("/scan?rule=MLD999&page=4", headers=token())
    assert filtered.status_code == 200 and "No open findings match these filters." in filtered.text


def test_the_scan_page_needs_a_signed_in_viewer(client):
    response = client.get("/scan?rule=MLD102", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/scan%3Frule%3DMLD102"
