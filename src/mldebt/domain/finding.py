"""`Finding`: the one shape every detector emits (inventory health, scanner, drift engine).

Because all detectors produce the same type, the backlog can rank them alike. A finding's
`fingerprint` identifies the *problem*, not the moment it was seen: it is built from the rule, the
component and a caller-chosen identity (a file and normalised code line, a column name, a cycle),
so that it survives line moves and re-runs and lets a store mark a finding fixed when it is gone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """Ordered severities; compare with `rank`."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_ORDER = list(Severity)
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(_SEVERITY_ORDER)}

UNASSIGNED = "unassigned"


def make_fingerprint(rule_id: str, component: str, *identity: object) -> str:
    """A stable 16-byte hex digest of the rule, component and identity parts."""
    text = "\x1f".join([rule_id, component, *(str(part) for part in identity)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Finding:
    """One problem found by one rule, tied to one component ("unassigned" when none fits)."""

    rule_id: str
    severity: Severity
    component: str
    message: str
    fingerprint: str
    evidence: dict[str, Any] = field(default_factory=dict)
    source: str = "inventory"
    file: str | None = None
    line: int | None = None
    effort_minutes: int = 0

    @classmethod
    def create(
        cls,
        rule_id: str,
        severity: Severity,
        component: str,
        message: str,
        identity: tuple[object, ...] = (),
        **fields: Any,
    ) -> Finding:
        """Build a finding whose fingerprint comes from (rule, component, *identity)."""
        return cls(
            rule_id=rule_id,
            severity=severity,
            component=component,
            message=message,
            fingerprint=make_fingerprint(rule_id, component, *identity),
            **fields,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": str(self.severity),
            "component": self.component,
            "message": self.message,
            "fingerprint": self.fingerprint,
            "evidence": self.evidence,
            "source": self.source,
            "file": self.file,
            "line": self.line,
            "effort_minutes": self.effort_minutes,
        }
