"""`mldebt drift` option checks through the CLI: one `error:` line naming option and value, exit 2."""

import json
import textwrap

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.cli import enter_tmp, run

SHARED = "(shared columns: price, channel, flag)"


@pytest.fixture(autouse=True)
def data(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    rng = np.random.default_rng(3)
    for name, shift in (("ref", 0.0), ("cur", 0.3)):
        pq.write_table(pa.table({"price": rng.normal(10 + shift, 2, 500),
                                 "channel": rng.choice(["web", "app", "pos"], 500), "flag": rng.random(500) < 0.2}),
                       tmp_path / f"{name}.parquet")
    return tmp_path


@pytest.mark.parametrize(("options", "message"), [
    (["--threshold", "price=nan"],
     "--threshold price=nan: threshold must be a finite number in (0, 1) for method ks (p-value)"),
    (["--threshold", "price=5"],
     "--threshold price=5: threshold must be a finite number in (0, 1) for method ks (p-value)"),
    (["--threshold", "price=abc"],
     "--threshold price=abc: threshold must be a finite number in (0, 1) for method ks (p-value)"),
    (["--method", "price=psi", "--threshold", "price=-1"],
     "--threshold price=-1: threshold must be a finite number > 0 for method psi (distance)"),
    (["--method", "channel=tvd", "--threshold", "channel=2"],
     "--threshold channel=2: threshold must be a finite number in (0, 1] for method tvd (distance)"),
    (["--method", "nocolumn=ks"], f"--method nocolumn=ks: no column 'nocolumn' in both inputs {SHARED}"),
    (["--threshold", "nocolumn=0.05"], f"--threshold nocolumn=0.05: no column 'nocolumn' in both inputs {SHARED}"),
    (["--method", "channel=ks"], "--method channel=ks: ks needs a numeric column, 'channel' is categorical"),
    (["--method", "price=chisquare"], "--method price=chisquare: chisquare needs a categorical column, 'price' is "
                                      "numeric"),
    (["--method", "channel=fisher"],
     "--method channel=fisher: fisher needs a binary (two-value) column, 'channel' has 3 values"),
    (["--method", "price=nope"], "--method price=nope: unknown drift method 'nope': expected one of anderson, "
                                 "chisquare, cramervonmises, energy, epps_singleton, fisher, gtest, hellinger, "
                                 "jensenshannon, kl, ks, mannwhitney, mmd, psi, ttest, tvd, wasserstein, ztest"),
    (["--method", "price"], "--method price: expected COLUMN=VALUE"),
    (["--threshold", "price=0.1", "--threshold", "price=0.2"],
     "--threshold price=0.2: 'price' already set (--threshold price=0.1)"),
    (["--columns", "price,nope"], f"--columns price,nope: no column 'nope' in both inputs {SHARED}"),
    (["--window", "99999999999999999999d"], "--window 99999999999999999999d: expected a span such as 1d, 1w or 12h "
                                            "(1 to 10,000 hours, days or weeks)"),
    (["--segment-by", "store"], "--segment-by store: no column 'store' in reference"),
    (["--label", "flag"], "model quality needs both --label and --prediction"),
    (["--label", "flag", "--prediction", "score"], "--prediction score: no column 'score' in both inputs"),
    (["--columns", "price", "--threshold", "flag=0.05"],
     "--threshold flag=0.05: column 'flag' is not among --columns (price)"),
])
def test_bad_drift_option_is_one_line_and_exit_2(capsys, options, message):
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", *options)
    assert (code, out, err) == (2, "", f"error: {message}\n")


@pytest.mark.parametrize(("policy", "message"), [
    ("thresholds: {price: .nan}",
     "drift.thresholds.price=nan (mldebt.yaml): threshold must be a finite number in (0, 1) for method ks (p-value)"),
    ("methods: {flag: ks}", "drift.methods.flag=ks (mldebt.yaml): ks needs a numeric column, 'flag' is boolean"),
    ("alpha: 5", "drift.alpha=5 (mldebt.yaml): alpha must be a finite number in (0, 1)"),
    ("importance: {price: -1}", "drift.importance.price=-1 (mldebt.yaml): importance must be a finite number >= 0"),
    ("thresholds: [price]", "drift.thresholds in mldebt.yaml: expected a map of column: value, got ['price']"),
])
def test_bad_drift_policy_in_the_inventory_is_one_line_and_exit_2(capsys, data, policy, message):
    (data / "mldebt.yaml").write_text(f"version: 1\ncomponents: []\ndrift:\n  {policy}\n")
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", "--catalog", "mldebt.yaml")
    assert (code, out, err) == (2, "", f"error: {message}\n")


def test_inventory_policy_for_columns_of_other_datasets_is_skipped_and_cli_wins(capsys, data):
    (data / "mldebt.yaml").write_text(textwrap.dedent("""\
        version: 1
        components: []
        drift:
          methods: {basket_size: psi, price: psi}
          thresholds: {basket_size: 0.2, price: .nan}
        """))
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", "--catalog", "mldebt.yaml", "--format",
                         "json", "--threshold", "price=0.3")
    price = next(c for c in json.loads(out)["columns"] if c["name"] == "price")
    assert (code, err, price["method"], price["threshold"]) == (0, "", "psi", 0.3)


def test_column_names_and_values_that_look_like_rich_markup_are_printed_as_they_are(capsys, tmp_path):
    rng = np.random.default_rng(5)
    for name, shift in (("ref", 0.0), ("cur", 1.0)):
        pq.write_table(pa.table({"[/bold]": rng.normal(shift, 1, 300),
                                 "[red]x[/red]": rng.choice(["[link=http://e]a[/link]", "b", f"c{name}"], 300),
                                 "seg": rng.choice(["[/]", "north"], 300)}), tmp_path / f"[b]{name}.parquet")
    code, out, err = run(capsys, "drift", "[b]ref.parquet", "[b]cur.parquet", "--segment-by", "seg")
    assert (code, err) == (0, "")
    rows = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    assert {"[/bold]", "[red]x[/red]", "[/]"} <= set(rows)  # column names, and the segment value
    assert "1 new category in '[red]x[/red]'" in out and "│ [/bold], [red]x[/red] │" in out
