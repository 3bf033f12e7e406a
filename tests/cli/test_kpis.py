"""`mldebt kpis`, `mldebt review`, `mldebt reviews`: JSON with every KPI id, the table, exit codes."""

import json

import pytest

from mldebt.metrics.kpis import KPI_IDS
from mldebt.store.database import open_store
from tests.support import kpi_store as build
from tests.support.cli import enter_tmp, run
from tests.support.kpi_store import at


@pytest.fixture
def db(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'kpis.db'}"
    store = open_store(url)
    with store.session() as s:
        build.component(s, "recs-api", "service", customer_facing=True)
        build.incident(s, "recs-api", (at(9, 15, 8), at(9, 15, 12)))  # Q3: 4 h
        build.incident(s, "recs-api", (at(10, 15, 8), at(10, 15, 9)))  # Q4: 1 h
        build.ticket(s, "recs-api", at(10, 1))
    store.close()
    return url


def test_kpis_json_has_every_id_with_value_previous_and_change(capsys, db):
    code, out, err = run(capsys, "--db", db, "kpis", "--as-of", "2026-12-01", "--format", "json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert (report["quarter"], report["period"]["as_of"]) == ("2026Q4", "2026-12-02T00:00:00+00:00")
    assert [k["id"] for k in report["kpis"]] == list(KPI_IDS)
    mttr = report["kpis"][0]
    assert (mttr["value"], mttr["unit"], mttr["previous"], mttr["change_is_good"]) == (1.0, "hours", 4.0, True)


def test_kpis_table_shows_value_previous_and_an_arrow(capsys, db):
    code, out, _ = run(capsys, "--db", db, "kpis", "--quarter", "2026Q4", "--as-of", "2026-12-01")
    assert code == 0
    assert "KPIs 2026Q4 (2026-10-01 to 2026-12-02, running)" in out
    line = next(line for line in out.splitlines() if "MTTR of AI incidents" in line)
    assert [cell.strip() for cell in line.strip("│ ").split("│")] == [
        "MTTR of AI incidents", "1.0 h", "4.0 h", "↓", "median 1.0 h, 1 resolved"]


@pytest.mark.parametrize(("args", "message"), [
    (["kpis", "--quarter", "2026Q5"], "error: bad quarter '2026Q5': expected YYYYQ1 to YYYYQ4, e.g. 2026Q4"),
    (["kpis", "--as-of", "soon"], "error: --as-of: bad date 'soon', expected YYYY-MM-DD"),
    (["kpis", "--quarter", "2027Q1", "--as-of", "2026-12-01"],
     "error: quarter 2027Q1 has not started yet (as of 2026-12-02 00:00 UTC, the current quarter is 2026Q4)"),
    (["reviews", "--quarter", "2026Q1"],
     "error: quarter 2026Q1 has not been frozen (`mldebt review --quarter 2026Q1`)"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, db, args, message):
    code, out, err = run(capsys, "--db", db, *args)
    assert (code, out, err.splitlines()) == (2, "", [message])


def test_review_freezes_once_then_exits_2_naming_who_froze_it(capsys, db):
    code, out, _ = run(capsys, "--db", db, "review", "--quarter", "2026Q3", "--actor", "ana", "--as-of", "2026-10-01",
                       "--format", "json")
    frozen = json.loads(out)
    assert (code, frozen["quarter"], frozen["actor"], frozen["taken_at"]) == (
        0, "2026Q3", "ana", "2026-10-02T00:00:00+00:00")
    assert [k["id"] for k in frozen["kpis"]["kpis"]] == list(KPI_IDS)
    code, out, err = run(capsys, "--db", db, "review", "--quarter", "2026Q3")
    assert (code, out, err.splitlines()) == (2, "", [
        "error: quarter 2026Q3 was already frozen on 2026-10-02 00:00 UTC by ana; a frozen review cannot be rewritten"])
    code, out, _ = run(capsys, "--db", db, "reviews", "--format", "json")
    assert (code, [(r["quarter"], r["actor"]) for r in json.loads(out)]) == (0, [("2026Q3", "ana")])
    code, out, _ = run(capsys, "--db", db, "kpis", "--as-of", "2026-12-01", "--format", "json")
    assert json.loads(out)["previous"]["source"] == "snapshot"


def test_review_table_and_reviews_list(capsys, db):
    code, out, _ = run(capsys, "--db", db, "review", "--quarter", "2026Q4", "--actor", "ana", "--as-of", "2026-12-01")
    assert code == 0 and out.splitlines()[-2:] == [
        "note: 2026Q4 was still running (frozen as of 2026-12-02T00:00, it ends 2027-01-01)",
        "froze 2026Q4 at 2026-12-02T00:00 by ana: 9 KPIs, 0 active backlog item(s)"]
    code, out, _ = run(capsys, "--db", db, "reviews")
    assert code == 0 and "2026Q4" in out and "ana" in out
    code, out, _ = run(capsys, "--db", db, "reviews", "--quarter", "2026Q4")
    assert code == 0 and "MTTR of AI incidents" in out and out.splitlines()[-1].startswith("frozen 2026-12-02T00:00")


def test_kpis_by_component_adds_a_table_of_each_kpi_per_component(capsys, db):
    code, out, _ = run(capsys, "--db", db, "kpis", "--as-of", "2026-12-01", "--by-component")
    assert code == 0 and "KPIs 2026Q4 per component" in out
    row = next(line for line in out.splitlines() if line.startswith("│ recs-api"))
    assert [cell.strip() for cell in row.strip("│ ").split("│")][:4] == ["recs-api", "1.0 h", "-", "1"]
