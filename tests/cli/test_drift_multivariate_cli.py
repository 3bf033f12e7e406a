"""`mldebt drift --multivariate`: a correlation flip no column shows, as a chunk table and in JSON."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.cli import enter_tmp, run


@pytest.fixture(autouse=True)
def data(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    rng = np.random.default_rng(4)
    for name, n, rho in (("ref", 3000, 0.9), ("cur", 1000, -0.9)):
        x = rng.normal(size=n)
        pq.write_table(pa.table({"x": x, "y": rho * x + np.sqrt(1 - rho ** 2) * rng.normal(size=n),
                                 "channel": rng.choice(["web", "app"], n)}), tmp_path / f"{name}.parquet")
    return tmp_path


def test_the_chunk_table_shows_alerts_and_the_columns_that_changed(capsys):
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", "--multivariate", "--fail-on-drift")
    assert code == 1 and err == ""  # no column drifted, but --fail-on-drift counts multivariate drift
    assert "no dataset drift: 0 of 3 tested columns drifted" in out
    assert "Multivariate drift (PCA reconstruction, 2 of 5 components, 98% of variance)" in out
    assert "│     0 │    0..99 │ 0.9587 │ ALERT │" in out
    assert out.count("ALERT") == 10
    assert "multivariate drift: 10 of 10 chunks of 100 rows above" in out
    assert "(reference mean +- 3 sd: 0.1946..0.3016)" in out
    assert "changed most: x (+0.9173), y (+0.9171), channel (+5.752e-05)\n" in out
    code, _, _ = run(capsys, "drift", "ref.parquet", "ref.parquet", "--multivariate", "--fail-on-drift")
    assert code == 0


def test_json_carries_the_result_and_without_the_flag_it_is_null(capsys):
    code, out, _ = run(capsys, "drift", "ref.parquet", "cur.parquet", "--multivariate", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["multivariate"]["drifted"] is True and data["drifted_columns"] == []
    assert [c["alert"] for c in data["multivariate"]["current_chunks"]] == [True] * 10
    assert len(data["multivariate"]["reference_chunks"]) == 30
    code, out, _ = run(capsys, "drift", "ref.parquet", "cur.parquet", "--format", "json")
    assert code == 0 and json.loads(out)["multivariate"] is None


def test_unusable_columns_are_one_line_and_exit_2(capsys):
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", "--multivariate", "--columns", "x")
    assert code == 2 and out == ""
    assert err == ("error: multivariate drift needs at least two encoded dimensions (two usable columns, or a "
                   "categorical one with two categories); usable: x\n")


def test_the_window_table_carries_each_window_s_verdict(capsys, tmp_path):
    rng = np.random.default_rng(5)

    def side(n, rho):
        x = rng.normal(size=n)
        return {"x": x, "y": rho * x + np.sqrt(1 - rho ** 2) * rng.normal(size=n)}

    pq.write_table(pa.table(side(3000, 0.9)), tmp_path / "wref.parquet")
    days = [side(400, 0.9), side(400, -0.9)]
    current = pa.table({k: np.concatenate([d[k] for d in days]) for k in ("x", "y")}).append_column(
        "ts", pa.array(["2026-11-01T08:00:00"] * 400 + ["2026-11-02T08:00:00"] * 400))
    pq.write_table(current, tmp_path / "wcur.parquet")
    code, out, _ = run(capsys, "drift", "wref.parquet", "wcur.parquet", "--window", "1d", "--timestamp", "ts",
                       "--multivariate")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("│ 2026-11-0")]
    assert [row.split("│")[-2].strip() for row in rows] == ["no 0/4", "ALERT 4/4 (y, x)"]
    code, out, _ = run(capsys, "drift", "wref.parquet", "wcur.parquet", "--window", "1d", "--timestamp", "ts")
    assert "multivariate" not in out
