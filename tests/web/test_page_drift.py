"""`/drift` and `/drift/{run}`: runs per component, drift over windows, the latest runs, one run's columns."""

import datetime as dt
import re

from mldebt.store.drift import add_drift_run

T0 = dt.datetime(2026, 10, 5, 9, 30, tzinfo=dt.UTC)
HOSTILE = "<script>alert(1)</script>"


def column(name, drifted, effect, method="ks", chart=True):
    return {"name": name, "type": "numeric", "method": method, "statistic": 0.25, "pvalue": 1e-5,
            "adjusted_pvalue": 3e-5, "effect": effect, "effect_measure": "wasserstein_sd", "threshold": 0.01,
            "drifted": drifted, "n_reference": 100, "n_current": 100, "note": None,
            "chart": {"labels": ["[0, 1)", "[1, 2)"], "reference": [0.5, 0.5], "current": [0.2, 0.8]}
            if chart else None}


def report(share, columns=None):
    columns = columns if columns is not None else [column("price", share > 0, 0.3), column("qty", False, 0.01)]
    return {"dataset_drift": share >= 0.5, "drift_share": share, "drift_share_threshold": 0.5, "alpha": 0.01,
            "min_effect": 0.02, "n_reference": 100, "n_current": 100,
            "drifted_columns": [c["name"] for c in columns if c["drifted"]], "columns": columns, "errors": []}


def add_runs(store, component, shares, start=T0, reference="ref.parquet"):
    ids = []
    with store.session() as session:
        for week, share in enumerate(shares):
            ids.append(add_drift_run(session, component, reference, f"week-{week}.parquet", report(share),
                                     start + dt.timedelta(weeks=week)).id)
    return ids


def rows_of(page, section_id):
    section = page[page.index(f'id="{section_id}"'):]
    table = section[:section.index("</table>")]
    return [re.sub(r"<[^>]+>", "", row).split() for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]


def test_runs_per_component_count_the_runs_and_show_the_latest_verdict(client, store, token):
    add_runs(store, "recs-model", [0.0, 0.25, 0.5])
    add_runs(store, "churn-model", [0.0, 0.0])
    page = client.get("/drift", headers=token()).text
    assert rows_of(page, "per-component-title") == [
        ["recs-model", "3", "2026-10-19", "09:30", "UTC", "0.50", "yes", "price"],
        ["churn-model", "2", "2026-10-12", "09:30", "UTC", "0.00", "no", "none"]]
    assert 'href="/drift?component=recs-model"' in page and 'href="/drift/3"' in page


def test_drift_over_windows_charts_each_components_latest_runs_by_run_date(client, store, token):
    add_runs(store, "recs-model", [0.0, 0.25, 0.5])
    page = client.get("/drift", headers=token()).text
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
    assert 'aria-labelledby="drift-window-1-title"' in page
    assert "Drift share of recs-model over its latest 3 runs" in page
    data = page[page.index("<summary>Data: Drift share of recs-model"):]
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", data[:data.index("</table>")])
    assert cells == ["run date", "drift share", "2026-10-05", "0", "2026-10-12", "0.25", "2026-10-19", "0.5"]


def test_the_latest_runs_are_paginated_newest_first_and_filtered_by_component(client, store, token):
    add_runs(store, "recs-model", [0.1] * 53)
    add_runs(store, "churn-model", [0.0], start=T0 - dt.timedelta(days=1))
    first = client.get("/drift", headers=token()).text
    runs = rows_of(first, "runs-title")
    assert len(runs) == 50 and runs[0][:2] == ["run", "53"] and runs[-1][:2] == ["run", "4"]
    assert "1\u201350 of 54" in first and 'href="/drift?page=2"' in first
    second = rows_of(client.get("/drift?page=2", headers=token()).text, "runs-title")
    assert [r[1] for r in second] == ["3", "2", "1", "54"]
    only = client.get("/drift?component=churn-model", headers=token()).text
    assert [r[1] for r in rows_of(only, "runs-title")] == ["54"]
    assert "<h1>Drift: churn-model</h1>" in only and rows_of(only, "per-component-title")[0][:2] == ["churn-model", "1"]
    paged = client.get("/drift?component=recs-model&page=2", headers=token()).text
    assert [r[1] for r in rows_of(paged, "runs-title")] == ["3", "2", "1"]
    assert 'href="/drift?component=recs-model"' in paged and "51\u201353 of 53" in paged


