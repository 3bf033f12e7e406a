"""What a scan returns: findings, SQALE-style debt totals per component, hotspots, ML Test Scores.

Debt follows SonarQube's SQALE model: the debt of a component is the sum of its findings'
remediation effort; the debt ratio divides it by the cost of writing the code (30 minutes per
line), and the rating is A (<= 5 %), B (<= 10 %), C (<= 20 %), D (<= 50 %) or E.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldebt.domain.finding import UNASSIGNED, Finding
from mldebt.domain.governance import audit_statuses, reviewed_line
from mldebt.scan.components import ComponentIndex
from mldebt.scan.hotspots import Hotspot
from mldebt.scan.ml_test_score import ComponentTestScore, Evidence

MINUTES_PER_LINE = 30
RATINGS = ((0.05, "A"), (0.10, "B"), (0.20, "C"), (0.50, "D"))


@dataclass(frozen=True)
class ComponentDebt:
    component: str
    findings: int
    minutes: int
    lines: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def ratio(self) -> float | None:
        return round(self.minutes / (MINUTES_PER_LINE * self.lines), 4) if self.lines else None

    @property
    def rating(self) -> str:
        if self.ratio is None:
            return "-"
        return next((grade for limit, grade in RATINGS if self.ratio <= limit), "E")

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "findings": self.findings, "minutes": self.minutes,
                "hours": self.hours, "lines": self.lines, "debt_ratio": self.ratio, "rating": self.rating}


def debt_totals(findings: list[Finding], loc: dict[str, int], index: ComponentIndex) -> list[ComponentDebt]:
    minutes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    lines: dict[str, int] = defaultdict(int)
    for finding in findings:
        minutes[finding.component] += finding.effort_minutes
        counts[finding.component] += 1
    for rel, count in loc.items():
        lines[index.name_for(rel) or UNASSIGNED] += count
    names = sorted(set(minutes) | set(lines), key=lambda n: (-minutes[n], n))
    return [ComponentDebt(n, counts[n], minutes[n], lines.get(n, 0)) for n in names]


def model_evidence(component: Any, catalog: Any, findings: list[Finding], python_files: list[str],
                   index: ComponentIndex, test_counts: dict[str, tuple[int, int]],
                   as_of: dt.date) -> Evidence:
    """What the inventory and this scan show about one model (see `ml_test_score`); its governance
    reviews are judged as of `as_of` (the scan's `--as-of`)."""
    datasets = catalog.by_name() if catalog is not None else {}
    data = datasets.get(getattr(component, "training_data", None) or "")
    own_files = [rel for rel in python_files if index.name_for(rel) == component.name]
    drift = getattr(catalog, "drift", {}) or {}
    retrain = getattr(component, "retrain", None)
    return Evidence(
        has_schema=bool(data is not None and getattr(data, "schema_", None)),
        has_tests=test_counts.get(component.name, (0, 0))[0] > 0,
        reproducible=bool(own_files) and not any(f.rule_id == "MLD402" and f.component == component.name
                                                 for f in findings),
        has_metric_thresholds=any(m.min is not None or m.max is not None for m in component.metrics.values()),
        has_model_card=bool(component.model_card),
        rolled_back_before=any(str(c.kind) == "rollback" for c in component.changes),
        drift_monitored=bool(data is not None and getattr(data, "reference", None) and getattr(data, "current", None))
        or component.name in drift,
        retrain_interval=component.retrain_every_days is not None,
        retrain_automated=retrain is not None and str(retrain.mode) != "off",
        governance=reviewed_line(audit_statuses(getattr(component, "governance", None), as_of)),
    )


@dataclass
class ScanResult:
    root: Path
    findings: list[Finding]
    suppressed: Counter[str] = field(default_factory=Counter)
    files: int = 0
    analysed: int = 0
    python_files: int = 0
    lines: int = 0
    hotspots: list[Hotspot] = field(default_factory=list)
    test_scores: list[ComponentTestScore] = field(default_factory=list)
    debt: list[ComponentDebt] = field(default_factory=list)
    seconds: float = 0.0
    nothing_scanned: str | None = None  # why no file was found (a .gitignore rule, an empty folder)

    @property
    def debt_minutes(self) -> int:
        return sum(f.effort_minutes for f in self.findings)

    def counts_by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(f.rule_id for f in self.findings).items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.root), "files": self.files, "analysed_files": self.analysed,
            "python_files": self.python_files, "lines": self.lines, "seconds": round(self.seconds, 3),
            "findings": [f.to_dict() for f in self.findings], "counts_by_rule": self.counts_by_rule(),
            "suppressed": dict(sorted(self.suppressed.items())), "debt_minutes": self.debt_minutes,
            "debt": [d.to_dict() for d in self.debt], "hotspots": [h.to_dict() for h in self.hotspots],
            "ml_test_score": [s.to_dict() for s in self.test_scores], "nothing_scanned": self.nothing_scanned,
        }
