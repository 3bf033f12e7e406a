"""Multivariate drift by PCA reconstruction error, on generated data with known answers."""

import itertools
import json

import numpy as np
import pyarrow as pa
import pytest

from mldebt.drift.compare import Options, compare
from mldebt.drift.reconstruction import MAX_CONTRIBUTORS, reconstruction_drift
from mldebt.errors import UserInputError


def correlated(rng, n, rho):
    """Two standard normal columns with correlation `rho`: the marginals do not depend on it."""
    x = rng.normal(size=n)
    return x, rho * x + np.sqrt(1 - rho ** 2) * rng.normal(size=n)


def table(rng, n, rho, **extra):
    a, b = correlated(rng, n, rho)
    return pa.table({"a": a, "b": b, "c": rng.normal(size=n), **extra})


def test_a_correlation_flip_is_multivariate_drift_that_no_column_shows():
    rng = np.random.default_rng(1)
    reference, current = table(rng, 5000, 0.9), table(rng, 2000, -0.9)
    result = reconstruction_drift(reference, current)
    assert compare(reference, current).drifted_columns == []
    assert result.drifted
    assert [c.alert for c in result.current_chunks] == [True] * 10
    assert all(c.error > 3 * result.upper_threshold for c in result.current_chunks)
    assert not any(c.alert for c in result.reference_chunks)
    assert result.chunk_size == 200 and len(result.reference_chunks) == 25
    assert result.n_components == 2 and result.n_features == 3
    assert result.variance_kept == pytest.approx(2.9 / 3, abs=0.01)  # (1 + 0.9) + 1 of 3 standardized units
    assert [c.column for c in result.contributions] == ["b", "a", "c"] or \
        [c.column for c in result.contributions] == ["a", "b", "c"]
    assert {c.column for c in result.contributions[:2]} == {"a", "b"}
    assert result.contributions[0].error > 10 * result.contributions[0].reference_error


def test_undrifted_data_false_alarm_rate_over_100_seeds():
    """20 reference chunks, 10 current chunks, 3 sigma: 3 of these 100 runs raise an alarm (3 chunks of 1000).

    Above the normal tail's 0.13% per chunk because the threshold's std comes from 20 chunks and the
    reference chunks' errors are in-sample (the documented rate in docs/drift.md).
    """
    runs, chunks = 0, 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        reference = table(rng, 2000, 0.8, k=rng.choice(["u", "v", "w"], 2000, p=[0.5, 0.3, 0.2]))
        current = table(rng, 1000, 0.8, k=rng.choice(["u", "v", "w"], 1000, p=[0.5, 0.3, 0.2]))
        result = reconstruction_drift(reference, current)
        runs += result.drifted
        chunks += sum(c.alert for c in result.current_chunks)
    assert (runs, chunks) == (3, 3)


def test_a_categorical_in_the_wrong_company_is_found_and_named():
    """`city` follows `x` in the reference (city A low, B high); in current the cities swap."""
    rng = np.random.default_rng(5)

    def make(n, swap):
        x = rng.normal(size=n)
        city = np.where((x > 0) != swap, "B", "A")
        city[rng.random(n) < 0.05] = "C"
        return pa.table({"x": x, "city": city, "noise": rng.normal(size=n)})

    reference, current = make(4000, False), make(1000, True)
    result = reconstruction_drift(reference, current)
    assert compare(reference, current).drifted_columns == []
    assert result.drifted
    assert result.columns == ["x", "noise", "city"]
    assert result.n_features == 2 + 4  # city: A, B, C and "other"
    assert {c.column for c in result.contributions[:2]} == {"x", "city"}


def test_a_category_new_in_current_is_error():
    rng = np.random.default_rng(6)
    reference = table(rng, 3000, 0.7, k=rng.choice(["u", "v"], 3000))
    k = rng.choice(["u", "v"], 1000).astype(object)
    k[500:] = "brand-new"
    current = table(rng, 1000, 0.7, k=k)
    result = reconstruction_drift(reference, current, chunk_size=100)
    assert [c.alert for c in result.current_chunks] == [False] * 5 + [True] * 5
    assert result.contributions[0].column == "k"


def with_missing(table, name, every):
    values = table[name].to_pylist()
    return table.set_column(table.column_names.index(name), name,
                            pa.array([None if i % every == 0 else v for i, v in enumerate(values)]))


