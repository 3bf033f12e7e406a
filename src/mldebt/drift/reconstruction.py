"""Multivariate drift by PCA data-reconstruction error (NannyML's DataReconstructionDriftCalculator).

A change in how columns relate to each other (a correlation that flips, a segment whose mix of
features is new) can leave every column's own distribution unchanged, so no univariate test sees
it. PCA fitted on the reference learns the reference's correlation structure; rows that do not
follow it are reconstructed badly from the kept components. The mean reconstruction error of a
chunk of rows is compared with the spread of the reference chunks' errors: a current chunk above
`mean + sigmas * std` of the reference chunks alerts.

Encoding, fitted on the reference only:
- numeric: non-finite and missing values imputed with the reference mean, then standardized;
- categorical and boolean: one-hot for the `TOP_CATEGORIES` most frequent reference categories plus
  one "other" column (any category outside them, including ones never seen in the reference), each
  standardized; missing values are imputed with the most frequent category (as NannyML does).
  One-hot rather than frequency encoding: a new category, or a known one in the wrong company, is a
  direction of its own that PCA can miss, whereas frequency encoding folds all categories of equal
  frequency together. A dummy constant in the reference (the "other" column when every category is
  in the top) keeps scale 1, so a category new in current shows as error;
- text and datetime columns, identifiers, and columns constant (or empty) in the reference are left
  out with a note.
PCA is the SVD of the reference's covariance (accumulated chunk by chunk, so memory stays at one
chunk of encoded rows plus a d x d matrix), keeping the fewest components whose cumulative explained
variance reaches `variance_kept`, and always at least one dimension fewer than the encoding (all of
them would reconstruct every row exactly).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mldebt.drift.result import _num
from mldebt.drift.tables import DECLARED_TYPES, as_strings, infer_type, numeric_values
from mldebt.errors import UserInputError

MAX_COLUMNS = 50  # original columns encoded; beyond that the first 50 usable ones, with a note
TOP_CATEGORIES = 10  # one-hot dummies per categorical column (plus "other")
MAX_CONTRIBUTORS = 5  # columns named as contributing most to the error
MIN_CHUNK = 10  # rows: a smaller chunk's mean error is mostly noise
DEFAULT_CHUNKS = 10  # current is cut into about this many chunks by default...
DEFAULT_MIN_CHUNK = 100  # ...of at least this many rows (fewer when the reference is small)
IDENTIFIER_SHARE = 0.5  # as compare.py: more distinct values than half the rows is an identifier
MAX_LISTED_CHUNKS = 500  # per side in `to_dict` (a stored run stays small); the counts cover all of them


@dataclass
class Chunk:
    """One chunk of rows: `start_row` inclusive, `end_row` exclusive, within its own table."""

    period: str  # "reference" or "current"
    index: int
    start_row: int
    end_row: int
    error: float
    alert: bool = False

    @property
    def rows(self) -> int:
        return self.end_row - self.start_row

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "index": self.index, "start_row": self.start_row, "end_row": self.end_row,
                "rows": self.rows, "error": _num(self.error), "alert": self.alert}


@dataclass
class Contribution:
    """Mean squared reconstruction error of one original column (its dummies summed)."""

    column: str
    error: float  # in the alerting current chunks
    reference_error: float  # in the reference chunks

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "error": _num(self.error), "reference_error": _num(self.reference_error),
                "increase": _num(self.error - self.reference_error)}


@dataclass
class ReconstructionResult:
    columns: list[str]
    n_features: int  # encoded dimensions
    n_components: int
    variance_kept: float  # the actual share of the reference's variance the kept components explain
    variance_target: float
    sigmas: float
    chunk_size: int
    lower_threshold: float
    upper_threshold: float
    reference_chunks: list[Chunk] = field(default_factory=list)
    current_chunks: list[Chunk] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return any(c.alert for c in self.current_chunks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the chunk lists hold the first `MAX_LISTED_CHUNKS` of each side, the alerting current
        chunks first when there are more (`n_reference_chunks`, `n_current_chunks`, `alerts` and
        `max_error` count every chunk)."""
        listed = self.current_chunks
        if len(listed) > MAX_LISTED_CHUNKS:
            listed = sorted(sorted(listed, key=lambda c: not c.alert)[:MAX_LISTED_CHUNKS], key=lambda c: c.index)
        errors = [c.error for c in self.current_chunks if math.isfinite(c.error)]
        return {"method": "pca_reconstruction", "drifted": self.drifted, "columns": self.columns,
                "n_features": self.n_features, "n_components": self.n_components,
                "variance_kept": _num(self.variance_kept), "variance_target": self.variance_target,
                "sigmas": self.sigmas, "chunk_size": self.chunk_size,
                "lower_threshold": _num(self.lower_threshold), "upper_threshold": _num(self.upper_threshold),
                "n_reference_chunks": len(self.reference_chunks), "n_current_chunks": len(self.current_chunks),
                "reference_chunks": [c.to_dict() for c in self.reference_chunks[:MAX_LISTED_CHUNKS]],
                "current_chunks": [c.to_dict() for c in listed],
                "alerts": sum(c.alert for c in self.current_chunks), "max_error": max(errors, default=None),
                "contributions": [c.to_dict() for c in self.contributions], "notes": self.notes}


