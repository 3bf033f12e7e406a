"""Policy verdicts on hand-made data, data-quality rules, and every bad input of point 10."""

import math

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from mldebt.drift.compare import Options, compare
from mldebt.drift.policy import Policy, holm_adjust
from mldebt.errors import UserInputError


def table(rng, n, shift=0.0, share=0.3, **extra):
    return pa.table({"price": rng.normal(10 + shift, 2, n), "channel": rng.choice(["web", "app", "pos"], n,
                     p=[0.5, share, 0.5 - share]), "returned": rng.random(n) < 0.1, **extra})


def by_name(report):
    return {c.name: c for c in report.columns}


def test_clear_shift_drifts_with_effect_and_undrifted_columns_do_not(rng):
    report = compare(table(rng, 5000), table(rng, 5000, shift=0.5))
    cols = by_name(report)
    assert cols["price"].drifted and cols["price"].method == "ks"
    assert cols["price"].effect == pytest.approx(0.25, abs=0.05)
    assert not cols["channel"].drifted and cols["channel"].method == "chisquare"
    assert not cols["returned"].drifted and cols["returned"].method == "ztest"
    assert report.drift_share == pytest.approx(1 / 3, abs=1e-6) and report.dataset_drift is False


def test_significant_but_negligible_shift_is_not_drift(rng):
    ref = pa.table({"x": rng.normal(0, 1, 400_000)})
    cur = pa.table({"x": rng.normal(0.012, 1, 400_000)})
    column = by_name(compare(ref, cur))["x"]
    assert column.adjusted_pvalue < 0.01 and not column.drifted
    assert "below the floor" in column.note


def test_holm_matches_the_textbook_example():
    assert holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_forty_undrifted_columns_raise_no_alarm(rng):
    ref = pa.table({f"c{i}": rng.normal(size=3000) for i in range(40)})
    cur = pa.table({f"c{i}": rng.normal(size=3000) for i in range(40)})
    report = compare(ref, cur)
    assert report.drifted_columns == [] and min(c.pvalue for c in report.columns) < 0.05  # raw p would alarm


def test_dataset_verdict_uses_importance_weights(rng):
    ref, cur = table(rng, 3000), table(rng, 3000, shift=1.0)
    assert compare(ref, cur, Options(policy=Policy(importance={"price": 2.0}))).dataset_drift is True
    assert compare(ref, cur, Options(policy=Policy(importance={"price": 0.5}))).dataset_drift is False


def test_per_column_method_and_threshold_overrides(rng):
    ref, cur = table(rng, 3000), table(rng, 3000, shift=0.1)
    policy = Policy(methods={"price": "psi", "channel": "jensenshannon"}, thresholds={"price": 0.5})
    cols = by_name(compare(ref, cur, Options(policy=policy)))
    assert (cols["price"].method, cols["price"].threshold, cols["price"].drifted) == ("psi", 0.5, False)
    assert cols["channel"].method == "jensenshannon" and cols["channel"].pvalue is None
    with pytest.raises(UserInputError, match=r"^methods\.price=nope: unknown drift method 'nope': expected one of "):
        Policy(methods={"price": "nope"})


def test_small_binary_table_uses_fisher(rng):
    ref = pa.table({"flag": [True, False, False, False, False, False, False, False]})
    cur = pa.table({"flag": [True, True, True, False, False, False]})
    column = by_name(compare(ref, cur))["flag"]
    assert column.method == "fisher" and 0 < column.pvalue <= 1


def test_declared_types_override_inference(rng):
    ref, cur = pa.table({"rating": rng.integers(1, 6, 500)}), pa.table({"rating": rng.integers(1, 6, 500)})
    assert by_name(compare(ref, cur, Options(types={"rating": "categorical"})))["rating"].method == "chisquare"


def test_quality_rules_fire(rng):
    n = 2000
    ref = pa.table({"price": rng.normal(10, 1, n), "cat": rng.choice(["a", "b", "c"], n), "gone": np.ones(n),
                    "note": rng.choice(["x", "y"], n)})
    price = rng.normal(10, 1, n)
    price[:300] = np.nan
    price[300:340] = 100.0
    price[340] = np.inf
    cur = pa.table({"price": price, "cat": rng.choice(["a", "b", "z"], n), "note": pa.array(["x"] * n),
                    "added": np.zeros(n)})
    rules = {(q.rule_id, q.column) for q in compare(ref, cur).quality}
    assert {("DQ002", "gone"), ("DQ003", "added"), ("DQ005", "price"), ("DQ009", "price"), ("DQ012", "price"),
            ("DQ007", "cat"), ("DQ008", "cat"), ("DQ010", "note")} <= rules


