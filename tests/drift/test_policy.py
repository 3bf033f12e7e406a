"""Drift options are checked once, against the data, with one message naming option, value and range."""

import math
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from mldebt.drift.compare import Options, compare
from mldebt.drift.policy import DEFAULT_TESTS, Policy
from mldebt.drift.result import DistanceThreshold
from mldebt.drift.stats import STATISTICS
from mldebt.errors import UserInputError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "drift.md"
SHARED = "(shared columns: price, channel, flag, message, ts)"


def tables(rng: np.random.Generator, n: int = 400) -> tuple[pa.Table, pa.Table]:
    def side() -> pa.Table:
        return pa.table({"price": rng.normal(10, 2, n), "channel": rng.choice(["web", "app", "pos"], n),
                         "flag": rng.random(n) < 0.2,
                         "message": [" ".join(rng.choice(["where", "is", "my", "parcel", "refund"], 5))
                                     for _ in range(n)],
                         "ts": pa.array(np.arange(n), pa.timestamp("s"))})
    return side(), side()


BAD_POLICIES = [
    ({"thresholds": {"price": math.nan}},
     "thresholds.price=nan: threshold must be a finite number in (0, 1) for method ks (p-value)"),
    ({"thresholds": {"price": 5.0}},
     "thresholds.price=5: threshold must be a finite number in (0, 1) for method ks (p-value)"),
    ({"thresholds": {"price": 0.0}},
     "thresholds.price=0: threshold must be a finite number in (0, 1) for method ks (p-value)"),
    ({"thresholds": {"channel": 1.0}}, "thresholds.channel=1: threshold must be a finite number in (0, 1) for "
                                       "method chisquare, ztest or fisher (p-value)"),
    ({"thresholds": {"message": -0.1}},
     "thresholds.message=-0.1: threshold must be a finite number in (0, 1) for the text test (p-value)"),
    ({"methods": {"price": "psi"}, "thresholds": {"price": math.inf}},
     "thresholds.price=inf: threshold must be a finite number > 0 for method psi (distance)"),
    ({"methods": {"price": "psi"}, "thresholds": {"price": 0.0}},
     "thresholds.price=0: threshold must be a finite number > 0 for method psi (distance)"),
    ({"methods": {"channel": "hellinger"}, "thresholds": {"channel": 1.5}},
     "thresholds.channel=1.5: threshold must be a finite number in (0, 1] for method hellinger (distance)"),
    ({"methods": {"nocolumn": "ks"}}, f"methods.nocolumn=ks: no column 'nocolumn' in both inputs {SHARED}"),
    ({"thresholds": {"nocolumn": 0.05}}, f"thresholds.nocolumn=0.05: no column 'nocolumn' in both inputs {SHARED}"),
    ({"importance": {"nocolumn": 2.0}}, f"importance.nocolumn=2: no column 'nocolumn' in both inputs {SHARED}"),
    ({"methods": {"channel": "ks"}}, "methods.channel=ks: ks needs a numeric column, 'channel' is categorical"),
    ({"methods": {"flag": "wasserstein"}},
     "methods.flag=wasserstein: wasserstein needs a numeric column, 'flag' is boolean"),
    ({"methods": {"price": "chisquare"}},
     "methods.price=chisquare: chisquare needs a categorical column, 'price' is numeric"),
    ({"methods": {"price": "fisher"}},
     "methods.price=fisher: fisher needs a binary (two-value) column, 'price' is numeric"),
    ({"methods": {"channel": "ztest"}},
     "methods.channel=ztest: ztest needs a binary (two-value) column, 'channel' has 3 values"),
    ({"methods": {"message": "psi"}}, "methods.message=psi: 'message' is a text column, compared by the text test "
                                      "(no method can be chosen for it)"),
    ({"methods": {"ts": "ks"}},
     "methods.ts=ks: 'ts' is a datetime column, which is not tested (it orders the data: use --window)"),
    ({"thresholds": {"ts": 0.05}},
     "thresholds.ts=0.05: 'ts' is a datetime column, which is not tested (it orders the data: use --window)"),
]


