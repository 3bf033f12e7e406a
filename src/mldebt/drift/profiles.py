"""Mergeable, serializable column profiles: what drift needs to know about data too big to hold.

A profile keeps, per column, what merges without the rows: exact counts and moments (mean and M2,
merged with Chan's parallel formula) and Apache DataSketches sketches (a KLL quantile sketch for
numeric columns, a frequent-items sketch for categorical ones, plus exact value counts while there
are at most `EXACT_CAP` distinct values). So the profile of a file is the merge of the profiles of
its batches, exactly for counts, within the KLL sketch's documented rank error for quantiles.

Merging two profiles takes the union of their columns: a column one side lacks counts that side's
rows as missing, so `count + missing == rows` holds for every column of every profile. Types must
agree, except that a column with no values yet (all missing, or an Arrow null column from the first
block of a CSV) takes the type of the other side.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Literal

import datasketches
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mldebt.errors import UserInputError

PROFILE_VERSION = 1
FORMAT_NAME = "mldebt-profile"
KLL_K = 200  # rank error about 1.3% (get_normalized_rank_error(200, False))
FREQUENT_LG_MAX_K = 10  # up to 768 tracked items in a 1024-slot map
EXACT_CAP = 1000  # distinct values counted exactly; beyond it only the frequent-items sketch

Kind = Literal["numeric", "categorical"]


@dataclass
class ColumnProfile:
    """One column: exact counts and moments, plus the sketch of its kind (the other one is None).

    `count` is the number of present values, `missing` nulls and NaNs. Numeric min, max and mean are
    floats (integers beyond 2**53 lose precision, as they do in every float statistic). `exact` holds
    the exact categorical counts, or None once more than `EXACT_CAP` distinct values were seen.
    """

    name: str
    kind: Kind
    count: int = 0
    missing: int = 0
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    m2: float = 0.0
    kll: Any = None  # datasketches.kll_doubles_sketch for numeric columns
    frequent: Any = None  # datasketches.frequent_strings_sketch for categorical columns
    exact: dict[str, int] | None = field(default_factory=dict)

    @property
    def variance(self) -> float | None:
        """Population variance (M2 / n); None without values."""
        return self.m2 / self.count if self.count else None

    def quantile(self, rank: float) -> float | None:
        """The KLL estimate of the value at `rank` (0..1); None for categorical or empty columns."""
        if self.kll is None or self.kll.is_empty():
            return None
        return float(self.kll.get_quantile(rank))

    def rank_error(self) -> float:
        """The sketch's normalized rank error (the bound on |estimated rank - true rank|)."""
        return float(datasketches.kll_doubles_sketch.get_normalized_rank_error(self.kll.k, False))

    def top(self, n: int = 5) -> list[tuple[str, int]]:
        """The most frequent values: exact counts when kept, else the sketch's estimates."""
        if self.exact is not None:
            return sorted(self.exact.items(), key=lambda item: (-item[1], item[0]))[:n]
        if self.frequent is None:
            return []
        items = self.frequent.get_frequent_items(datasketches.frequent_items_error_type.NO_FALSE_NEGATIVES)
        return [(str(item[0]), int(item[1])) for item in items[:n]]


@dataclass
class Profile:
    """A versioned set of column profiles of `rows` rows."""

    rows: int
    columns: dict[str, ColumnProfile]
    version: int = PROFILE_VERSION


def empty_column(name: str, kind: Kind) -> ColumnProfile:
    if kind == "numeric":
        return ColumnProfile(name, kind, kll=datasketches.kll_doubles_sketch(KLL_K), exact=None)
    return ColumnProfile(name, kind, frequent=datasketches.frequent_strings_sketch(FREQUENT_LG_MAX_K))


def kind_of(arrow_type: pa.DataType) -> Kind:
    """Integers, floats and decimals are numeric; everything else (strings, booleans, dates) categorical."""
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "numeric"
    return "categorical"


def _nested(arrow_type: pa.DataType) -> bool:
    return bool(pa.types.is_nested(arrow_type) or pa.types.is_union(arrow_type))


def profile_table(table: pa.Table) -> Profile:
    """The profile of an in-memory table (one batch of a stream, or the whole of a small file)."""
    columns = {name: profile_column(name, table.column(name)) for name in table.column_names}
    return Profile(rows=table.num_rows, columns=columns)


def profile_column(name: str, column: pa.ChunkedArray) -> ColumnProfile:
    if pa.types.is_null(column.type):
        profile = empty_column(name, "categorical")
        profile.missing = len(column)
        return profile
    kind = kind_of(column.type)
    if kind == "categorical" and _nested(column.type):
        raise UserInputError(f"column {name!r}: cannot profile a {column.type} column (lists, structs and maps "
                             "are not values; flatten them first)")
    profile = empty_column(name, kind)
    present = pc.drop_null(column)
    if kind == "numeric":
        values = pc.cast(present, pa.float64()).to_numpy()
        values = values[~np.isnan(values)]
        profile.count = int(values.size)
        if values.size:
            profile.min, profile.max = float(values.min()), float(values.max())
            profile.mean = float(values.mean())
            profile.m2 = float(((values - profile.mean) ** 2).sum())
            profile.kll.update(values)
    else:
        counts = pc.value_counts(pc.cast(present, pa.string()))
        exact: dict[str, int] = {}
        for value, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True):
            profile.frequent.update(value, count)
            exact[value] = count
        profile.count = len(present)
        profile.exact = exact if len(exact) <= EXACT_CAP else None
    profile.missing = len(column) - profile.count
    return profile


