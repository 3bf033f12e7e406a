"""`/api/v1/kpis` and `/api/v1/reviews`: read-only, for viewers; the numbers `mldebt kpis` shows."""

import datetime as dt

from mldebt.metrics.kpis.registry import KPIS
from mldebt.service.kpis import default_quarter
from mldebt.service.review import freeze_review


def test_a_viewer_reads_every_kpi_of_the_current_quarter_by_its_id(client, token):
    response = client.get("/api/v1/kpis", headers=token("viewer"))
    assert response.status_code == 200
    body = response.json()
    assert body["quarter"] == default_quarter(dt.datetime.now(dt.UTC))
    assert [k["id"] for k in body["kpis"]] == [spec.id for spec in KPIS]
    assert {"value", "unit", "previous", "change_is_good", "definition"} <= set(body["kpis"][0])


def test_signed_out_callers_get_nothing_and_a_bad_quarter_is_named(client, token):
    assert client.get("/api/v1/kpis").status_code == 401
    assert client.get("/api/v1/reviews").status_code == 401
    response = client.get("/api/v1/kpis", params={"quarter": "2026Q5"}, headers=token())
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "bad quarter '2026Q5': expected YYYYQ1 to YYYYQ4, e.g. 2026Q4"
    assert client.get("/api/v1/kpis", params={"quarter": "x" * 100}, headers=token()).status_code == 422


def test_a_frozen_review_is_listed_and_read_back_as_it_was(client, token, store):
    assert client.get("/api/v1/reviews", headers=token()).json() == []
    missing = client.get("/api/v1/reviews/2026Q3", headers=token())
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    freeze_review(store, "2026Q3", dt.datetime(2026, 10, 2, tzinfo=dt.UTC), "cli:lena")
    [listed] = client.get("/api/v1/reviews", headers=token()).json()
    assert (listed["quarter"], listed["actor"]) == ("2026Q3", "cli:lena")
    frozen = client.get("/api/v1/reviews/2026q3", headers=token()).json()
    assert frozen["quarter"] == "2026Q3"
    assert [k["id"] for k in frozen["kpis"]["kpis"]] == [spec.id for spec in KPIS]
