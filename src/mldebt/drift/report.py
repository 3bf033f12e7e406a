"""What a drift run returns: plain data, JSON-ready through `to_dict`, drawn by `mldebt.report`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mldebt.domain.finding import Severity
from mldebt.drift.result import _num


@dataclass
class Chart:
    """Reference and current shares per bin (numbers) or per category (top categories)."""

    labels: list[str]
    reference: list[float]
    current: list[float]

    def to_dict(self) -> dict[str, Any]:
        return {"labels": self.labels, "reference": self.reference, "current": self.current}


@dataclass
class ColumnDrift:
    name: str
    type: str
    method: str | None
    statistic: float | None = None
    pvalue: float | None = None
    adjusted_pvalue: float | None = None
    effect: float | None = None
    effect_measure: str | None = None
    threshold: float | None = None
    drifted: bool = False
    n_reference: int = 0
    n_current: int = 0
    note: str | None = None
    chart: Chart | None = None
    corrected: bool = False  # part of the family-wise correction (default policy)
    error_bound: float | None = None  # sketch-based statistics (drift from profiles): bound on the error
    uncertain: bool = False  # the verdict is within the error bound of its threshold

    def to_dict(self) -> dict[str, Any]:
        doc = self._base_dict()
        if self.error_bound is not None or self.uncertain:  # only drift from profiles adds these keys
            doc.update(error_bound=_num(self.error_bound), uncertain=self.uncertain)
        return doc

    def _base_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "method": self.method, "statistic": _num(self.statistic),
                "pvalue": _num(self.pvalue), "adjusted_pvalue": _num(self.adjusted_pvalue),
                "effect": _num(self.effect), "effect_measure": self.effect_measure, "threshold": self.threshold,
                "drifted": self.drifted, "n_reference": self.n_reference, "n_current": self.n_current,
                "note": self.note, "chart": self.chart.to_dict() if self.chart else None}


@dataclass
class QualityIssue:
    """A data-quality problem between reference and current (becomes a Finding when stored)."""

    rule_id: str
    name: str
    severity: Severity
    column: str | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "name": self.name, "severity": str(self.severity), "column": self.column,
                "message": self.message, "evidence": self.evidence}


@dataclass
class DriftReport:
    n_reference: int
    n_current: int
    columns: list[ColumnDrift] = field(default_factory=list)
    quality: list[QualityIssue] = field(default_factory=list)
    dataset_drift: bool = False
    drift_share: float = 0.0
    drift_share_threshold: float = 0.5
    alpha: float = 0.01
    min_effect: float = 0.02
    errors: list[str] = field(default_factory=list)
    performance: dict[str, Any] | None = None
    text: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)
    estimated_performance: dict[str, Any] | None = None  # drift.cbpe.CbpeResult.to_dict()
    multivariate: dict[str, Any] | None = None  # ReconstructionResult.to_dict() when asked for

    @property
    def drifted_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.drifted]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset_drift": self.dataset_drift, "drift_share": self.drift_share,
            "drift_share_threshold": self.drift_share_threshold, "alpha": self.alpha, "min_effect": self.min_effect,
            "n_reference": self.n_reference, "n_current": self.n_current,
            "drifted_columns": self.drifted_columns,
            "columns": [c.to_dict() for c in self.columns], "quality": [q.to_dict() for q in self.quality],
            "text": self.text, "performance": self.performance, "segments": self.segments, "windows": self.windows,
            "errors": self.errors, "estimated_performance": self.estimated_performance,
            "multivariate": self.multivariate,
        }
