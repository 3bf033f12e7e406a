"""The scan page's data: open findings by rule and by component, hotspot files, the ML Test Score per
component, the latest scan runs and a page of open findings. Plain dicts; the page draws the charts.

The filters (rule, component, source, severity) are checked here, so a bad value is a 400 naming
it; they narrow the findings sections (aggregates and list alike), not the scan runs.
"""

from __future__ import annotations

import math
import re
from typing import Any

from mldebt.domain.finding import Severity
from mldebt.domain.health import HEALTH_RULES
from mldebt.errors import UserInputError
from mldebt.metrics.recurring import SOURCE as INCIDENTS_SOURCE
from mldebt.metrics.satisfaction import SOURCE as FEEDBACK_SOURCE
from mldebt.scan.ml_test_score import SECTIONS, TESTS
from mldebt.scan.rules import RULES as SCAN_RULES
from mldebt.service.catalog import INVENTORY_SOURCE
from mldebt.store import scan_queries as q
from mldebt.store.database import Store

# The scanner's and drift's own constants (scan.engine.SOURCE, service.drift.DRIFT_SOURCE) live in modules
# that import the whole scanner or the drift engine (numpy, scipy): seconds of server start for two words.
SCAN_SOURCE, DRIFT_SOURCE = "scan", "drift"
FINDING_SOURCES = (SCAN_SOURCE, DRIFT_SOURCE, INVENTORY_SOURCE, INCIDENTS_SOURCE, FEEDBACK_SOURCE)
"""Every `findings.source` a detector writes (tests/service/test_scan_view.py checks them)."""
SEVERITY_NAMES = tuple(str(s) for s in Severity)
SEVERITY_BY_RANK = {s.rank: str(s) for s in Severity}
RULE_ID = re.compile(r"[A-Za-z0-9_.-]{1,30}")  # findings.rule_id is String(30)
MAX_COMPONENT_NAME = 100
MAX_GROUPS = 50  # rows of the by-rule and by-component tables (and bars of their charts)
HOTSPOTS = 20
SCAN_RUNS = 10
TEST_SCORE_SCOPES = 20  # scanned trees whose latest run's ML Test Score is read
MAX_TEST_SCORES = 200

_DRIFT_TITLES = {"DRIFT001": "column-drift", "DRIFT002": "dataset-drift", "PERF001": "model-quality-out-of-bounds",
                 "PERF002": "estimated-quality-out-of-bounds", "DRIFT003": "multivariate-drift"}
RULE_TITLES: dict[str, str] = {**{r.rule_id: r.name for r in HEALTH_RULES}, **_DRIFT_TITLES,
                               **{rule_id: r.name for rule_id, r in SCAN_RULES.items()}}
"""Rule id -> its short name, from the scanner's and the inventory's registries, and drift's four named
here. The data-quality rules (DQ...) have none on this page: their registry lives beside the drift
engine, whose import (numpy, pyarrow, scipy) would make the server start seconds slower."""


def check_filters(rule: str | None = None, component: str | None = None, source: str | None = None,
                  severity: str | None = None) -> q.FindingFilter:
    """The page's filters, each absent (None or empty) or valid; a bad one is a UserInputError naming it."""
    rule, component, source, severity = (v if v else None for v in (rule, component, source, severity))
    if rule is not None and not RULE_ID.fullmatch(rule):
        raise UserInputError("rule: a rule id of 1 to 30 letters, digits, '.', '_' or '-' (such as MLD102)")
    if component is not None and len(component) > MAX_COMPONENT_NAME:
        raise UserInputError(f"component: at most {MAX_COMPONENT_NAME} characters, got {len(component)}")
    if source is not None and source not in FINDING_SOURCES:
        raise UserInputError(f"source: expected one of {', '.join(FINDING_SOURCES)}, got {source[:40]!r}")
    if severity is not None and severity not in SEVERITY_NAMES:
        raise UserInputError(f"severity: expected one of {', '.join(SEVERITY_NAMES)}, got {severity[:40]!r}")
    return q.FindingFilter(rule, component, source, severity)


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def _group(group: q.Group) -> dict[str, Any]:
    return {"key": group.key, "findings": group.findings, "minutes": group.minutes, "hours": _hours(group.minutes),
            "severity": SEVERITY_BY_RANK.get(group.worst, "unknown"), "high": group.high}


