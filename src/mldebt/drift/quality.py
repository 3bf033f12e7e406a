"""Data-quality checks between reference and current: each problem is a `QualityIssue`.

Rules (ids are stable; docs/drift.md lists them): schema changes, missing values, categories that
appear or vanish, values outside the reference range, constant columns, duplicate rows, infinite
values, mixed types, empty and tiny inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from mldebt.domain.finding import Severity
from mldebt.drift.engine import CategoricalSummary, NumericSummary
from mldebt.drift.report import QualityIssue

MIN_ROWS = 30          # below this, tests have little power: a warning
MISSING_STEP = 0.05    # a rise of the missing share by 5 points is an issue
SHARE_NOTICE = 0.01    # new/vanished categories and out-of-range values below 1% are low severity

RULES: dict[str, tuple[str, str]] = {
    "DQ001": ("empty-input", "reference or current has no rows"),
    "DQ002": ("column-removed", "a reference column is missing from current"),
    "DQ003": ("column-added", "current has a column the reference does not"),
    "DQ004": ("column-retyped", "a column changed type"),
    "DQ005": ("missing-values-increased", "the share of missing values rose by 5 points or more"),
    "DQ006": ("all-missing", "a column has no values on one side"),
    "DQ007": ("new-category", "current has categories never seen in the reference"),
    "DQ008": ("vanished-category", "reference categories are absent from current"),
    "DQ009": ("out-of-range", "current values outside the reference's min-max range"),
    "DQ010": ("constant-column", "a column has a single value in current"),
    "DQ011": ("duplicate-rows", "the share of duplicate rows rose"),
    "DQ012": ("non-finite-values", "infinite values in a numeric column (treated as missing)"),
    "DQ013": ("mixed-types", "a text column mostly holds numbers (or the reverse)"),
    "DQ014": ("too-few-rows", "fewer than 30 rows: tests have little power"),
}


def issue(rule_id: str, severity: Severity, column: str | None, message: str, **evidence: Any) -> QualityIssue:
    return QualityIssue(rule_id, RULES[rule_id][0], severity, column, message, evidence)


def schema_issues(reference: pa.Schema, current: pa.Schema, types: dict[str, tuple[str, str]]) -> list[QualityIssue]:
    found = []
    for name in reference.names:
        if name not in current.names:
            found.append(issue("DQ002", Severity.HIGH, name, f"column {name!r} is missing from current"))
    for name in current.names:
        if name not in reference.names:
            found.append(issue("DQ003", Severity.LOW, name, f"current has a new column {name!r}"))
    for name, (ref_type, cur_type) in types.items():
        if ref_type != cur_type:
            found.append(issue("DQ004", Severity.HIGH, name, f"column {name!r} changed type: {ref_type} -> {cur_type}",
                               reference_type=ref_type, current_type=cur_type))
    return found


def size_issues(n_reference: int, n_current: int) -> list[QualityIssue]:
    found = []
    for side, n in (("reference", n_reference), ("current", n_current)):
        if n == 0:
            found.append(issue("DQ001", Severity.CRITICAL, None, f"{side} has no rows: nothing to compare", side=side))
        elif n < MIN_ROWS:
            found.append(issue("DQ014", Severity.LOW, None, f"{side} has only {n} row(s): drift tests have little "
                               "power, treat verdicts with care", side=side, rows=n))
    return found


def missing_issues(name: str, ref_missing: int, n_ref: int, cur_missing: int, n_cur: int) -> list[QualityIssue]:
    ref_share, cur_share = ref_missing / max(n_ref, 1), cur_missing / max(n_cur, 1)
    evidence = {"reference_missing_share": round(ref_share, 6), "current_missing_share": round(cur_share, 6)}
    if (n_ref and ref_missing == n_ref) or (n_cur and cur_missing == n_cur):
        side = "reference" if ref_missing == n_ref else "current"
        return [issue("DQ006", Severity.HIGH, name, f"column {name!r} has no values in {side}", **evidence)]
    if cur_share - ref_share >= MISSING_STEP:
        severity = Severity.HIGH if cur_share - ref_share >= 0.25 else Severity.MEDIUM
        return [issue("DQ005", severity, name, f"missing values in {name!r} rose from {ref_share:.1%} to "
                      f"{cur_share:.1%}", **evidence)]
    return []


def numeric_issues(name: str, summary: NumericSummary, infinite: int) -> list[QualityIssue]:
    found = []
    if infinite:
        found.append(issue("DQ012", Severity.MEDIUM, name, f"{infinite} infinite value(s) in {name!r} were treated "
                           "as missing", count=infinite))
    share = summary.out_of_range / max(summary.n_current, 1)
    if summary.out_of_range:
        severity = Severity.MEDIUM if share >= SHARE_NOTICE else Severity.LOW
        found.append(issue("DQ009", severity, name, f"{share:.2%} of current {name!r} values lie outside the "
                           f"reference range [{summary.reference_min:g}, {summary.reference_max:g}]",
                           share=round(share, 6), count=summary.out_of_range))
    if summary.current_distinct == 1 and summary.reference_std > 0:
        found.append(issue("DQ010", Severity.HIGH, name, f"{name!r} is constant in current but varied in the "
                           "reference"))
    return found


def categorical_issues(name: str, summary: CategoricalSummary) -> list[QualityIssue]:
    found = []
    ref, cur = summary.reference_counts, summary.current_counts
    new = (ref == 0) & (cur > 0)
    gone = (ref > 0) & (cur == 0)
    if new.any():
        share = cur[new].sum() / max(cur.sum(), 1)
        names = [summary.categories[i] for i in np.flatnonzero(new)[:5]]
        severity = Severity.MEDIUM if share >= SHARE_NOTICE else Severity.LOW
        found.append(issue("DQ007", severity, name, f"{int(new.sum())} new categor{'y' if new.sum() == 1 else 'ies'} "
                           f"in {name!r} ({share:.1%} of current rows), e.g. {', '.join(map(repr, names))}",
                           count=int(new.sum()), share=round(float(share), 6), examples=names))
    if gone.any():
        share = ref[gone].sum() / max(ref.sum(), 1)
        names = [summary.categories[i] for i in np.flatnonzero(gone)[:5]]
        severity = Severity.MEDIUM if share >= SHARE_NOTICE else Severity.LOW
        found.append(issue("DQ008", severity, name, f"{int(gone.sum())} reference categor"
                           f"{'y' if gone.sum() == 1 else 'ies'} of {name!r} vanished ({share:.1%} of reference "
                           f"rows), e.g. {', '.join(map(repr, names))}", count=int(gone.sum()),
                           share=round(float(share), 6), examples=names))
    if (cur > 0).sum() == 1 and (ref > 0).sum() > 1:
        found.append(issue("DQ010", Severity.HIGH, name, f"{name!r} is constant in current but varied in the "
                           "reference"))
    return found


def duplicate_share(table: pa.Table) -> float:
    """Share of rows that repeat an earlier row (rows hashed column by column with numpy)."""
    if table.num_rows < 2 or table.num_columns == 0:
        return 0.0
    hashes = np.zeros(table.num_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in table.columns:
            if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
                part = column.cast(pa.float64()).fill_null(np.nan).to_numpy().view(np.uint64)
            else:
                encoded = column.dictionary_encode() if not pa.types.is_dictionary(column.type) else column
                encoded = encoded.combine_chunks()
                part = encoded.indices.fill_null(-1).to_numpy().astype(np.uint64)
            hashes = hashes * np.uint64(1099511628211) + part
            hashes ^= hashes >> np.uint64(29)
    hashes.sort()
    distinct = 1 + int(np.count_nonzero(hashes[1:] != hashes[:-1]))
    return 1.0 - distinct / table.num_rows


def duplicate_issues(reference: pa.Table, current: pa.Table) -> list[QualityIssue]:
    ref_share, cur_share = duplicate_share(reference), duplicate_share(current)
    if cur_share - ref_share >= SHARE_NOTICE:
        severity = Severity.MEDIUM if cur_share - ref_share >= 0.05 else Severity.LOW
        return [issue("DQ011", severity, None, f"duplicate rows rose from {ref_share:.1%} to {cur_share:.1%}",
                      reference_share=round(ref_share, 6), current_share=round(cur_share, 6))]
    return []
