"""SARIF 2.1.0 output that GitHub code scanning accepts: rules with help, stable partial fingerprints.

One run per scanned root; file URIs are relative to `%SRCROOT%` (the root). With a baseline,
each result carries `baselineState` (`new` or `unchanged`), so viewers can show only new problems.
"""

from __future__ import annotations

from typing import Any

from mldebt import __version__
from mldebt.domain.finding import Finding, Severity
from mldebt.scan.results import ScanResult
from mldebt.scan.rules import FAMILIES, RULES

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
          Severity.INFO: "note"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.0", Severity.HIGH: "7.0", Severity.MEDIUM: "5.0", Severity.LOW: "3.0",
                     Severity.INFO: "1.0"}
FINGERPRINT_KEY = "mldebt/v1"
SECURITY_RULES = {"MLD204", "MLD405", "MLD406"}


def _rule_properties(rule_id: str, family: str, severity: Severity) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": ["ml-debt", FAMILIES[family].lower()], "precision": "medium"}
    if rule_id in SECURITY_RULES:
        properties["tags"].append("security")
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    return properties


def _rules() -> list[dict[str, Any]]:
    return [{
        "id": rule.id, "name": rule.name,
        "shortDescription": {"text": rule.name.replace("-", " ")},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\n\nRemediation: {rule.remediation}",
                 "markdown": f"{rule.rationale}\n\n**Remediation:** {rule.remediation} "
                             f"(about {rule.effort_minutes} minutes)"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": _rule_properties(rule.id, rule.family, rule.severity),
    } for rule in RULES.values()]


def _result(finding: Finding, index: dict[str, int], baseline: set[str] | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id, "ruleIndex": index[finding.rule_id], "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"severity": str(finding.severity), "component": finding.component,
                       "effortMinutes": finding.effort_minutes},
    }
    if finding.file:
        location: dict[str, Any] = {"artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"}}
        if finding.line:
            location["region"] = {"startLine": finding.line}
        result["locations"] = [{"physicalLocation": location}]
    if baseline is not None:
        result["baselineState"] = "unchanged" if finding.fingerprint in baseline else "new"
    return result


def to_sarif(results: list[ScanResult], baseline: set[str] | None = None) -> dict[str, Any]:
    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    runs = []
    for scan in results:
        runs.append({
            "tool": {"driver": {"name": "mldebt", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/mldebt/mldebt", "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": scan.root.as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index, baseline) for f in scan.findings],
            "properties": {"suppressed": dict(scan.suppressed), "debtMinutes": scan.debt_minutes},
        })
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": runs}
