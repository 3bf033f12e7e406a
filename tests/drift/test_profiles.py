"""Profiles: chunk profiles merge into the whole's, exactly for counts, within the KLL bound for quantiles."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from mldebt.drift.profile_io import profile_file
from mldebt.drift.profiles import EXACT_CAP, PROFILE_VERSION, from_json, merge, profile_table, to_json
from mldebt.errors import UserInputError

N = 20_000


@pytest.fixture
def table(rng):
    x = rng.normal(10, 3, N)
    x[::97] = np.nan  # NaN counts as missing
    amount = pa.array(rng.exponential(50, N), mask=rng.random(N) < 0.05)
    return pa.table({"x": x, "amount": amount, "n": rng.integers(-5, 1000, N),
                     "channel": pa.array(rng.choice(["web", "app", "store"], N, p=[0.6, 0.3, 0.1]),
                                         mask=rng.random(N) < 0.02)})


def merged_chunks(table, size):
    parts = [profile_table(table.slice(start, size)) for start in range(0, table.num_rows, size)]
    whole = parts[0]
    for part in parts[1:]:
        whole = merge(whole, part)
    return whole


def exact_fields(profile):
    return {name: (c.kind, c.count, c.missing, c.min, c.max, c.exact) for name, c in profile.columns.items()}


def test_counts_missing_min_max_mean_of_the_merged_chunks_equal_the_whole(table):
    whole, merged = profile_table(table), merged_chunks(table, 3_001)
    assert merged.rows == whole.rows == N
    assert exact_fields(merged) == exact_fields(whole)
    x = table.column("x").to_numpy()
    present = x[~np.isnan(x)]
    column = merged.columns["x"]
    assert (column.count, column.missing) == (present.size, N - present.size)
    assert (column.min, column.max) == (present.min(), present.max())
    assert column.mean == pytest.approx(present.mean(), rel=1e-12)
    assert column.variance == pytest.approx(present.var(), rel=1e-12)
    assert merged.columns["amount"].missing == table.column("amount").null_count
    for name in ("x", "amount", "n"):
        assert merged.columns[name].mean == pytest.approx(whole.columns[name].mean, rel=1e-12)
        assert merged.columns[name].m2 == pytest.approx(whole.columns[name].m2, rel=1e-12)


def test_merged_quantiles_are_within_the_kll_rank_error(table):
    merged = merged_chunks(table, 1_000)
    for name in ("x", "amount", "n"):
        column = merged.columns[name]
        values = np.sort(pc_present(table.column(name)))
        eps = column.rank_error()
        assert eps == pytest.approx(0.0133, abs=1e-4)
        for rank in (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
            estimate = column.quantile(rank)
            true_rank = np.searchsorted(values, estimate, side="right") / values.size
            assert abs(true_rank - rank) <= eps + 1 / values.size, (name, rank)


def pc_present(column):
    values = column.to_numpy(zero_copy_only=False).astype(float)
    return values[~np.isnan(values)]


def test_categorical_exact_counts_equal_the_true_counts(table):
    channel = merged_chunks(table, 777).columns["channel"]
    truth = {k: v for k, v in zip(*np.unique(table.column("channel").drop_null().to_numpy(zero_copy_only=False),
                                             return_counts=True), strict=True)}
    assert channel.exact == {str(k): int(v) for k, v in truth.items()}
    assert channel.kind == "categorical" and channel.missing == table.column("channel").null_count
    assert channel.top(1) == [("web", int(truth["web"]))]


def test_beyond_the_cap_only_the_sketch_remains():
    ids = pa.table({"id": [f"user-{i % (EXACT_CAP + 1)}" for i in range(3 * (EXACT_CAP + 1))]})
    half = profile_table(ids.slice(0, EXACT_CAP))
    assert half.columns["id"].exact is not None and len(half.columns["id"].exact) == EXACT_CAP
    whole = merge(half, profile_table(ids.slice(EXACT_CAP)))
    column = whole.columns["id"]
    assert column.exact is None and column.count == ids.num_rows
    assert profile_table(ids).columns["id"].exact is None
    assert len(column.top(5)) == 5  # estimated from the frequent-items sketch
    doc = json.loads(to_json(whole))
    assert doc["columns"][0]["exact"] is False and doc["columns"][0]["counts"] is None


def test_json_round_trip_keeps_every_field_and_the_sketches(table):
    profile = merged_chunks(table, 5_000)
    text = to_json(profile)
    doc = json.loads(text)
    assert doc["version"] == PROFILE_VERSION and doc["format"] == "mldebt-profile"
    back = from_json(text)
    assert exact_fields(back) == exact_fields(profile)
    for name in ("x", "amount", "n"):
        a, b = profile.columns[name], back.columns[name]
        assert (a.mean, a.m2) == (b.mean, b.m2)
        assert [a.quantile(r) for r in (0.1, 0.5, 0.9)] == [b.quantile(r) for r in (0.1, 0.5, 0.9)]
    assert back.columns["channel"].top(3) == profile.columns["channel"].top(3)
    again, doubled = from_json(to_json(back)), merge(back, back)
    assert exact_fields(again) == exact_fields(profile)
    assert again.columns["x"].quantile(0.5) == profile.columns["x"].quantile(0.5)
    assert exact_fields(doubled) == exact_fields(merge(profile, profile))
    assert doubled.columns["x"].kll.n == 2 * profile.columns["x"].count


def test_an_unknown_version_or_a_malformed_document_is_a_one_line_error(table):
    doc = json.loads(to_json(profile_table(table.slice(0, 100))))
    with pytest.raises(UserInputError, match=r"^p.json: unknown profile version 2 \(this mldebt reads version 1\)$"):
        from_json(json.dumps({**doc, "version": 2}), "p.json")
    with pytest.raises(UserInputError, match=r"^profile: not an mldebt profile"):
        from_json("[]")
    with pytest.raises(UserInputError, match=r"^profile: not a JSON document"):
        from_json("{")
    broken = {**doc, "columns": [{**doc["columns"][0], "kll": "bm90IGEgc2tldGNo"}]}
    with pytest.raises(UserInputError, match=r"^profile: malformed profile \("):
        from_json(json.dumps(broken))
    with pytest.raises(UserInputError, match=r"column counts do not add up to rows"):
        from_json(json.dumps({**doc, "rows": 99}))


def test_merge_takes_the_union_of_columns_and_counts_absent_ones_as_missing():
    a = profile_table(pa.table({"x": [1.0, 2.0], "c": ["a", "b"]}))
    b = profile_table(pa.table({"x": [3.0, 5.0, 6.0], "d": pa.array([None, None, None], pa.null())}))
    b = merge(b, profile_table(pa.table({"x": [4.0], "d": [7]})))
    merged = merge(a, b)
    assert merged.rows == 6
    assert [(n, c.kind, c.count, c.missing) for n, c in merged.columns.items()] == [
        ("x", "numeric", 6, 0), ("c", "categorical", 2, 4), ("d", "numeric", 1, 5)]
    assert merged.columns["x"].mean == 3.5 and merged.columns["d"].min == 7
    with pytest.raises(UserInputError, match="profiles disagree on column 'x': numeric in one, categorical"):
        merge(a, profile_table(pa.table({"x": ["a"]})))


def test_a_parquet_file_streamed_by_row_groups_equals_the_whole_table(table, tmp_path):
    path = tmp_path / "data.parquet"
    pq.write_table(table, path, row_group_size=4_000)
    assert pq.ParquetFile(path).metadata.num_row_groups == 5
    seen = []
    streamed = profile_file(path, batch_rows=1_500, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 5 and seen[-1] == (N, N) and all(t == N for _, t in seen)
    assert exact_fields(streamed) == exact_fields(profile_table(table))
    assert streamed.columns["x"].mean == pytest.approx(profile_table(table).columns["x"].mean, rel=1e-12)


def test_a_csv_file_streams_in_blocks(table, tmp_path):
    path = tmp_path / "data.csv"
    pacsv.write_csv(table, path)
    seen = []
    streamed = profile_file(path, batch_rows=1, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 1 and seen[-1] == (N, None)
    whole = profile_table(pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True)))
    assert exact_fields(streamed) == exact_fields(whole)
    assert streamed.columns["channel"].exact == profile_table(table).columns["channel"].exact  # empty is missing


def test_unreadable_files_are_user_errors(tmp_path):
    with pytest.raises(UserInputError, match="no such file"):
        profile_file(tmp_path / "missing.parquet")
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(UserInputError, match=r"unknown file type \.json: expected \.parquet, \.csv or \.tsv"):
        profile_file(tmp_path / "data.json")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(UserInputError, match="cannot read"):
        profile_file(tmp_path / "bad.parquet")


def test_nested_columns_are_refused_by_name_and_dates_profile_as_text():
    with pytest.raises(UserInputError, match=r"^column 'tags': cannot profile a list<item: string> column"):
        profile_table(pa.table({"tags": [["a"], ["b", "c"]]}))
    day = profile_table(pa.table({"day": pa.array([0, 0, 1], pa.date32()), "ok": [True, False, True]}))
    assert day.columns["day"].exact == {"1970-01-01": 2, "1970-01-02": 1}
    assert day.columns["ok"].exact == {"true": 2, "false": 1}


def test_tsv_and_gzipped_csv_stream_like_csv(tmp_path):
    table = pa.table({"x": [1.5, 2.5, None], "c": ["a", "b", "a"]})
    (tmp_path / "data.tsv").write_text("x\tc\n1.5\ta\n2.5\tb\n\ta\n")
    with pa.CompressedOutputStream(str(tmp_path / "data.csv.gz"), "gzip") as sink:
        pacsv.write_csv(table, sink)
    for name in ("data.tsv", "data.csv.gz"):
        assert exact_fields(profile_file(tmp_path / name)) == exact_fields(profile_table(table)), name