@dataclass
class Encoder:
    """The reference's encoding: per column its center and scale, or its categories."""

    numeric: dict[str, tuple[float, float]] = field(default_factory=dict)
    categorical: dict[str, list[str]] = field(default_factory=dict)  # top categories, most frequent first
    scales: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # dummies' mean, std

    @property
    def owners(self) -> list[str]:
        """The original column of each encoded dimension, in encoding order."""
        owners = list(self.numeric)
        for name, categories in self.categorical.items():
            owners += [name] * (len(categories) + 1)
        return owners

    def raw_dummies(self, name: str, column: pa.ChunkedArray) -> np.ndarray:
        categories = self.categorical[name]
        strings = as_strings(column)
        index = pc.index_in(strings, value_set=pa.array(categories, pa.string())).to_numpy(zero_copy_only=False)
        missing = pc.is_null(strings).to_numpy(zero_copy_only=False)
        index = np.where(missing, 0, np.where(np.isnan(index.astype(float)), len(categories), index))
        dummies = np.zeros((len(column), len(categories) + 1))
        dummies[np.arange(len(column)), index.astype(np.int64)] = 1.0
        return dummies

    def encode(self, table: pa.Table) -> np.ndarray:
        parts = []
        for name, (mean, std) in self.numeric.items():
            values = numeric_values(table[name]).astype(np.float64, copy=True)
            values[~np.isfinite(values)] = mean
            parts.append(((values - mean) / std)[:, None])
        for name in self.categorical:
            center, scale = self.scales[name]
            parts.append((self.raw_dummies(name, table[name]) - center) / scale)
        return np.hstack(parts)


def reconstruction_drift(reference: pa.Table, current: pa.Table, *, columns: list[str] | None = None,
                         types: Mapping[str, str] | None = None, chunk_size: int | None = None,
                         variance_kept: float = 0.65, sigmas: float = 3.0) -> ReconstructionResult:
    """PCA reconstruction error per chunk of the reference and of current, and which current chunks alert.

    Raises UserInputError when no column can be encoded, the reference is too small for two chunks,
    or an argument is out of range.
    """
    fitted = fit_reconstruction(reference, current, columns=columns, types=types, chunk_size=chunk_size,
                                variance_kept=variance_kept, sigmas=sigmas)
    return fitted.score(current)


@dataclass
class Reconstruction:
    """A PCA fitted on the reference, with its chunks' errors and the thresholds: scores current rows
    (all of them, or one time window's) without fitting again."""

    encoder: Encoder
    basis: np.ndarray
    template: ReconstructionResult  # everything but the current chunks and contributions
    reference_columns: np.ndarray  # per reference chunk, the mean squared error per column

    def score(self, current: pa.Table) -> ReconstructionResult:
        result = replace(self.template, notes=list(self.template.notes), current_chunks=[], contributions=[])
        bounds = _bounds(current.num_rows, result.chunk_size)
        errors, per_column = _errors(current, bounds, self.encoder, self.basis, self.encoder.owners)
        result.current_chunks = [Chunk("current", i, s, e, float(v), alert=bool(v > result.upper_threshold))
                                 for i, ((s, e), v) in enumerate(zip(bounds, errors, strict=True))]
        alerting = np.array([c.alert for c in result.current_chunks])
        if alerting.any():
            result.contributions = _contributions(result.columns, per_column[alerting], self.reference_columns)
        return result