def test_missing_values_are_imputed_and_new_missingness_is_drift():
    """Missing at the same rate on both sides: no alarm. Missing only in current: the imputed mean breaks
    the column's relation with the others and raises the error (here not past the threshold: a third of
    one column imputed is a small share of seven dimensions' error; DQ rules report the missing values)."""
    rng = np.random.default_rng(7)
    reference = with_missing(table(rng, 3000, 0.8, k=rng.choice(["u", "v", "w"], 3000)), "a", 10)
    reference = with_missing(reference, "k", 7)
    current = with_missing(table(rng, 1000, 0.8, k=rng.choice(["u", "v", "w"], 1000)), "a", 10)
    same = reconstruction_drift(reference, current)
    assert same.columns == ["a", "b", "c", "k"]
    assert all(np.isfinite(c.error) for c in same.reference_chunks + same.current_chunks)
    assert not same.drifted
    new = reconstruction_drift(reference, with_missing(current, "b", 3))
    assert not new.drifted
    assert all(b.error > a.error for a, b in zip(same.current_chunks, new.current_chunks, strict=True))


def test_constant_text_and_datetime_columns_are_left_out_with_a_note():
    rng = np.random.default_rng(8)
    n = 1000
    extra = dict(const=np.full(n, 3.0), one=["x"] * n, when=pa.array(np.arange(n), pa.timestamp("s")),
                 words=["the quick brown fox jumps"] * n, id=[f"id-{i}" for i in range(n)])
    result = reconstruction_drift(table(rng, n, 0.5, **extra), table(rng, n, 0.5, **extra))
    assert result.columns == ["a", "b", "c"]
    assert result.notes == ["left out: const (constant in the reference); one (constant in the reference); "
                            "when (datetime); words (text); id (looks like an identifier: 1000 distinct values)"]


def test_json_ready_and_bounded():
    rng = np.random.default_rng(9)
    result = reconstruction_drift(table(rng, 3000, 0.9), table(rng, 1000, -0.9))
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["drifted"] is True and data["alerts"] == 10 and data["method"] == "pca_reconstruction"
    assert data["current_chunks"][0] == {"period": "current", "index": 0, "start_row": 0, "end_row": 100,
                                         "rows": 100, "error": data["current_chunks"][0]["error"], "alert": True}
    assert data["lower_threshold"] >= 0 and data["upper_threshold"] > data["lower_threshold"]
    assert len(data["contributions"]) <= MAX_CONTRIBUTORS


def test_chunks_cover_every_row_once():
    rng = np.random.default_rng(10)
    result = reconstruction_drift(table(rng, 1234, 0.5), table(rng, 567, 0.5), chunk_size=100)
    for chunks, n in ((result.reference_chunks, 1234), (result.current_chunks, 567)):
        assert chunks[0].start_row == 0 and chunks[-1].end_row == n
        assert all(a.end_row == b.start_row for a, b in itertools.pairwise(chunks))
        assert min(c.rows for c in chunks) >= 100
    assert len(result.reference_chunks) == 12 and len(result.current_chunks) == 5


@pytest.mark.parametrize(("reference", "current", "kwargs", "message"), [
    (pa.table({"s": ["the quick brown fox jumps"] * 300}), pa.table({"s": ["a b c d e"] * 300}), {},
     "multivariate drift: no numeric or categorical column varies in the reference (left out: s (text))"),
    (pa.table({"a": [1.0] * 300, "b": [2.0] * 300}), pa.table({"a": [1.0] * 300, "b": [2.0] * 300}), {},
     "multivariate drift: no numeric or categorical column varies in the reference (left out: a (constant in the "
     "reference); b (constant in the reference))"),
    (pa.table({"a": np.arange(300.0)}), pa.table({"a": np.arange(300.0)}), {},
     "multivariate drift needs at least two encoded dimensions (two usable columns, or a categorical one with two "
     "categories); usable: a"),
    (pa.table({"a": np.arange(300.0), "b": np.arange(300.0) % 7}), pa.table({"a": [1.0]}), {"chunk_size": 200},
     "multivariate drift needs at least two reference chunks of 200 rows (the reference has 300)"),
    (pa.table({"a": [1.0]}), pa.table({"a": []}, schema=pa.schema([("a", pa.float64())])), {},
     "multivariate drift needs rows in both reference and current"),
    (pa.table({"a": np.arange(300.0)}), pa.table({"a": np.arange(300.0)}), {"chunk_size": 5},
     "multivariate drift: chunk size must be a whole number >= 10, got 5"),
    (pa.table({"a": np.arange(300.0)}), pa.table({"a": np.arange(300.0)}), {"variance_kept": 1.0},
     "multivariate drift: variance_kept must be in (0, 1), got 1.0"),
    (pa.table({"a": np.arange(300.0)}), pa.table({"a": np.arange(300.0)}), {"sigmas": float("nan")},
     "multivariate drift: sigmas must be a finite number > 0, got nan"),
    (pa.table({"a": np.arange(300.0)}), pa.table({"a": np.arange(300.0)}), {"columns": ["a", "z"]},
     "multivariate drift: no column 'z' in both inputs"),
])
def test_unusable_input_is_one_message(reference, current, kwargs, message):
    with pytest.raises(UserInputError) as caught:
        reconstruction_drift(reference, current, **kwargs)
    assert str(caught.value) == message