def _finding(line: q.FindingLine) -> dict[str, Any]:
    where = f"{line.file}:{line.line}" if line.file and line.line is not None else (line.file or "")
    return {"id": line.id, "rule_id": line.rule_id, "title": RULE_TITLES.get(line.rule_id, ""),
            "severity": line.severity, "component": line.component, "source": line.source,
            "message": line.message, "where": where, "first_seen": line.first_seen_at.strftime("%Y-%m-%d")}


def _score(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _governance(value: Any) -> str:
    """The stored governance line of an ML Test Score (`-` for runs stored before it existed), bounded."""
    return value[:300] if isinstance(value, str) and value else "-"


def _test_scores(stored: list[tuple[str, Any, Any]], component: str | None) -> list[dict[str, Any]]:
    """Each component's ML Test Score from the newest scan run that scored it."""
    found: dict[str, dict[str, Any]] = {}
    for scope, at, entries in stored:
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("component"), str):
                continue
            name = entry["component"]
            if name in found or (component is not None and name != component) or len(found) >= MAX_TEST_SCORES:
                continue
            raw_sections, raw_missing = entry.get("sections"), entry.get("missing")
            sections: dict[str, Any] = raw_sections if isinstance(raw_sections, dict) else {}
            missing: list[Any] = raw_missing if isinstance(raw_missing, list) else []
            found[name] = {"component": name, "final": _score(entry.get("final")),
                           "sections": {s: _score(sections.get(s)) for s in SECTIONS},
                           "missing": len(missing), "scope": scope, "scanned": at.strftime("%Y-%m-%d"),
                           "governance": _governance(entry.get("governance"))}
    return sorted(found.values(), key=lambda s: (s["final"] if s["final"] is not None else -1.0, s["component"]))


def scan_overview(store: Store, where: q.FindingFilter, limit: int, offset: int) -> dict[str, Any]:
    """Everything `/scan` shows; `where` comes from `check_filters`."""
    with store.session() as session:
        rules = q.by_rule(session, where, MAX_GROUPS)
        components = q.by_component(session, where, MAX_GROUPS)
        files = q.hotspots(session, where, HOTSPOTS)
        findings, total = q.findings_page(session, where, limit, offset, rules.findings)
        runs, runs_total = q.latest_scan_runs(session, SCAN_RUNS)
        stored = q.latest_test_scores(session, TEST_SCORE_SCOPES)
    return {
        "filters": {"rule": where.rule, "component": where.component, "source": where.source,
                    "severity": where.severity},
        "rules": [{**_group(g), "title": RULE_TITLES.get(g.key, "")} for g in rules.top], "rules_total": rules.total,
        "components": [_group(g) for g in components.top], "components_total": components.total,
        "hotspots": [_group(g) for g in files.top], "hotspots_total": files.total,
        "findings": [_finding(f) for f in findings], "total": total,
        "runs": [{"id": r.id, "scope": r.scope, "when": r.started_at.strftime("%Y-%m-%d %H:%M UTC"), "files": r.files,
                  "lines": r.lines, "findings": r.findings, "new": r.new, "fixed": r.fixed,
                  "hours": _hours(r.debt_minutes), "seconds": f"{r.seconds:.1f}"} for r in runs],
        "runs_total": runs_total,
        "test_scores": _test_scores(stored, where.component), "sections": list(SECTIONS), "tests_total": len(TESTS),
        "tests_per_section": {s: sum(1 for section, _ in TESTS.values() if section == s) for s in SECTIONS},
        "sources": list(FINDING_SOURCES), "severities": list(SEVERITY_NAMES),
    }