def merge(a: Profile, b: Profile) -> Profile:
    """The profile of the rows of both: the union of the columns (see the module docstring)."""
    columns: dict[str, ColumnProfile] = {}
    for name in list(a.columns) + [n for n in b.columns if n not in a.columns]:
        left = a.columns.get(name) or _absent(name, b.columns[name].kind, a.rows)
        right = b.columns.get(name) or _absent(name, left.kind, b.rows)
        columns[name] = merge_columns(left, right)
    return Profile(rows=a.rows + b.rows, columns=columns)


def _absent(name: str, kind: Kind, rows: int) -> ColumnProfile:
    profile = empty_column(name, kind)
    profile.missing = rows
    return profile


def merge_columns(a: ColumnProfile, b: ColumnProfile) -> ColumnProfile:
    """Counts add, moments combine by Chan's formula, sketches merge; neither input changes."""
    if a.kind != b.kind:
        if not a.count:
            a = _absent(a.name, b.kind, a.missing)
        elif not b.count:
            b = _absent(b.name, a.kind, b.missing)
        else:
            raise UserInputError(f"profiles disagree on column {a.name!r}: {a.kind} in one, {b.kind} in the other")
    merged = empty_column(a.name, a.kind)
    merged.count, merged.missing = a.count + b.count, a.missing + b.missing
    if a.kind == "numeric":
        merged.kll.merge(a.kll)
        merged.kll.merge(b.kll)
        present = [p for p in (a, b) if p.count]
        if present:
            merged.min = min(p.min for p in present if p.min is not None)
            merged.max = max(p.max for p in present if p.max is not None)
        merged.mean, merged.m2 = _chan(a, b)
    else:
        merged.frequent.merge(a.frequent)
        merged.frequent.merge(b.frequent)
        merged.exact = _merge_exact(a.exact, b.exact)
    return merged


def _chan(a: ColumnProfile, b: ColumnProfile) -> tuple[float | None, float]:
    """Chan, Golub and LeVeque's pairwise update: numerically stable for any split of the rows."""
    if not b.count or b.mean is None:
        return a.mean, a.m2
    if not a.count or a.mean is None:
        return b.mean, b.m2
    n = a.count + b.count
    delta = b.mean - a.mean
    return a.mean + delta * b.count / n, a.m2 + b.m2 + delta * delta * a.count * b.count / n


def _merge_exact(a: dict[str, int] | None, b: dict[str, int] | None) -> dict[str, int] | None:
    if a is None or b is None:
        return None
    merged = dict(a)
    for value, count in b.items():
        merged[value] = merged.get(value, 0) + count
    return merged if len(merged) <= EXACT_CAP else None


def to_json(profile: Profile) -> str:
    """The profile as a JSON document; sketches are DataSketches' own binary form in base64."""
    return json.dumps({"format": FORMAT_NAME, "version": profile.version, "rows": profile.rows,
                       "columns": [_column_json(c) for c in profile.columns.values()]}, indent=2)


def _column_json(c: ColumnProfile) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": c.name, "type": c.kind, "count": c.count, "missing": c.missing}
    if c.kind == "numeric":
        doc.update(min=c.min, max=c.max, mean=c.mean, m2=c.m2, kll=_b64(c.kll.serialize()))
    else:
        doc.update(exact=c.exact is not None, counts=c.exact, frequent=_b64(c.frequent.serialize()))
    return doc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def from_json(text: str, source: str = "profile") -> Profile:
    """Read `to_json`'s document; an unknown version or a malformed document is a one-line UserInputError."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise UserInputError(f"{source}: not a JSON document ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise UserInputError(f"{source}: not an mldebt profile (expected \"format\": \"{FORMAT_NAME}\")")
    if doc.get("version") != PROFILE_VERSION:
        raise UserInputError(f"{source}: unknown profile version {doc.get('version')!r} (this mldebt reads "
                             f"version {PROFILE_VERSION})")
    try:
        columns = [_column_from_json(c) for c in doc["columns"]]
        rows = doc["rows"]
        if not isinstance(rows, int) or any(c.count + c.missing != rows for c in columns):
            raise ValueError("column counts do not add up to rows")
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise UserInputError(f"{source}: malformed profile ({type(exc).__name__}: {exc})") from None
    return Profile(rows=rows, columns={c.name: c for c in columns})


def _column_from_json(doc: dict[str, Any]) -> ColumnProfile:
    kind = doc["type"]
    if kind not in ("numeric", "categorical"):
        raise ValueError(f"unknown column type {kind!r}")
    profile = ColumnProfile(str(doc["name"]), kind, count=int(doc["count"]), missing=int(doc["missing"]))
    if kind == "numeric":
        profile.min, profile.max, profile.mean = doc["min"], doc["max"], doc["mean"]
        profile.m2, profile.exact = float(doc["m2"]), None
        profile.kll = datasketches.kll_doubles_sketch.deserialize(base64.b64decode(doc["kll"], validate=True))
    else:
        counts = doc["counts"]
        profile.exact = {str(k): int(v) for k, v in counts.items()} if doc["exact"] else None
        profile.frequent = datasketches.frequent_strings_sketch.deserialize(
            base64.b64decode(doc["frequent"], validate=True))
    return profile
