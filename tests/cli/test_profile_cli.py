"""`mldebt profile`: a summary table per column, or the JSON profile with --output."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mldebt.drift.profile_io import read_profile
from mldebt.errors import UserInputError
from tests.support.cli import enter_tmp, run


@pytest.fixture(autouse=True)
def data(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    n = 1000
    pq.write_table(pa.table({"amount": pa.array(np.arange(1, n + 1, dtype=float), mask=np.arange(n) % 10 == 0),
                             "channel": ["web"] * 700 + ["app"] * 300}), tmp_path / "logs.parquet",
                   row_group_size=300)
    return tmp_path


def test_the_summary_shows_counts_quantiles_and_top_values(capsys):
    code, out, err = run(capsys, "profile", "logs.parquet", "--batch-rows", "128")
    assert code == 0 and err == ""
    assert "Profile: 1000 rows" in out
    row = next(line for line in out.splitlines() if "amount" in line)
    assert [cell.strip() for cell in row.split("│")[1:-1]][:5] == ["amount", "numeric", "900", "100", "2"]
    assert "1000" in row.split("│")[7]
    assert "web (700), app (300)" in out


def test_output_writes_the_json_profile(capsys, tmp_path):
    code, out, err = run(capsys, "profile", "logs.parquet", "--output", "logs.json")
    assert (code, err) == (0, "")
    assert out.strip() == "wrote the profile of 1000 rows, 2 columns to logs.json"
    profile = read_profile(tmp_path / "logs.json")
    assert profile.rows == 1000 and profile.columns["channel"].exact == {"web": 700, "app": 300}
    assert json.loads((tmp_path / "logs.json").read_text())["version"] == 1


def test_the_spark_engine_and_bad_input_are_one_line_errors(capsys, tmp_path):
    assert run(capsys, "profile", "logs.parquet", "--engine", "spark") == (
        2, "", "error: --engine spark: the spark engine is not built yet (use --engine local)\n")
    (tmp_path / "x.json").write_text("{}")
    code, out, err = run(capsys, "profile", "x.json")
    assert (code, out) == (2, "")
    assert err == "error: x.json: unknown file type .json: expected .parquet, .csv or .tsv\n"


def test_reading_a_profile_of_another_version_names_the_file(capsys, tmp_path):
    assert run(capsys, "profile", "logs.parquet", "--output", "logs.json")[0] == 0
    doc = json.loads((tmp_path / "logs.json").read_text())
    (tmp_path / "v9.json").write_text(json.dumps({**doc, "version": 9}))
    with pytest.raises(UserInputError, match=r"^v9.json: unknown profile version 9 \(this mldebt reads version 1\)$"):
        read_profile(tmp_path.joinpath("v9.json").relative_to(tmp_path))
    with pytest.raises(UserInputError, match=r"^nothing.json: cannot read the profile"):
        read_profile(tmp_path.joinpath("nothing.json").relative_to(tmp_path))
