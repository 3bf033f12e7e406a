"""`mldebt scan` as a use case: read the inventory, scan each root, apply a baseline, store the run."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldebt.domain.component import Catalog
from mldebt.domain.finding import Finding, Severity
from mldebt.errors import NotFoundError, UserInputError
from mldebt.input_files import read_input_text
from mldebt.scan.baseline import baseline_document, parse_baseline
from mldebt.scan.config import ConfigError, ScanConfig
from mldebt.scan.engine import SOURCE, scan_tree
from mldebt.scan.results import ScanResult
from mldebt.service.catalog import require_catalog
from mldebt.store.database import Store
from mldebt.store.findings import SyncResult, sync_findings
from mldebt.store.scans import add_scan_run


@dataclass
class ScanOutcome:
    result: ScanResult
    synced: SyncResult | None = None


@dataclass
class ScanReport:
    outcomes: list[ScanOutcome]
    config_file: Path | None
    baseline: set[str] | None = None
    fail_on: Severity | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def results(self) -> list[ScanResult]:
        return [o.result for o in self.outcomes]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def counted(self) -> list[Finding]:
        """Findings that count toward --fail-on: all, or only those not in the baseline."""
        return [f for f in self.findings if self.baseline is None or f.fingerprint not in self.baseline]

    def failing(self) -> list[Finding]:
        if self.fail_on is None:
            return []
        return [f for f in self.counted() if f.severity.at_least(self.fail_on)]

    def to_dict(self) -> dict[str, Any]:
        runs = []
        for outcome in self.outcomes:
            run = outcome.result.to_dict()
            if self.baseline is not None:
                for item in run["findings"]:
                    item["baseline"] = item["fingerprint"] in self.baseline
            if outcome.synced is not None:
                run["stored"] = {"new": len(outcome.synced.new), "reopened": len(outcome.synced.reopened),
                                 "fixed": len(outcome.synced.fixed)}
            runs.append(run)
        return {"config": str(self.config_file) if self.config_file else None, "runs": runs,
                "new_findings": len(self.counted()), "failing": len(self.failing()),
                "fail_on": str(self.fail_on) if self.fail_on else None}


def resolve_config(paths: list[Path], config_file: Path | None) -> tuple[Catalog | None, Path | None]:
    """The inventory: --config, else mldebt.yaml in the first scanned folder, else none."""
    if config_file is None:
        candidate = paths[0] / "mldebt.yaml"
        if not candidate.is_file():
            return None, None
        config_file = candidate
    return require_catalog(config_file), config_file


def scan_config(catalog: Catalog | None, **overrides: Any) -> ScanConfig:
    try:
        return ScanConfig.from_section(catalog.scan if catalog is not None else {}, **overrides)
    except ConfigError as exc:
        raise UserInputError(str(exc)) from None


def read_baseline(path: Path) -> set[str]:
    if not path.exists():
        raise NotFoundError(f"no baseline file at {path} (create one with --write-baseline)")
    try:
        return parse_baseline(read_input_text(path))
    except ValueError as exc:
        raise UserInputError(f"{path}: {exc}") from None


def write_baseline(path: Path, findings: list[Finding]) -> None:
    path.write_text(json.dumps(baseline_document(findings), indent=2) + "\n", encoding="utf-8")


def run_scan(store: Store | None, paths: list[Path], config_file: Path | None = None, *,
             baseline: Path | None = None, fail_on: Severity | None = None, now: dt.datetime | None = None,
             progress: Callable[[int, int], None] | None = None, **overrides: Any) -> ScanReport:
    """Scan each root; store each as a run (scope = resolved root) unless `store` is None."""
    for path in paths:
        if not path.is_dir():
            raise NotFoundError(f"{path} is not a folder to scan")
    catalog, config_path = resolve_config(paths, config_file)
    config = scan_config(catalog, **overrides)
    known = read_baseline(baseline) if baseline is not None else None
    now = now or dt.datetime.now(dt.UTC)
    outcomes = []
    for path in paths:
        result = scan_tree(path, catalog, config, progress)
        outcome = ScanOutcome(result)
        if store is not None and result.nothing_scanned is None:  # an unread tree must not mark findings fixed
            outcome.synced = record_run(store, result, now)
        outcomes.append(outcome)
    return ScanReport(outcomes, config_path, known, fail_on)


def record_run(store: Store, result: ScanResult, now: dt.datetime) -> SyncResult:
    scope = str(result.root)
    with store.session() as session:
        synced = sync_findings(session, SOURCE, scope, result.findings, now)
        summary = {"counts_by_rule": result.counts_by_rule(), "debt": [d.to_dict() for d in result.debt],
                   "hotspots": [h.to_dict() for h in result.hotspots],
                   "ml_test_score": [s.to_dict() for s in result.test_scores],
                   "suppressed": dict(result.suppressed)}
        add_scan_run(session, scope, now, {
            "files": result.files, "lines": result.lines, "findings": len(result.findings),
            "suppressed": sum(result.suppressed.values()), "new": len(synced.new) + len(synced.reopened),
            "fixed": len(synced.fixed), "debt_minutes": result.debt_minutes}, result.seconds, summary)
    return synced