def test_compare_carries_it_when_asked():
    rng = np.random.default_rng(11)
    reference, current = table(rng, 3000, 0.9), table(rng, 1000, -0.9)
    assert compare(reference, current).multivariate is None
    report = compare(reference, current, Options(multivariate=True))
    assert report.dataset_drift is False and report.multivariate is not None
    assert report.multivariate["drifted"] is True
    assert report.to_dict()["multivariate"] == report.multivariate


def test_windows_show_when_the_correlation_flipped():
    """Six daily windows of 500 rows; the flip starts on the fourth. No column drifts in any window."""
    rng = np.random.default_rng(13)
    reference = table(rng, 4000, 0.9)
    days = [table(rng, 500, 0.9 if day < 3 else -0.9) for day in range(6)]
    times = pa.array(np.repeat(np.datetime64("2026-11-01") + np.arange(6), 500).astype("datetime64[s]"))
    current = pa.concat_tables(days).append_column("ts", times)
    report = compare(reference, current, Options(window="1d", multivariate=True))
    assert [w["dataset_drift"] for w in report.windows] == [False] * 6
    summaries = [w["multivariate"] for w in report.windows]
    assert [m["drifted"] for m in summaries] == [False, False, False, True, True, True]
    assert [m["chunks"] for m in summaries] == [1] * 6  # chunk size: a tenth of 3,000 rows is 300
    assert {m["upper_threshold"] for m in summaries} == {report.multivariate["upper_threshold"]}
    assert all(set(m["columns"][:2]) == {"a", "b"} for m in summaries[3:])
    assert "multivariate" not in compare(reference, current, Options(window="1d")).windows[0]


def test_segments_get_their_own_pca_or_the_reason_they_cannot():
    rng = np.random.default_rng(14)
    north, south = table(rng, 2000, 0.9), table(rng, 2000, 0.9)
    reference = pa.concat_tables([north, south]).append_column("store", pa.array(["north"] * 2000 + ["south"] * 2000))
    current = pa.concat_tables([table(rng, 600, 0.9), table(rng, 600, -0.9), table(rng, 150, 0.9)]).append_column(
        "store", pa.array(["north"] * 600 + ["south"] * 600 + ["east"] * 150))
    east = table(rng, 15, 0.9)  # too few reference rows for two chunks of the smallest size
    reference = pa.concat_tables([reference, east.append_column("store", pa.array(["east"] * 15))])
    report = compare(reference, current, Options(segment_by="store", multivariate=True))
    by_store = {s["segment"]: s["multivariate"] for s in report.segments}
    assert by_store["north"]["drifted"] is False and by_store["south"]["drifted"] is True
    assert by_store["east"] == {"drifted": False, "error": "multivariate drift needs at least two reference chunks "
                                                           "of 10 rows (the reference has 15)"}


def test_the_json_lists_at_most_500_chunks_a_side_alerts_first():
    rng = np.random.default_rng(15)
    reference = table(rng, 12_000, 0.9)
    current = pa.concat_tables([table(rng, 5990, 0.9), table(rng, 60, -0.9)])
    result = reconstruction_drift(reference, current, chunk_size=10)
    data = result.to_dict()
    assert (data["n_reference_chunks"], data["n_current_chunks"]) == (1200, 605)
    assert len(data["reference_chunks"]) == 500 and len(data["current_chunks"]) == 500
    alerting = [c["index"] for c in data["current_chunks"] if c["alert"]]
    assert alerting[-6:] == list(range(599, 605)) and data["alerts"] == len(alerting)
    assert [c["index"] for c in data["current_chunks"]] == sorted(c["index"] for c in data["current_chunks"])
    assert data["max_error"] == max(c.error for c in result.current_chunks)