@pytest.mark.parametrize(("settings", "message"), BAD_POLICIES)
def test_bad_per_column_setting_stops_compare_with_one_message(rng, settings, message):
    ref, cur = tables(rng)
    with pytest.raises(UserInputError) as raised:
        compare(ref, cur, Options(policy=Policy(**settings)))
    assert str(raised.value) == message


@pytest.mark.parametrize(("settings", "message"), [
    ({"alpha": math.nan}, "alpha=nan: alpha must be a finite number in (0, 1)"),
    ({"drift_share": 0}, "drift_share=0: drift_share must be a finite number in (0, 1]"),
    ({"min_effect": math.inf}, "min_effect=inf: min_effect must be a finite number >= 0"),
    ({"importance": {"price": math.nan}}, "importance.price=nan: importance must be a finite number >= 0"),
    ({"methods": {"price": "kss"}}, "methods.price=kss: unknown drift method 'kss': expected one of anderson, "
                                    "chisquare, cramervonmises, energy, epps_singleton, fisher, gtest, hellinger, "
                                    "jensenshannon, kl, ks, mannwhitney, mmd, psi, ttest, tvd, wasserstein, ztest"),
])
def test_bad_scalar_or_method_name_is_refused_by_the_policy(settings, message):
    with pytest.raises(UserInputError) as raised:
        Policy(**settings)
    assert str(raised.value) == message


def test_a_method_outside_the_columns_option_is_named(rng):
    ref, cur = tables(rng)
    with pytest.raises(UserInputError) as raised:
        compare(ref, cur, Options(columns=["price"], policy=Policy(thresholds={"channel": 0.05})))
    assert str(raised.value) == "thresholds.channel=0.05: column 'channel' is not among --columns (price)"


def test_settings_from_the_inventory_file_may_name_columns_other_datasets_have(rng):
    ref, cur = tables(rng)
    policy = Policy.from_config({"methods": {"basket_size": "psi"}, "thresholds": {"basket_size": 0.2}},
                                "shop/mldebt.yaml")
    assert {c.name for c in compare(ref, cur, Options(policy=policy)).columns} == {
        "price", "channel", "flag", "message", "ts"}
    with pytest.raises(UserInputError) as raised:  # on the command line (or in the API) it is a mistake
        compare(ref, cur, Options(policy=Policy.from_config({}, methods={"basket_size": "psi"})))
    assert str(raised.value) == f"--method basket_size=psi: no column 'basket_size' in both inputs {SHARED}"


def test_valid_overrides_are_applied_and_a_text_threshold_reaches_the_text_test(rng):
    ref, cur = tables(rng)
    policy = Policy.from_config({"thresholds": {"message": 0.2}}, methods={"channel": "tvd", "flag": "fisher"},
                                thresholds={"channel": "1", "price": "0.5"})
    cols = {c.name: c for c in compare(ref, cur, Options(policy=policy)).columns}
    assert (cols["channel"].method, cols["channel"].threshold) == ("tvd", 1.0)
    assert (cols["flag"].method, cols["price"].threshold, cols["message"].threshold) == ("fisher", 0.5, 0.2)


def test_distance_threshold_zero_is_refused():
    with pytest.raises(ValueError, match=r"must be a finite number > 0, got 0.0"):
        DistanceThreshold(0.0)


def test_docs_statistics_table_lists_each_methods_types_and_allowed_thresholds():
    rows = re.findall(r"^\| (\w+) \| ([^|]+) \| [^|]+ \| ([^|]+) \| [^|]+ \|$", DOCS.read_text("utf-8"), re.M)
    documented = {name: (fits.strip(), allowed.strip()) for name, fits, allowed in rows if name in STATISTICS}
    assert documented == {name: (s.fits, f"{s.threshold_range} ({s.threshold_range.kind})")
                          for name, s in STATISTICS.items()}
    defaults = re.findall(r"^\| (\w+) \| ([^|]+) \| a finite number in \(0, 1\) \(p-value, [^|]+\) \|$",
                          DOCS.read_text("utf-8"), re.M)
    assert {kind: test.strip() for kind, test in defaults} == DEFAULT_TESTS