def fit_reconstruction(reference: pa.Table, current: pa.Table, *, columns: list[str] | None = None,
                       types: Mapping[str, str] | None = None, chunk_size: int | None = None,
                       variance_kept: float = 0.65, sigmas: float = 3.0) -> Reconstruction:
    """The encoding and PCA of the reference, and the threshold from its chunks (`current` sets the
    default chunk size and which columns are shared)."""
    if not 0.0 < variance_kept < 1.0 or not math.isfinite(variance_kept):
        raise UserInputError(f"multivariate drift: variance_kept must be in (0, 1), got {variance_kept!r}")
    if not (math.isfinite(sigmas) and sigmas > 0):
        raise UserInputError(f"multivariate drift: sigmas must be a finite number > 0, got {sigmas!r}")
    size = _chunk_size(reference.num_rows, current.num_rows, chunk_size)
    notes: list[str] = []
    encoder = fit_encoder(reference, current, columns, types or {}, notes)
    owners = encoder.owners
    if len(owners) < 2:
        raise UserInputError("multivariate drift needs at least two encoded dimensions (two usable columns, or a "
                             f"categorical one with two categories); usable: {', '.join(owners) or 'none'}")
    ref_bounds = _bounds(reference.num_rows, size)
    gram = np.zeros((len(owners), len(owners)))
    for start, end in ref_bounds:
        block = encoder.encode(reference.slice(start, end - start))
        gram += block.T @ block
    _, singular, vt = np.linalg.svd(gram / reference.num_rows, hermitian=True)
    total = float(singular.sum())
    shares = np.cumsum(singular) / total if total > 0 else np.ones(len(singular))
    k = int(np.searchsorted(shares, variance_kept - 1e-12) + 1)
    if k >= len(owners):
        k = len(owners) - 1
        notes.append(f"kept {k} of {len(owners)} components: all of them would reconstruct every row exactly")
    basis = vt[:k].T
    ref_errors, ref_columns = _errors(reference, ref_bounds, encoder, basis, owners)
    mean, std = float(ref_errors.mean()), float(ref_errors.std(ddof=1))
    template = ReconstructionResult(
        columns=list(dict.fromkeys(owners)), n_features=len(owners), n_components=k,
        variance_kept=float(shares[k - 1]), variance_target=variance_kept, sigmas=sigmas, chunk_size=size,
        lower_threshold=max(0.0, mean - sigmas * std), upper_threshold=mean + sigmas * std, notes=notes,
        reference_chunks=[Chunk("reference", i, s, e, float(v)) for i, ((s, e), v) in
                          enumerate(zip(ref_bounds, ref_errors, strict=True))])
    return Reconstruction(encoder, basis, template, ref_columns)