def test_a_run_page_shows_each_columns_test_statistic_verdict_and_a_chart(client, store, token):
    [run] = add_runs(store, "recs-model", [0.5])
    page = client.get(f"/drift/{run}", headers=token()).text
    assert "<h1>Drift run 1: recs-model</h1>" in page
    assert rows_of(page, "columns-title") == [
        ["price", "numeric", "ks", "0.25", "1e-05", "3e-05", "0.01", "0.3", "wasserstein_sd", "drifted"],
        ["qty", "numeric", "ks", "0.25", "1e-05", "3e-05", "0.01", "0.01", "wasserstein_sd", "no"]]
    assert "ref.parquet (100 rows)" in page and "week-0.parquet (100 rows)" in page and "2026-10-05 09:30 UTC" in page
    assert page.count('class="chart" width=') == 2 and 'aria-labelledby="col-1-chart-title"' in page
    assert "reference and current distribution of price" in page and 'href="#col-1"' in page


def test_a_run_with_many_columns_charts_only_the_50_most_drifted_and_says_how_many_are_left_out(client, store, token):
    columns = [column(f"c{i:02d}", i % 2 == 0, i / 100) for i in range(60)]
    with store.session() as session:
        run = add_drift_run(session, "wide", "r", "c", report(0.5, columns), T0).id
    page = client.get(f"/drift/{run}", headers=token()).text
    assert page.count('class="chart" width=') == 50
    assert "10 more columns have a chart that is not drawn here: only the 50 most drifted are." in page
    names = [r[0] for r in rows_of(page, "columns-title")]
    assert names[:3] == ["c58", "c56", "c54"] and names[29] == "c00" and names[30] == "c59" and len(names) == 60
    assert 'id="col-50"' in page and 'id="col-51"' not in page


def test_an_unknown_run_is_404_and_a_run_id_that_is_not_a_number_is_refused(client, store, token):
    add_runs(store, "recs-model", [0.5])
    missing = client.get("/drift/2", headers=token())
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "no drift run 2"
    assert client.get("/drift/abc", headers=token()).status_code == 422
    assert client.get("/drift/0", headers=token()).status_code == 422
    assert client.get(f"/drift/{2**40}", headers=token()).status_code == 422


def test_an_overlong_component_filter_is_refused_naming_it(client, token):
    response = client.get("/drift?component=" + "x" * 101, headers=token())
    assert response.status_code == 422 and "component" in response.text


def test_hostile_component_column_and_file_names_are_escaped(client, store, token):
    columns = [column(HOSTILE, True, 0.4)]
    columns[0]["chart"]["labels"] = [HOSTILE, "ok"]
    with store.session() as session:
        run = add_drift_run(session, HOSTILE, f"{HOSTILE}.csv", "cur.csv", report(1.0, columns), T0).id
    for path in ("/drift", f"/drift/{run}"):
        page = client.get(path, headers=token()).text
        assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_an_empty_store_shows_empty_states(client, token):
    page = client.get("/drift", headers=token())
    assert page.status_code == 200
    assert "No drift runs are stored" in page.text and "No runs to chart." in page.text and "none" in page.text
    filtered = client.get("/drift?component=nobody&page=3", headers=token())
    assert filtered.status_code == 200 and "No drift runs are stored for this component" in filtered.text


def test_a_run_without_columns_or_charts_says_so(client, store, token):
    with store.session() as session:
        run = add_drift_run(session, "empty", "r", "c", report(0.0, []), T0).id
    page = client.get(f"/drift/{run}", headers=token()).text
    assert "This run compared no columns." in page and "No column of this run has a distribution to chart." in page


def test_the_drift_pages_need_a_signed_in_viewer(client, store):
    add_runs(store, "recs-model", [0.5])
    for path in ("/drift", "/drift/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/drift")
