"""Recording pipeline test results (JUnit) and coverage (Cobertura) for the test KPIs.

Idempotent: the same file content for the same component is recorded once, so a CI job that
uploads its report twice does not double the counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldebt.domain.component import Catalog
from mldebt.errors import NotFoundError, UserInputError
from mldebt.ingest.cobertura import parse_cobertura
from mldebt.ingest.junit import ReportError, parse_junit
from mldebt.input_files import MAX_REPORT_BYTES, read_input_bytes
from mldebt.scan.components import glob_regex
from mldebt.service.catalog import require_catalog
from mldebt.store.database import Store
from mldebt.store.scans import add_test_report


@dataclass
class RecordedReport:
    kind: str
    file: str
    component: str | None
    created: bool
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "component": self.component, "created": self.created,
                **self.summary}


def _read(path: Path) -> bytes:
    if not path.exists():
        raise NotFoundError(f"no report file at {path}")
    return read_input_bytes(path, MAX_REPORT_BYTES)


def _digest(data: bytes, component: str | None) -> str:
    return hashlib.sha256(data + b"\0" + (component or "").encode()).hexdigest()


def record_junit(store: Store, path: Path, component: str | None = None, now: dt.datetime | None = None
                 ) -> RecordedReport:
    data = _read(path)
    try:
        report = parse_junit(data)
    except ReportError as exc:
        raise UserInputError(f"{path}: {exc}") from None
    fields = {"kind": "junit", "component": component, "source_file": str(path), "digest": _digest(data, component),
              "recorded_at": now or dt.datetime.now(dt.UTC), "tests": report.tests, "failures": report.failures,
              "errors": report.errors, "skipped": report.skipped, "pass_rate": report.pass_rate,
              "details": report.to_dict()}
    with store.session() as session:
        _, created = add_test_report(session, fields)
    return RecordedReport("junit", str(path), component, created, report.to_dict())


def record_coverage(store: Store, path: Path, component: str | None = None, catalog_file: Path | None = None,
                    now: dt.datetime | None = None, catalog: Catalog | None = None) -> RecordedReport:
    """`catalog` is `catalog_file` already parsed (a caller recording many reports parses it once)."""
    data = _read(path)
    try:
        report = parse_cobertura(data)
    except ReportError as exc:
        raise UserInputError(f"{path}: {exc}") from None
    if component is not None and catalog_file is not None and (catalog is not None or catalog_file.exists()):
        found = (catalog or require_catalog(catalog_file)).by_name().get(component)
        if found is None:
            raise NotFoundError(f"no component {component!r} in {catalog_file}")
        if found.paths:
            patterns = [glob_regex(p) for p in found.paths]
            report = report.restricted(lambda name: any(p.match(name) for p in patterns))
    fields = {"kind": "coverage", "component": component, "source_file": str(path),
              "digest": _digest(data, component), "recorded_at": now or dt.datetime.now(dt.UTC),
              "line_rate": report.line_rate, "branch_rate": report.branch_rate, "lines_valid": report.lines_valid,
              "lines_covered": report.lines_covered, "details": report.to_dict()}
    with store.session() as session:
        _, created = add_test_report(session, fields)
    summary = {k: v for k, v in report.to_dict().items() if k != "files"}
    return RecordedReport("coverage", str(path), component, created, {**summary, "files": len(report.files)})