def _chunk_size(n_reference: int, n_current: int, chunk_size: int | None) -> int:
    """The given size, or about a tenth of current (at least 100 rows, at most half the reference)."""
    if n_reference == 0 or n_current == 0:
        raise UserInputError("multivariate drift needs rows in both reference and current")
    if chunk_size is None:
        chunk_size = min(max(DEFAULT_MIN_CHUNK, math.ceil(n_current / DEFAULT_CHUNKS)), n_reference // 2)
        chunk_size = max(chunk_size, MIN_CHUNK)
    elif isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < MIN_CHUNK:
        raise UserInputError(f"multivariate drift: chunk size must be a whole number >= {MIN_CHUNK}, got "
                             f"{chunk_size!r}")
    if n_reference < 2 * chunk_size:
        raise UserInputError(f"multivariate drift needs at least two reference chunks of {chunk_size} rows "
                             f"(the reference has {n_reference})")
    return chunk_size


def _bounds(n_rows: int, size: int) -> list[tuple[int, int]]:
    """`n_rows // size` chunks of nearly equal length (each at least `size` rows; one chunk if fewer rows)."""
    n_chunks = max(1, n_rows // size)
    edges = np.linspace(0, n_rows, n_chunks + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges.tolist())]


def _kind(column: pa.ChunkedArray, name: str, types: Mapping[str, str]) -> str:
    declared = types.get(name)
    kind = DECLARED_TYPES.get(declared, infer_type(column)) if declared else infer_type(column)
    if kind == "numeric" and (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return "numeric" if _castable(column) else "categorical"
    return kind


def _castable(column: pa.ChunkedArray) -> bool:
    try:
        column.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def fit_encoder(reference: pa.Table, current: pa.Table, columns: list[str] | None, types: Mapping[str, str],
                notes: list[str]) -> Encoder:
    """The encoding of the usable shared columns, fitted on the reference; why others are left out goes to
    `notes`. Also used by the domain classifier (`drift.classifier`)."""
    shared = [name for name in reference.column_names if name in current.column_names]
    selected = list(dict.fromkeys(columns)) if columns else shared
    missing = [name for name in selected if name not in shared]
    if missing:
        raise UserInputError(f"multivariate drift: no column {missing[0]!r} in both inputs")
    encoder, skipped, used = Encoder(), [], 0
    for name in selected:
        ref_column, cur_column = reference[name], current[name]
        kind, cur_kind = _kind(ref_column, name, types), _kind(cur_column, name, types)
        if kind != cur_kind:
            skipped.append(f"{name} (type changed: {kind} -> {cur_kind})")
        elif kind in ("text", "datetime"):
            skipped.append(f"{name} ({kind})")
        elif used >= MAX_COLUMNS:
            skipped.append(f"{name} (over the {MAX_COLUMNS}-column cap)")
        elif kind == "numeric":
            values = numeric_values(ref_column)
            finite = values[np.isfinite(values)]
            std = float(finite.std()) if finite.size else 0.0
            if finite.size == 0 or not std > 0:
                skipped.append(f"{name} (constant in the reference)")
                continue
            encoder.numeric[name] = (float(finite.mean()), std)
            used += 1
        else:
            counts = sorted(pc.value_counts(as_strings(ref_column).drop_null()).to_pylist(),
                            key=lambda item: (-item["counts"], item["values"]))
            if len(counts) < 2:
                skipped.append(f"{name} (constant in the reference)")
            elif len(counts) > 20 and len(counts) > IDENTIFIER_SHARE * reference.num_rows:
                skipped.append(f"{name} (looks like an identifier: {len(counts)} distinct values)")
            else:
                encoder.categorical[name] = [str(item["values"]) for item in counts[:TOP_CATEGORIES]]
                if len(counts) > TOP_CATEGORIES:
                    notes.append(f"{name}: the {len(counts) - TOP_CATEGORIES} categories after the "
                                 f"{TOP_CATEGORIES} most frequent are encoded together as 'other'")
                used += 1
    if skipped:
        notes.append("left out: " + "; ".join(skipped))
    if not encoder.numeric and not encoder.categorical:
        raise UserInputError("multivariate drift: no numeric or categorical column varies in the reference"
                             + (f" (left out: {'; '.join(skipped)})" if skipped else ""))
    for name in encoder.categorical:
        dummies = encoder.raw_dummies(name, reference[name])
        center, scale = dummies.mean(axis=0), dummies.std(axis=0)
        encoder.scales[name] = (center, np.where(scale > 0, scale, 1.0))
    return encoder


def _errors(table: pa.Table, bounds: list[tuple[int, int]], encoder: Encoder, basis: np.ndarray,
            owners: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per chunk: the rows' mean Euclidean reconstruction error, and the mean squared error per column."""
    names = list(dict.fromkeys(owners))
    group = np.array([names.index(o) for o in owners])
    errors, per_column = np.empty(len(bounds)), np.zeros((len(bounds), len(names)))
    for i, (start, end) in enumerate(bounds):
        block = encoder.encode(table.slice(start, end - start))
        residual = block - (block @ basis) @ basis.T
        errors[i] = float(np.sqrt((residual ** 2).sum(axis=1)).mean())
        np.add.at(per_column[i], group, (residual ** 2).mean(axis=0))
    return errors, per_column


def _contributions(names: list[str], alerting: np.ndarray, reference: np.ndarray) -> list[Contribution]:
    """The columns whose squared error grew most from the reference chunks to the alerting chunks.

    Ranked by the increase, not the level: a column PCA explains poorly has a large error in every
    chunk, drift or not. Chunks are of nearly equal size, so a plain mean weighs rows alike.
    """
    current, baseline = alerting.mean(axis=0), reference.mean(axis=0)
    order = np.argsort(-(current - baseline), kind="stable")[:MAX_CONTRIBUTORS]
    return [Contribution(names[i], float(current[i]), float(baseline[i])) for i in order]
