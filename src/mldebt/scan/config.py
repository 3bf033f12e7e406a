"""Scanner settings: the `scan:` section of mldebt.yaml, validated into a `ScanConfig`.

    scan:
      disable: [MLD501]              # rules that never report
      severity: {MLD401: high}       # re-ranked rules
      exclude: ["vendor/**"]         # paths never scanned
      hotspots: {since: 6.months, top: 5}
      artifacts: {max_mb: 10}
      ml_test_score: {recs-model: {D2: manual}}
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from mldebt.domain.finding import Severity
from mldebt.scan.rules import RULES

KNOWN_KEYS = {"disable", "severity", "exclude", "hotspots", "artifacts", "ml_test_score"}


class ConfigError(ValueError):
    """A `scan:` section that cannot be used; the message names the bad key or value."""


@dataclass(frozen=True)
class ScanConfig:
    disabled: frozenset[str] = frozenset()
    severities: dict[str, Severity] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    since: str = "12.months"
    hotspot_top: int = 10
    artifact_max_bytes: int = 5_000_000
    huge_file_bytes: int = 2_000_000
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    as_of: dt.date = field(default_factory=dt.date.today)
    workers: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    hotspots: bool = True
    gitignore: bool = True  # False: walk the folder, ignoring .gitignore (`--no-gitignore`)

    @classmethod
    def from_section(cls, section: dict[str, Any], **overrides: Any) -> ScanConfig:
        unknown = set(section) - KNOWN_KEYS
        if unknown:
            raise ConfigError(f"scan: unknown key(s) {', '.join(sorted(unknown))} "
                              f"(expected {', '.join(sorted(KNOWN_KEYS))})")
        disabled = frozenset(section.get("disable") or [])
        severities: dict[str, Severity] = {}
        for rule_id, value in (section.get("severity") or {}).items():
            try:
                severities[rule_id] = Severity(str(value))
            except ValueError:
                raise ConfigError(f"scan.severity.{rule_id}: unknown severity {value!r}") from None
        bad = sorted((disabled | set(severities)) - set(RULES))
        if bad:
            raise ConfigError(f"scan: unknown rule id(s) {', '.join(bad)} (see `mldebt rules`)")
        hotspots = section.get("hotspots") or {}
        artifacts = section.get("artifacts") or {}
        values: dict[str, Any] = {
            "disabled": disabled, "severities": severities, "exclude": tuple(section.get("exclude") or ()),
            "since": str(hotspots.get("since", "12.months")), "hotspot_top": int(hotspots.get("top", 10)),
            "artifact_max_bytes": int(float(artifacts.get("max_mb", 5)) * 1_000_000),
            "answers": dict(section.get("ml_test_score") or {}),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