def test_duplicate_rows_are_found(rng):
    ref = pa.table({"a": rng.normal(size=1000), "b": rng.choice(["x", "y"], 1000)})
    cur = pa.concat_tables([ref.slice(0, 500), ref.slice(0, 500)])
    assert "DQ011" in {q.rule_id for q in compare(ref, cur).quality}


def test_pandas_and_polars_inputs_give_the_same_report(rng):
    ref, cur = table(rng, 2000), table(rng, 2000, shift=0.3)
    arrow = compare(ref, cur).to_dict()
    assert compare(ref.to_pandas(), cur.to_pandas()).to_dict() == arrow
    assert compare(pl.from_arrow(ref), pl.from_arrow(cur)).to_dict() == arrow


# --- bad input (point 10) ------------------------------------------------------------------------

def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserInputError, match="no such file"):
        compare(tmp_path / "none.csv", tmp_path / "none.csv")


def test_unreadable_file_is_a_user_error(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(UserInputError, match="cannot read"):
        compare(bad, bad)


def test_no_shared_columns_is_a_user_error():
    with pytest.raises(UserInputError, match="share no column"):
        compare(pa.table({"a": [1.0]}), pa.table({"b": [1.0]}))


def test_all_null_column_is_reported_not_tested(rng):
    ref = pa.table({"a": rng.normal(size=50), "b": rng.normal(size=50)})
    cur = pa.table({"a": pa.nulls(50, pa.float64()), "b": rng.normal(size=50)})
    report = compare(ref, cur)
    assert by_name(report)["a"].method is None and "no values" in by_name(report)["a"].note
    assert ("DQ006", "a") in {(q.rule_id, q.column) for q in report.quality}


def test_nan_and_inf_only_column(rng):
    cur = pa.table({"a": [np.nan, np.inf, -np.inf]})
    report = compare(pa.table({"a": rng.normal(size=20)}), cur)
    assert by_name(report)["a"].method is None and report.to_dict()["columns"][0]["statistic"] is None


def test_mixed_types_are_flagged():
    ref = pd.DataFrame({"v": ["1", "2", "3", "4", "x"] * 20})
    cur = pd.DataFrame({"v": [1, "2", 3.5, None, "y"] * 20})
    report = compare(ref, cur)
    assert "DQ013" in {q.rule_id for q in report.quality}
    assert by_name(report)["v"].method == "chisquare"


def test_csv_column_that_turns_to_text_after_the_first_block_is_read_as_text(tmp_path):
    rows = [f"{i},{i % 7}" for i in range(200_000)] + ["200000,unknown"]
    (tmp_path / "cur.csv").write_text("id,score\n" + "\n".join(rows) + "\n")
    (tmp_path / "ref.csv").write_text("id,score\n" + "\n".join(rows[:-1]) + "\n")
    report = compare(tmp_path / "ref.csv", tmp_path / "cur.csv")
    assert ("DQ004", "score") in {(q.rule_id, q.column) for q in report.quality}
    assert by_name(report)["score"].note == "not compared: type changed (numeric -> categorical)"


def test_empty_current_is_an_error_in_the_result(rng):
    report = compare(pa.table({"a": rng.normal(size=10)}), pa.table({"a": pa.array([], pa.float64())}))
    assert report.errors == ["current has no rows: nothing to compare"]
    assert report.columns == [] and "DQ001" in {q.rule_id for q in report.quality}


def test_two_row_sample_is_compared_with_a_warning():
    report = compare(pa.table({"a": [1.0, 2.0]}), pa.table({"a": [1.5, 2.5]}))
    column = by_name(report)["a"]
    assert column.method == "ks" and not column.drifted and math.isfinite(column.pvalue)
    assert "DQ014" in {q.rule_id for q in report.quality}


def test_unknown_column_in_columns_option(rng):
    with pytest.raises(UserInputError) as raised:
        compare(table(rng, 10), table(rng, 10), Options(columns=["price", "nope"]))
    assert str(raised.value) == ("--columns price,nope: no column 'nope' in both inputs (shared columns: price, "
                                 "channel, returned)")


def test_binary_z_statistic_is_the_rise_of_the_true_share(rng):
    ref = pa.table({"flag": np.concatenate([[False], rng.random(3000) < 0.1])})
    cur = pa.table({"flag": np.concatenate([[True], rng.random(3000) < 0.3])})
    column = by_name(compare(ref, cur))["flag"]
    assert column.method == "ztest" and column.statistic > 10 and column.drifted


def test_text_in_a_column_declared_numeric_is_one_user_error():
    table = pa.table({"sku": ["12", "13", "n/a"] * 10})
    with pytest.raises(UserInputError) as raised:
        compare(pa.table({"sku": ["1", "2", "3"] * 10}), table, Options(types={"sku": "integer"}))
    assert str(raised.value) == "column 'sku' is declared integer in the inventory schema, but the current holds 'n/a'"
