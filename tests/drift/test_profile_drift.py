"""Drift from profiles agrees with the exact engine on clear cases and says when it cannot tell."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from mldebt.drift.compare import compare
from mldebt.drift.profile_drift import compare_profiles, ks_from_sketches
from mldebt.drift.profiles import profile_table


def _table(seed: int, shift: float = 0.0, share: float = 0.5, n: int = 20_000) -> pa.Table:
    rng = np.random.default_rng(seed)
    colour = np.where(rng.random(n) < share, "red", "blue")
    return pa.table({"x": rng.normal(shift, 1.0, n), "colour": colour})


def _verdicts(reference: pa.Table, current: pa.Table) -> tuple[dict[str, bool], dict[str, bool]]:
    exact = compare(reference, current)
    sketched = compare_profiles(profile_table(reference), profile_table(current))
    return ({c.name: c.drifted for c in exact.columns}, {c.name: c.drifted for c in sketched.columns})


def test_clear_shifts_drift_from_profiles_as_in_the_exact_engine() -> None:
    exact, sketched = _verdicts(_table(1), _table(2, shift=0.5, share=0.7))
    assert exact == sketched == {"x": True, "colour": True}


def test_undrifted_data_is_not_drifted_by_either() -> None:
    exact, sketched = _verdicts(_table(3), _table(4))
    assert exact == sketched == {"x": False, "colour": False}


def test_error_bound_is_the_sum_of_the_rank_errors_and_categories_with_exact_counts_are_exact() -> None:
    ref, cur = profile_table(_table(5)), profile_table(_table(6, shift=0.5))
    report = compare_profiles(ref, cur)
    numeric = next(c for c in report.columns if c.name == "x")
    assert numeric.error_bound == ref.columns["x"].rank_error() + cur.columns["x"].rank_error()
    assert numeric.drifted and not numeric.uncertain  # D = 0.2, far beyond the bound of about 0.027
    assert next(c for c in report.columns if c.name == "colour").error_bound == 0.0
    doc = json.loads(json.dumps(report.to_dict()))
    assert doc["columns"][0]["error_bound"] is not None and "uncertain" in doc["columns"][0]


def test_a_shift_near_the_threshold_is_uncertain() -> None:
    ref = profile_table(_table(7, n=20_000))
    # a search over shifts for one whose p-value straddles alpha within the sketch error
    for shift in np.linspace(0.0, 0.1, 101):
        cur = profile_table(_table(8, shift=float(shift), n=20_000))
        column = next(c for c in compare_profiles(ref, cur).columns if c.name == "x")
        if column.uncertain:
            distance, bound = ks_from_sketches(ref.columns["x"], cur.columns["x"])
            assert column.note is not None and column.note.startswith("uncertain")
            assert bound > 0 and distance == column.statistic
            return
    raise AssertionError("no shift gave an uncertain verdict")


def test_cli_drift_from_a_reference_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    from mldebt.drift.profile_io import write_profile
    from tests.support.cli import run

    write_profile(profile_table(_table(1)), tmp_path / "ref.json")
    pq.write_table(_table(2, shift=0.5, share=0.7), tmp_path / "cur.parquet")
    code, stdout, _ = run(capsys, "drift", "--reference-profile", str(tmp_path / "ref.json"),
                          str(tmp_path / "cur.parquet"), "--format", "json")
    assert code == 0
    assert json.loads(stdout)["drifted_columns"] == ["colour", "x"]
    code, stdout, _ = run(capsys, "drift", "--reference-profile", str(tmp_path / "ref.json"),
                          str(tmp_path / "cur.parquet"))
    assert code == 0 and "dataset drift: yes" in stdout
