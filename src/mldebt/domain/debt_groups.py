"""Root causes: which findings are one debt item, its category, title and default effort.

One table (`ROOT_CAUSES`) maps every rule id (or rule-id prefix) a detector emits to a root cause.
Findings of one component with one root cause form one item: the fifty `MLD102` findings of a
service are "unpinned dependencies in <service>". A root cause marked `per_finding` keeps one item
per finding (each recurring failure is its own problem). A rule nobody listed gets its own group,
category `code`, so a new rule can never vanish from the backlog.

Effort: the sum of the findings' own estimates (the scanner's rule table), shown as a range from
half to one and a half times that sum (estimates of small fixes are both padded and optimistic);
findings without an estimate (inventory, drift, incidents) take the root cause's default range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mldebt.domain.debt import (
    FINDING_SOURCES,
    MAX_EFFORT_HOURS,
    MAX_EVIDENCE_KEPT,
    DebtCategory,
    DebtDraft,
    DebtSource,
    EffortRange,
    Evidence,
    EvidenceKind,
    round_half_hours,
)
from mldebt.domain.finding import Severity, make_fingerprint

C = DebtCategory
LOW_FACTOR, HIGH_FACTOR = 0.5, 1.5


@dataclass(frozen=True)
class RootCause:
    group: str
    category: DebtCategory
    title: str  # "{component}" is replaced
    default_hours: tuple[float, float] = (1.0, 4.0)
    per_finding: bool = False


_CAUSES = (
    (("MLD102", "MLD103", "MLD104", "MLD106"),
     RootCause("unpinned-dependencies", C.DEPENDENCIES, "Unpinned or unlocked dependencies in {component}")),
    (("MLD101",), RootCause("conflicting-pins", C.DEPENDENCIES, "Conflicting dependency versions in {component}")),
    (("MLD105",), RootCause("end-of-support-framework", C.DEPENDENCIES,
                            "End-of-support ML framework in {component}")),
    (("MLD404",), RootCause("deprecated-api", C.DEPENDENCIES, "Deprecated library APIs in {component}")),
    (("MLD407",), RootCause("deprecated-bigcommerce-api", C.CODE,
                            "Deprecated BigCommerce endpoints in {component}")),
    (("MLD201", "MLD202", "MLD203", "MLD205"),
     RootCause("notebooks-in-production", C.CODE, "Notebook code in production component {component}")),
    (("MLD204", "MLD406"), RootCause("committed-credentials", C.GOVERNANCE, "Credentials committed in {component}")),
    (("MLD405",), RootCause("unsafe-model-loading", C.GOVERNANCE, "Unsafe model loading in {component}")),
    (("MLD301", "MLD302"), RootCause("debt-markers", C.CODE, "Acknowledged debt (TODO/FIXME/HACK) in {component}")),
    (("MLD401",), RootCause("hard-coded-thresholds", C.MODEL, "Hard-coded decision thresholds in {component}")),
    (("MLD402",), RootCause("unseeded-randomness", C.MODEL, "Irreproducible (unseeded) randomness in {component}")),
    (("MLD403",), RootCause("preprocessing-leakage", C.MODEL, "Train/test leakage in {component}")),
    (("MLD501", "MLD502", "MLD503"), RootCause("dead-code", C.CODE, "Dead experimental code in {component}")),
    (("MLD601",), RootCause("model-files-in-git", C.INFRASTRUCTURE, "Large model files in git for {component}")),
    (("MLD602",), RootCause("undocumented-model-files", C.DOCUMENTATION,
                            "Model files without card or version in {component}")),
    (("MLD701", "MLD702"), RootCause("untested-ml-code", C.TESTS, "Untested ML code in {component}")),
    (("MLD801",), RootCause("hotspots", C.CODE, "Complex code that changes often in {component}")),
    (("MLD901",), RootCause("unparsable-files", C.CODE, "Files the scanner cannot parse in {component}")),
    (("INV001",), RootCause("retrain-overdue", C.MODEL, "Retraining overdue for {component}", (2.0, 8.0))),
    (("INV002",), RootCause("no-owner", C.GOVERNANCE, "No owner for {component}", (0.5, 2.0))),
    (("INV003",), RootCause("no-model-card", C.DOCUMENTATION, "No model card for {component}", (2.0, 6.0))),
    (("INV004",), RootCause("depends-on-retiring", C.INFRASTRUCTURE,
                            "{component} depends on a deprecated component", (8.0, 40.0))),
    (("INV005",), RootCause("dependency-cycle", C.INFRASTRUCTURE, "Dependency cycle through {component}",
                            (8.0, 24.0))),
    (("INV006",), RootCause("governance-audit-missing", C.GOVERNANCE, "Governance reviews missing for {component}",
                            (8.0, 24.0))),
    (("INV007",), RootCause("governance-audit-overdue", C.GOVERNANCE, "Governance reviews overdue for {component}",
                            (4.0, 16.0))),
    (("DRIFT",), RootCause("data-drift", C.DATA, "Data drift in the inputs of {component}", (4.0, 16.0))),
    (("DQ",), RootCause("data-quality", C.DATA, "Data-quality problems in the data of {component}", (2.0, 8.0))),
    (("PERF",), RootCause("model-quality", C.MODEL, "Model quality below its threshold for {component}",
                          (4.0, 16.0))),
    (("INC001",), RootCause("recurring-failure", C.CODE, "Recurring failure in {component}", (4.0, 16.0),
                            per_finding=True)),
    (("FB",), RootCause("satisfaction-drop", C.MODEL, "Shoppers' satisfaction dropped with {component}",
                        (4.0, 16.0))),
)

ROOT_CAUSES: dict[str, RootCause] = {rule: cause for rules, cause in _CAUSES for rule in rules}
"""Rule id (or prefix such as `DRIFT`) -> root cause; the one place that says what belongs together."""

# A recurring failure's category follows the incidents' category (see `domain.incident.Category`).
INCIDENT_CATEGORY_TO_DEBT: dict[str, DebtCategory] = {
    "api-mismatch": C.CODE, "retraining-delay": C.MODEL, "latency": C.INFRASTRUCTURE,
    "false-positives": C.MODEL, "data-quality": C.DATA, "model-error": C.MODEL,
    "infrastructure": C.INFRASTRUCTURE, "other": C.CODE,
}


def root_cause(rule_id: str) -> RootCause:
    """The rule's root cause: its own id first, then the longest listed prefix, else a group of its own."""
    if rule_id in ROOT_CAUSES:
        return ROOT_CAUSES[rule_id]
    prefixes = [p for p in ROOT_CAUSES if rule_id.startswith(p)]
    if prefixes:
        return ROOT_CAUSES[max(prefixes, key=len)]
    return RootCause(rule_id.lower(), C.CODE, f"{rule_id} findings in {{component}}")


