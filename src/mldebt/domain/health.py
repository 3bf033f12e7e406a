"""Inventory health: what an inventory alone says is wrong, as `Finding`s.

Rules (ids are stable; docs/inventory.md lists them):
- INV001 retrain-overdue: a model's last retrain is older than `retrain_every_days`.
- INV002 no-owner: a component nobody owns (a production model with no owner is high).
- INV003 no-model-card: a production model without a model card (or one whose file is missing).
- INV004 depends-on-retiring: a production component depends on a deprecated or legacy one.
- INV005 dependency-cycle: components that depend on each other in a loop.
- INV006 governance-audit-missing: a production model has no fairness, explainability or privacy review.
- INV007 governance-audit-overdue: a production model's review is older than its cadence.

Severity grows with exposure: a customer-facing or revenue-critical production component's
problem ranks higher than the same problem in an experiment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from mldebt.domain.component import Catalog, Kind, Lifecycle, Model
from mldebt.domain.finding import Finding, Severity
from mldebt.domain.governance import AuditState, audit_statuses, days_text
from mldebt.domain.graph import find_cycles
from mldebt.domain.staleness import retrain_status


@dataclass(frozen=True)
class HealthRule:
    rule_id: str
    name: str
    rationale: str


HEALTH_RULES = (
    HealthRule("INV001", "retrain-overdue", "A model past its retraining interval silently drifts from today's data."),
    HealthRule("INV002", "no-owner", "Nobody is paged when an unowned component fails; its debt grows unseen."),
    HealthRule("INV003", "no-model-card", "Without a model card nobody knows a model's data, limits and metrics."),
    HealthRule("INV004", "depends-on-retiring",
               "Production traffic through a deprecated or legacy component is debt that is already due."),
    HealthRule("INV005", "dependency-cycle", "Components in a loop cannot be changed, retrained or rolled back alone."),
    HealthRule("INV006", "governance-audit-missing",
               "A production model nobody reviewed for bias, explainability or privacy carries unknown risk."),
    HealthRule("INV007", "governance-audit-overdue",
               "A review older than its cadence no longer covers the model and data in production."),
)


def _exposure(component: object, base: Severity) -> Severity:
    """Raise a production problem one step when the component faces customers or revenue."""
    if getattr(component, "lifecycle", None) != Lifecycle.PRODUCTION:
        return Severity(list(Severity)[max(0, base.rank - 1)])
    if getattr(component, "customer_facing", False) or getattr(component, "revenue_critical", False):
        return Severity(list(Severity)[min(base.rank + 1, Severity.CRITICAL.rank)])
    return base


def inventory_findings(
    catalog: Catalog, as_of: dt.date, model_card_present: Callable[[str], bool] = lambda _name: True
) -> list[Finding]:
    """All health findings of `catalog` as of `as_of`, most severe first.

    `model_card_present(name)` tells whether the model card file of model `name` exists; the
    caller (which can do I/O) answers it.
    """
    findings: list[Finding] = []
    by_name = catalog.by_name()
    for comp in catalog.components:
        days, overdue = retrain_status(comp, as_of)
        # `overdue` implies both numbers are known; the explicit checks let the type checker see it.
        every = comp.retrain_every_days if isinstance(comp, Model) else None
        if overdue and days is not None and every is not None and not comp.lifecycle.is_retiring:
            findings.append(Finding.create(
                "INV001", _exposure(comp, Severity.MEDIUM), comp.name,
                f"{comp.name} was last retrained {days} days ago; it should be retrained every {every} days",
                evidence={"last_retrained": str(comp.last_retrained), "days_since_retrain": days,
                          "retrain_every_days": every, "days_overdue": days - every},
            ))
        if not comp.owner and not comp.lifecycle.is_retiring:
            prod_model = comp.kind == Kind.MODEL and comp.lifecycle == Lifecycle.PRODUCTION
            findings.append(Finding.create(
                "INV002", Severity.HIGH if prod_model else _exposure(comp, Severity.MEDIUM), comp.name,
                f"{comp.kind} {comp.name} has no owner",
                evidence={"kind": str(comp.kind), "lifecycle": str(comp.lifecycle)},
            ))
        if isinstance(comp, Model) and comp.lifecycle == Lifecycle.PRODUCTION:
            if not comp.model_card:
                findings.append(Finding.create(
                    "INV003", _exposure(comp, Severity.MEDIUM), comp.name,
                    f"production model {comp.name} has no model card",
                    evidence={"model_card": None},
                ))
            elif not model_card_present(comp.name):
                findings.append(Finding.create(
                    "INV003", _exposure(comp, Severity.MEDIUM), comp.name,
                    f"production model {comp.name}: model card {comp.model_card} does not exist",
                    evidence={"model_card": comp.model_card, "exists": False},
                ))
            findings += _audit_findings(comp, as_of)
        if comp.lifecycle == Lifecycle.PRODUCTION:
            for dep_name in comp.depends_on:
                dep = by_name.get(dep_name)
                if dep is not None and dep.lifecycle.is_retiring:
                    findings.append(Finding.create(
                        "INV004", _exposure(comp, Severity.MEDIUM), comp.name,
                        f"production {comp.kind} {comp.name} depends on {dep.lifecycle} {dep.kind} {dep.name}",
                        identity=(dep.name,),
                        evidence={"dependency": dep.name, "dependency_lifecycle": str(dep.lifecycle),
                                  "dependency_owner": dep.owner},
                    ))
    graph = {c.name: list(c.depends_on) for c in catalog.components}
    for cycle in find_cycles(graph):
        findings.append(Finding.create(
            "INV005", Severity.MEDIUM, cycle[0],
            "dependency cycle: " + " -> ".join(cycle),
            identity=tuple(cycle),
            evidence={"cycle": cycle},
        ))
    return sorted(findings, key=lambda f: (-f.severity.rank, f.component, f.rule_id))


def _audit_findings(model: Model, as_of: dt.date) -> list[Finding]:
    """INV006 for each audit a production model never had, INV007 for each past its cadence (one
    finding per audit kind, so recording one review fixes exactly its finding)."""
    found = []
    for status in audit_statuses(model.governance, as_of):
        if status.state == AuditState.MISSING:
            found.append(Finding.create(
                "INV006", _exposure(model, Severity.MEDIUM), model.name,
                f"production model {model.name} has no {status.kind} review on record",
                identity=(status.kind,), evidence={"audit": status.kind, "cadence_days": status.cadence_days},
            ))
        elif status.state == AuditState.OVERDUE and status.due is not None and status.last is not None:
            found.append(Finding.create(
                "INV007", _exposure(model, Severity.LOW), model.name,
                f"the {status.kind} review of {model.name} was due on {status.due.isoformat()} "
                f"({days_text(status.days_overdue)} ago; cadence {status.cadence_days} days)",
                identity=(status.kind,),
                evidence={"audit": status.kind, "last_review": status.last.isoformat(), "reviewer": status.reviewer,
                          "due": status.due.isoformat(), "days_overdue": status.days_overdue,
                          "cadence_days": status.cadence_days},
            ))
    return found