class FindingLike(Protocol):
    """What grouping reads of a stored finding (a `FindingRow` or a plain record)."""

    @property
    def id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def rule_id(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def component(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def file(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...
    @property
    def effort_minutes(self) -> int: ...
    @property
    def evidence(self) -> dict[str, Any]: ...
    @property
    def first_seen_at(self) -> dt.datetime: ...


def item_key(component: str, group: str, *identity: object) -> str:
    """The fingerprint of a root cause: stable across scans, line moves and restarts."""
    return make_fingerprint("debt", component, group, *identity)


def group_findings(findings: Iterable[FindingLike]) -> list[DebtDraft]:
    """One draft per (component, root cause), evidence ordered by severity then place."""
    groups: dict[str, tuple[RootCause, list[FindingLike]]] = {}
    causes: dict[str, RootCause] = {}
    keys: dict[tuple[str, str], str] = {}  # (component, group) -> key: one hash per item, not per finding
    for finding in findings:
        cause = causes.get(finding.rule_id)
        if cause is None:
            cause = causes[finding.rule_id] = root_cause(finding.rule_id)
        if cause.per_finding:
            key = item_key(finding.component, cause.group, finding.fingerprint)
        else:
            key = keys.get((finding.component, cause.group)) or keys.setdefault(
                (finding.component, cause.group), item_key(finding.component, cause.group))
        groups.setdefault(key, (cause, []))[1].append(finding)
    drafts = [_draft(key, cause, members) for key, (cause, members) in groups.items()]
    return sorted(drafts, key=lambda d: (d.component, d.title, d.key))


_RANK = {str(s): s.rank for s in Severity}
_SOURCE_ORDER = {source: number for number, source in enumerate(DebtSource)}  # the first listed source wins


def _draft(key: str, cause: RootCause, members: Sequence[FindingLike]) -> DebtDraft:
    ordered = sorted(members, key=lambda f: (-_RANK[f.severity], f.file or "", f.line or 0, f.id))
    first = ordered[0]
    component = first.component
    category = cause.category
    title = cause.title.format(component=component)
    if cause.per_finding:
        categories = first.evidence.get("categories") or [""]
        category = INCIDENT_CATEGORY_TO_DEBT.get(str(categories[0]), category)
        title = f"{title}: {first.message}"
    elif len(ordered) > 1:
        title = f"{title} ({len(ordered)} findings)"
    evidence = tuple(Evidence(EvidenceKind.FINDING, str(f.id), _where(f), f.first_seen_at)
                     for f in ordered[:MAX_EVIDENCE_KEPT])
    sources = {FINDING_SOURCES.get(name, DebtSource.SCAN) for name in {f.source for f in ordered}}
    return DebtDraft(
        key=key, title=title[:300], category=category, component=component,
        source=min(sources, key=_SOURCE_ORDER.__getitem__), severity=Severity(first.severity),
        effort=effort_of(cause, [f.effort_minutes for f in ordered]), evidence=evidence,
        evidence_count=len(ordered), rule_ids=tuple(sorted({f.rule_id for f in ordered})),
        first_seen_at=min(f.first_seen_at for f in ordered), details={"group": cause.group})


def _where(finding: FindingLike) -> str:
    place = f"{finding.file}:{finding.line}" if finding.file and finding.line else finding.file
    text = f"{finding.rule_id} {finding.message}"
    return f"{text} ({place})"[:300] if place else text[:300]


def effort_of(cause: RootCause, minutes: Sequence[int]) -> EffortRange:
    """Half to one and a half times the findings' summed estimate; the cause's default when none has one."""
    total_hours = sum(max(0, m) for m in minutes) / 60.0
    if total_hours <= 0:
        low, high = cause.default_hours
        return EffortRange(low, high)
    low = min(round_half_hours(total_hours * LOW_FACTOR), MAX_EFFORT_HOURS)
    high = min(max(low, round_half_hours(total_hours * HIGH_FACTOR)), MAX_EFFORT_HOURS)
    return EffortRange(low, high)
